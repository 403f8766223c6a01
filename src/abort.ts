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
 * Runs `loops` (each taking batches from a shared queue) until every one has ended. The first failure calls
 * `stop`, so that the others end after the batch they are in, and is thrown once they have: nothing is left
 * running (a session call, a worker's request) after the caller has seen the error.
 */
export async function runBatchLoops(loops: readonly (() => Promise<void>)[], stop: () => void): Promise<void> {
  let failure: { error: unknown } | undefined;
  await Promise.all(
    loops.map((loop) =>
      loop().catch((error: unknown) => {
        failure ??= { error };
        stop();
      }),
    ),
  );
  if (failure) throw failure.error;
}
