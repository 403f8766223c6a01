/**
 * @module A native thread pool (zig/pool.zig) behind a handle. Every parallel native entry point takes
 * one, so each ComputeContext runs its fbank, clustering and audio conversion on threads of its own:
 * nothing process-wide is resized when a second Diarizer asks for another thread count.
 */
import type { Pointer } from "bun:ffi";
import { ConfigError, NativeLibraryError, SenkoError } from "./errors.ts";
import { lib } from "./ffi.ts";

/** The most threads a pool has (zig/pool.zig `threads_max`; test/shared-constants.test.ts compares). */
export const THREADS_MAX = 256;

/** Whether `threads` is a thread count a pool or a context takes: 0 (one per CPU) to THREADS_MAX. */
export const isThreadCount = (threads: number) => Number.isInteger(threads) && threads >= 0 && threads <= THREADS_MAX;

export class NativeThreadPool {
  /** threads counting the caller */
  readonly threadCount: number;
  #handle: Pointer | null;

  /** `threads` counting the caller; 0 = one per CPU. */
  constructor(threads = 0) {
    if (!isThreadCount(threads)) throw new ConfigError(`threads must be a whole number from 0 to ${THREADS_MAX}, got ${threads}`);
    const native = lib();
    const handle = native.senko_pool_create(threads);
    if (typeof handle !== "number" || handle === 0) throw new NativeLibraryError(`cannot start a native pool of ${threads} thread(s)`);
    this.#handle = handle;
    this.threadCount = native.senko_pool_thread_count(handle);
  }

  /** The handle to pass to a native call; throws once the pool is destroyed. */
  get handle(): Pointer {
    if (this.#handle === null) throw new SenkoError("native thread pool used after destroy()");
    return this.#handle;
  }

  get destroyed(): boolean {
    return this.#handle === null;
  }

  /** Stops the threads (idempotent). No native call may be running on the pool. */
  destroy(): void {
    if (this.#handle === null) return;
    lib().senko_pool_destroy(this.#handle);
    this.#handle = null;
  }

  /** `using pool = new NativeThreadPool(n)` destroys it at the end of the block. */
  [Symbol.dispose](): void {
    this.destroy();
  }
}
