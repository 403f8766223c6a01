/**
 * @module A typed array filled from the front that grows as rows arrive (the buffers of streams and live
 * sessions). Its capacity grows by a factor, so filling n rows copies O(n) elements in all; a growth
 * copies only the filled part.
 */

export type GrowableTypedArray = Uint8Array | Int32Array | Uint32Array | Float32Array;

export interface GrowableArrayOptions {
  /** elements per row (default 1): counts and capacities are in rows */
  width?: number;
  /** factor the capacity grows by when full (default 2) */
  growth?: number;
  /** rows of the first allocation, and the least any growth allocates (default 0) */
  minCapacity?: number;
  /** rows no growth allocates more than (default none); filling more throws */
  maxCapacity?: number;
}

export class GrowableArray<T extends GrowableTypedArray> {
  readonly width: number;
  readonly #make: new (length: number) => T;
  readonly #growth: number;
  readonly #minCapacity: number;
  readonly #maxCapacity: number;
  #data: T;
  #count = 0;

  constructor(make: new (length: number) => T, options: GrowableArrayOptions = {}) {
    const { width = 1, growth = 2, minCapacity = 0, maxCapacity = Infinity } = options;
    if (!(Number.isInteger(width) && width >= 1)) throw new RangeError(`GrowableArray: width must be a whole number from 1, got ${width}`);
    if (!(growth > 1)) throw new RangeError(`GrowableArray: growth must be above 1, got ${growth}`);
    if (!(Number.isInteger(minCapacity) && minCapacity >= 0 && minCapacity <= maxCapacity)) {
      throw new RangeError(`GrowableArray: minCapacity must be a whole number from 0 to maxCapacity, got ${minCapacity}`);
    }
    this.width = width;
    this.#make = make;
    this.#growth = growth;
    this.#minCapacity = minCapacity;
    this.#maxCapacity = maxCapacity;
    this.#data = new make(0);
  }

  /** Rows filled. */
  get count(): number {
    return this.#count;
  }

  /** Rows allocated. */
  get capacity(): number {
    return this.#data.length / this.width;
  }

  /** The whole buffer, the filled part first; valid until the next growth, fit or clear. */
  get data(): T {
    return this.#data;
  }

  /** The filled part; valid until the next call that changes the buffer. */
  view(): T {
    return this.#data.subarray(0, this.#count * this.width) as T;
  }

  /** Appends whole rows. */
  push(rows: ArrayLike<number>): void {
    if (rows.length % this.width !== 0) throw new RangeError(`GrowableArray: ${rows.length} elements are not whole rows of ${this.width}`);
    const count = this.#count + rows.length / this.width;
    this.reserve(count);
    this.#data.set(rows, this.#count * this.width);
    this.#count = count;
  }

  /** Makes `count` rows filled, growing if needed; rows past the old filled part are zero. Returns the filled part. */
  resize(count: number): T {
    this.reserve(count);
    if (count > this.#count) this.#data.fill(0, this.#count * this.width, count * this.width);
    this.#count = count;
    return this.view();
  }

  /** Makes room for `rows` rows, keeping the filled part. */
  reserve(rows: number): void {
    if (rows <= this.capacity) return;
    if (rows > this.#maxCapacity) throw new RangeError(`GrowableArray: ${rows} rows are more than the ${this.#maxCapacity} allowed`);
    this.#reallocate(Math.min(Math.max(rows, Math.ceil(this.#growth * this.capacity), this.#minCapacity), this.#maxCapacity));
  }

  /** Forgets the first `rows` filled rows; the rest move to the front. */
  dropFront(rows: number): void {
    const drop = Math.min(rows, this.#count);
    if (drop <= 0) return;
    this.#data.copyWithin(0, drop * this.width, this.#count * this.width);
    this.#count -= drop;
  }

  /** Reallocates to `rows` rows (at least those filled): to give back what a long stretch held once took. */
  fit(rows: number): void {
    this.#reallocate(Math.max(rows, this.#count));
  }

  /** Empties it and frees the buffer. */
  clear(): void {
    this.#count = 0;
    this.#data = new this.#make(0);
  }

  #reallocate(rows: number): void {
    const data = new this.#make(rows * this.width);
    data.set(this.view());
    this.#data = data;
  }
}
