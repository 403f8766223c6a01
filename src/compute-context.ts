/**
 * @module What one Diarizer computes with: its onnxruntime sessions, its inference worker lanes, its
 * native thread pool and the options they were made with. Nothing here is process-wide, so two
 * Diarizers with different devices or thread counts in one process never touch each other's state.
 * Everything starts on first use; `close()` releases it all. Stage functions called from a script
 * without a context share `defaultContext()`, which no Diarizer ever uses.
 */
import type { Pointer } from "bun:ffi";
import { availableParallelism } from "node:os";
import type { ModelId } from "../models/manifest.ts";
import { ConfigError, SenkoError } from "./errors.ts";
import { WorkerLane } from "./models/lanes.ts";
import { DEVICES } from "./models/execution-provider.ts";
import { createSession, type Device, type LoadedModel, type SessionOptions } from "./models/session.ts";
import { spellChoice } from "./option-names.ts";
import { isThreadCount, NativeThreadPool, THREADS_MAX } from "./thread-pool.ts";

/** Session options (`quiet` defaults to true here), the thread count and the lanes. */
export interface ContextOptions extends SessionOptions {
  /** threads of the native stages and of CAM++/pyannote inference (0 or absent = one per CPU; Silero uses 1) */
  threads?: number;
  /**
   * inference lanes: threads with their own onnxruntime sessions that run Silero stretches and CAM++
   * batches at once, `threads` split between them (default: one lane per thread; 1 = the calling
   * thread only; always 1 when an accelerator is named as the device, where the GPU is the parallelism)
   */
  lanes?: number;
}

/**
 * A Diarizer starts its worker lanes for inputs of this many seconds or more. A worker costs some 0.4 s of CPU
 * to start (a thread, its module graph, its own sessions): on a shorter input the calling thread alone
 * finishes sooner. It runs the same batches with a session of the same threads, so the result is the same.
 */
export const WORKER_LANES_FROM_SEC = 60;

/** For stage functions: the context to run in (default: `defaultContext()`, for standalone calls). */
export interface InContext {
  context?: ComputeContext;
}

/**
 * What models and native stages compute with: onnxruntime sessions, inference worker lanes and a native thread
 * pool, made from `device`, `threads` and `lanes`. A Diarizer owns one (`diarizer.context`); pass one to the
 * stage functions as `{ context }`, and release it with `await context.close()`.
 */
export class ComputeContext {
  /** where the models run ("auto": the platform's accelerator when it can run, else the CPU) */
  readonly device: Device;
  /** threads of the native pool and of each model session that is not split between lanes */
  readonly threads: number;
  /** threads with their own onnxruntime sessions that run model batches side by side (1 on an accelerator) */
  readonly lanes: number;
  readonly #session: SessionOptions;
  readonly #sessions = new Map<string, Promise<LoadedModel>>();
  readonly #workers: WorkerLane[] = [];
  /** Set when a worker cannot run (e.g. a single-file executable without the worker module): lanes then stay in-thread. */
  #workersUnavailable = false;
  #pool: NativeThreadPool | undefined;
  #closing: Promise<void> | undefined;

  constructor(options: ContextOptions = {}) {
    const { threads, lanes, ...session } = options;
    // Each thread is an inference lane by default, a worker with its own sessions: 10,000 of them exhaust memory.
    if (threads !== undefined && !isThreadCount(threads)) {
      throw new ConfigError(`threads must be a whole number from 0 to ${THREADS_MAX}, got ${threads}`);
    }
    if (lanes !== undefined && !(isThreadCount(lanes) && lanes >= 1)) throw new ConfigError(`lanes must be a whole number from 1 to ${THREADS_MAX}, got ${lanes}`);
    // In any case, as the Diarizer and the CLI take it.
    const device = spellChoice("device", session.device ?? "auto", DEVICES);
    this.device = device;
    this.threads = threads || Math.min(availableParallelism(), THREADS_MAX);
    this.lanes = device !== "auto" && device !== "cpu" ? 1 : (lanes ?? this.threads);
    this.#session = { ...session, device, quiet: session.quiet ?? true };
  }

