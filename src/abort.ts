/**
 * @module Cancellation by an AbortSignal, as Web APIs do it: work given an aborted signal rejects with the
 * signal's `reason` (an "AbortError" DOMException unless the caller chose another), at once if it was aborted
 * before the call, else at the work's next stage or batch.
 */
import { ConfigError } from "./errors.ts";

/** `signal` checked to be an AbortSignal (or undefined): a ConfigError otherwise. */
export function checkSignal(signal: unknown): AbortSignal | undefined {
  if (signal === undefined || signal instanceof AbortSignal) return signal;
  throw new ConfigError(`signal must be an AbortSignal (new AbortController().signal), got ${signal === null ? "null" : typeof signal}`);
}

/**
 * `work`, or the signal's reason as soon as it is aborted. The work itself goes on (e.g. loading models that
 * a later call will use): for work shared between callers, which one caller's signal must not stop.
 */
export function untilAborted<T>(work: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (signal === undefined) return work;
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener("abort", onAbort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener("abort", onAbort));
  });
}

/**
 * Memory shared with the inference lanes' threads (src/models/lanes.ts), set once the batch loops its requests
 * belong to have stopped: a lane drops such a request that it has not started, rather than run it for nobody.
 */
export type StopFlag = Int32Array;

/** Whether the loops `flag` belongs to have stopped (false for no flag). */
export function isStopped(flag: StopFlag | undefined): boolean {
  return flag !== undefined && Atomics.load(flag, 0) !== 0;
}

/**
 * Runs `loops` (each taking batches from a shared queue) until every one has ended. The first failure, or
 * `signal`'s abort as it happens, calls `stop`, so that the loops end after the batch they are in, and raises
 * their StopFlag, so that the lanes drop the requests they hold and have not started; it is thrown (the signal's
 * reason) once every loop has ended: nothing is left running (a session call, a worker's request) after the
 * caller has seen the error.
 */
export async function runBatchLoops(loops: readonly ((stopped: StopFlag) => Promise<void>)[], stop: () => void, signal?: AbortSignal): Promise<void> {
  signal?.throwIfAborted();
  const stopped: StopFlag = new Int32Array(new SharedArrayBuffer(Int32Array.BYTES_PER_ELEMENT));
  let failure: { error: unknown } | undefined;
  const fail = (error: unknown) => {
    failure ??= { error };
    Atomics.store(stopped, 0, 1);
    stop();
  };
  const onAbort = () => fail(signal!.reason);
  signal?.addEventListener("abort", onAbort, { once: true });
  try {
    await Promise.all(loops.map((loop) => loop(stopped).catch(fail)));
  } finally {
    signal?.removeEventListener("abort", onAbort);
  }
  if (failure) throw failure.error;
}
