/**
 * @module Inference lanes: the calling thread plus worker threads, each with its own onnxruntime
 * sessions. onnxruntime-node's `session.run` runs synchronously on the JS thread that calls it (two
 * concurrent runs in one thread take turns), so independent work, such as Silero over separate stretches
 * or CAM++ batches, only uses a second core from a second thread. Lane 0 is always the calling thread;
 * workers are created on first use, kept for later calls, and do not keep the process alive when idle.
 */
import { availableParallelism } from "node:os";
import { ModelLoadError } from "../errors.ts";
import type { ModelOptions } from "./session.ts";

let workerUrl = new URL("./inference-worker.ts", import.meta.url).href;

/**
 * Where the worker's entry module is. Bundled code (the compiled executable) moves this module, so the
 * bundle's entry point names the worker's place in it.
 */
export function setInferenceWorkerUrl(url: string): void {
  workerUrl = url;
}

export type LaneRequest =
  | { id: number; kind: "silero"; stretches: Float32Array[]; options: ModelOptions }
  | { id: number; kind: "campplus"; features: Float32Array; batch: number; frames: number; options: ModelOptions };

export type LaneReply = { id: number; ok: true; result: Float32Array[] } | { id: number; ok: false; error: string };

type Pending = { resolve: (result: Float32Array[]) => void; reject: (error: Error) => void };

/** One worker thread; requests are answered in order, one at a time. */
export class WorkerLane {
  readonly #worker: Worker;
  readonly #pending = new Map<number, Pending>();
  #nextId = 0;
  #failed: Error | undefined;

  constructor() {
    this.#worker = new Worker(workerUrl);
    this.#worker.unref();
    this.#worker.onmessage = (event: MessageEvent<LaneReply>) => {
      const reply = event.data;
      const pending = this.#pending.get(reply.id);
      if (!pending) return;
      this.#pending.delete(reply.id);
      if (this.#pending.size === 0) this.#worker.unref();
      if (reply.ok) pending.resolve(reply.result);
      else pending.reject(new ModelLoadError(`inference worker: ${reply.error}`, "lanes"));
    };
    this.#worker.onerror = (event: ErrorEvent) => this.#fail(new ModelLoadError(`inference worker failed: ${event.message}`, "lanes"));
  }

  #fail(error: Error): void {
    this.#failed = error;
    for (const p of this.#pending.values()) p.reject(error);
    this.#pending.clear();
    this.#worker.terminate();
  }

  /** Sends one request; `transfer` buffers move to the worker (the caller must not use them after). */
  request(body: DistributiveOmit<LaneRequest, "id">, transfer: ArrayBuffer[] = []): Promise<Float32Array[]> {
    if (this.#failed) return Promise.reject(this.#failed);
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve, reject });
      // Referenced while a request is out, so the process waits for the answer.
      this.#worker.ref();
      this.#worker.postMessage({ ...body, id }, transfer);
    });
  }

  get failed(): boolean {
    return this.#failed !== undefined;
  }

  terminate(): void {
    this.#fail(new ModelLoadError("inference worker was terminated", "lanes"));
  }
}

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

const workers: WorkerLane[] = [];
/** Set when a worker cannot run (e.g. a single-file executable without the worker module): lanes then stay in-thread. */
let workersUnavailable = false;

/** Lanes to use: `requested`, else one per thread; one when the device is "cuda" (the GPU is the parallelism there). */
export function laneCount(options: ModelOptions, requested?: number): number {
  if (options.device === "cuda") return 1;
  const n = requested ?? options.threads ?? availableParallelism();
  return Math.max(1, Math.floor(n));
}

/** Options for one lane: the threads split between `lanes` lanes (at least one each). */
export function laneOptions(options: ModelOptions, lanes: number): ModelOptions {
  const threads = options.threads ?? availableParallelism();
  return { ...options, threads: Math.max(1, Math.floor(threads / lanes)) };
}

/** `count` worker lanes (count = lanes - 1: the calling thread is lane 0); fewer (none) if workers cannot run. */
export function workerLanes(count: number): WorkerLane[] {
  if (workersUnavailable || count <= 0) return [];
  for (let i = workers.length - 1; i >= 0; i--) if (workers[i]!.failed) workers.splice(i, 1);
  try {
    while (workers.length < count) workers.push(new WorkerLane());
  } catch {
    workersUnavailable = true;
    return [];
  }
  return workers.slice(0, count);
}

/** After a worker failed to run at all, later calls use the calling thread only. */
export function disableWorkerLanes(): void {
  workersUnavailable = true;
  terminateWorkerLanes();
}

/** Stops every worker (they are recreated on next use). */
export function terminateWorkerLanes(): void {
  for (const w of workers.splice(0)) w.terminate();
}
