/**
 * @module The audio an incremental pipeline still needs: samples are appended as they arrive and
 * released once no stage will read them, so a live session holds a bounded stretch, not the recording.
 */
import { SenkoError } from "../errors.ts";
import { GrowableArray } from "../growable-array.ts";

/** Samples the buffer holds at least (4 s), so short appends do not reallocate it. */
const MIN_CAPACITY = 1 << 16;

export class HeldAudio {
  /** grown by half, not doubled: a held stretch can be minutes of audio, and the overshoot counts in a session's memory */
  readonly #data = new GrowableArray(Float32Array, { growth: 1.5, minCapacity: MIN_CAPACITY });
  /** index (in the whole stream) of the first sample held */
  #offset = 0;

  /** samples appended so far */
  get end(): number {
    return this.#offset + this.#data.count;
  }

  /** index of the first sample still held */
  get start(): number {
    return this.#offset;
  }

  get held(): number {
    return this.#data.count;
  }

  append(samples: Float32Array): void {
    this.#data.push(samples);
  }

  /** Forgets the samples before `index` (those before what is already released are ignored). */
  release(index: number): void {
    const drop = Math.min(this.#data.count, Math.floor(index) - this.#offset);
    if (drop <= 0) return;
    this.#data.dropFront(drop);
    this.#offset += drop;
    // Shrink when most of the buffer is unused, so one long stretch held once does not stay allocated.
    const { capacity, count } = this.#data;
    if (capacity > MIN_CAPACITY && count < capacity / 4) this.#data.fit(Math.max(count * 2, MIN_CAPACITY));
  }

  /** The held samples from `from` (a stream index) to the end; a view, valid until the next append or release. */
  from(from: number): Float32Array {
    if (from < this.#offset || from > this.end) throw new SenkoError(`internal error: samples from ${from} are not held (held ${this.#offset} to ${this.end})`);
    return this.#data.view().subarray(from - this.#offset);
  }
}
