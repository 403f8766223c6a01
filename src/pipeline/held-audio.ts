/**
 * @module The audio an incremental pipeline still needs: samples are appended as they arrive and
 * released once no stage will read them, so a live session holds a bounded stretch, not the recording.
 */
import { SenkoError } from "../errors.ts";

export class HeldAudio {
  #data = new Float32Array(0);
  /** index (in the whole stream) of #data[0] */
  #offset = 0;
  #length = 0;

  /** samples appended so far */
  get end(): number {
    return this.#offset + this.#length;
  }

  /** index of the first sample still held */
  get start(): number {
    return this.#offset;
  }

  get held(): number {
    return this.#length;
  }

  append(samples: Float32Array): void {
    const need = this.#length + samples.length;
    if (need > this.#data.length) {
      const grown = new Float32Array(Math.max(need, Math.ceil(1.5 * this.#data.length), 1 << 16));
      grown.set(this.#data.subarray(0, this.#length));
      this.#data = grown;
    }
    this.#data.set(samples, this.#length);
    this.#length = need;
  }

  /** Forgets the samples before `index` (those before what is already released are ignored). */
  release(index: number): void {
    const drop = Math.min(this.#length, Math.floor(index) - this.#offset);
    if (drop <= 0) return;
    this.#data.copyWithin(0, drop, this.#length);
    this.#length -= drop;
    this.#offset += drop;
    // Shrink when most of the buffer is unused, so one long stretch held once does not stay allocated.
    if (this.#data.length > 1 << 16 && this.#length < this.#data.length / 4) this.#data = this.#data.slice(0, Math.max(this.#length * 2, 1 << 16));
  }

  /** The held samples from `from` (a stream index) to the end; a view, valid until the next append or release. */
  from(from: number): Float32Array {
    if (from < this.#offset || from > this.end) throw new SenkoError(`internal error: samples from ${from} are not held (held ${this.#offset} to ${this.end})`);
    return this.#data.subarray(from - this.#offset, this.#length);
  }
}