  /** Whether `close()` has been called: later use throws SenkoError. */
  get closed(): boolean {
    return this.#closing !== undefined;
  }

  #guard(): void {
    if (this.#closing) throw new SenkoError("compute context used after close()");
  }

  /** Intra-op threads of each of `lanes` lanes: the context's threads split between them (at least one each). */
  threadsPerLane(lanes: number): number {
    return Math.max(1, Math.floor(this.threads / lanes));
  }

  /** The native thread pool (started on first use) of the fbank, clustering and audio stages. */
  get pool(): NativeThreadPool {
    this.#guard();
    this.#pool ??= new NativeThreadPool(this.threads);
    return this.#pool;
  }

  /** The session of model `id` with `threads` intra-op threads (Silero always 1), created on first use. */
  session(id: ModelId, threads: number = this.threads): Promise<LoadedModel> {
    this.#guard();
    const intraOp = id === "silero-vad" ? 1 : threads;
    const key = `${id}/${intraOp}`;
    let loaded = this.#sessions.get(key);
    if (!loaded) {
      loaded = createSession(id, this.#session, intraOp);
      this.#sessions.set(key, loaded);
      // A failed load is not cached, so a later call can succeed once the file is there.
      loaded.catch(() => this.#sessions.delete(key));
    }
    return loaded;
  }

  /** `count` worker lanes (count = lanes - 1: the calling thread is lane 0); fewer (none) if workers cannot run. */
  workerLanes(count: number): WorkerLane[] {
    this.#guard();
    if (this.#workersUnavailable || count <= 0) return [];
    for (let i = this.#workers.length - 1; i >= 0; i--) if (this.#workers[i]!.failed) this.#workers.splice(i, 1);
    try {
      while (this.#workers.length < count) this.#workers.push(new WorkerLane(this.#session));
    } catch {
      this.#workersUnavailable = true;
      return [];
    }
    return this.#workers.slice(0, count);
  }

  /** Worker lanes started so far (none until a stage asks for them). */
  get workerLaneCount(): number {
    return this.#workers.length;
  }

  /** After a worker failed to run at all, later calls use the calling thread only. */
  disableWorkerLanes(): void {
    this.#workersUnavailable = true;
    for (const w of this.#workers.splice(0)) void w.close();
  }

  /**
   * Stops the worker lanes, releases every session and the native threads (idempotent; the same promise
   * each time). Call it when no stage is running in this context; using the context afterwards throws.
   */
  close(): Promise<void> {
    this.#closing ??= this.#release();
    return this.#closing;
  }

  async #release(): Promise<void> {
    const workers = this.#workers.splice(0);
    const sessions = [...this.#sessions.values()];
    this.#sessions.clear();
    this.#pool?.destroy();
    await Promise.all(workers.map((w) => w.close()));
    for (const s of await Promise.allSettled(sessions)) if (s.status === "fulfilled") await s.value.session.release();
  }
}

let standalone: ComputeContext | undefined;

/** The context of stage functions called without one (created on first use; never used by a Diarizer). */
export function defaultContext(): ComputeContext {
  if (!standalone || standalone.closed) standalone = new ComputeContext({ quiet: true });
  return standalone;
}

/** Closes the standalone context (its sessions, lanes and threads); the next standalone call starts a new one. */
export async function releaseModels(): Promise<void> {
  const context = standalone;
  standalone = undefined;
  await context?.close();
}

/** The native pool handle of `context`, or of the standalone context. */
export function nativePool(context: ComputeContext | undefined): Pointer {
  return (context ?? defaultContext()).pool.handle;
}

/** Whether the standalone context exists (tests check that a Diarizer never creates it). */
export function hasDefaultContext(): boolean {
  return standalone !== undefined && !standalone.closed;
}
