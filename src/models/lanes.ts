/**
 * @module Inference lanes: the calling thread plus worker threads, each with its own onnxruntime
 * sessions. onnxruntime-node's `session.run` runs synchronously on the JS thread that calls it (two
 * concurrent runs in one thread take turns), so independent work, such as Silero over separate stretches
 * or CAM++ batches, only uses a second core from a second thread. Lane 0 is always the calling thread;
 * the workers belong to a ComputeContext, which starts them on first use and stops them on close().
 * An idle worker does not keep the process alive.
 */
import type { StopFlag } from "../abort.ts";
import { ModelLoadError } from "../errors.ts";
import type { SessionOptions } from "./session.ts";

let workerUrl = new URL("./inference-worker.ts", import.meta.url).href;

/**
 * Where the worker's entry module is. Bundled code (the compiled executable) moves this module, so the
 * bundle's entry point names the worker's place in it.
 */
export function setInferenceWorkerUrl(url: string): void {
  workerUrl = url;
}

/** The first message a worker gets: where its models come from and run (as its context's). */
export type LaneInit = { kind: "init"; options: SessionOptions };

/** `stopped`: the flag of the batch loops a request belongs to (src/abort.ts); once raised, the worker drops the request if it has not started it. */
export type LaneRequest =
  | { id: number; kind: "silero"; stretches: Float32Array[] }
  | { id: number; kind: "campplus"; features: Float32Array; batch: number; frames: number; threads: number; stopped?: StopFlag }
  /** pyannote segmentation-3.0 of chunks of at most 10 s: one 589 x 7 log-probability array per chunk */
  | { id: number; kind: "segmentation"; chunks: Float32Array[]; threads: number; stopped?: StopFlag }
  /** releases the worker's sessions; the lane is terminated after the answer */
  | { id: number; kind: "close" };

export type LaneReply = { id: number; ok: true; result: Float32Array[] } | { id: number; ok: false; error: string } | { id: number; ok: false; dropped: true };

type Pending = { resolve: (result: Float32Array[]) => void; reject: (error: Error) => void };

/** One worker thread; requests are answered in order, one at a time. */
export class WorkerLane {
  readonly #worker: Worker;
  readonly #pending = new Map<number, Pending>();
  #nextId = 0;
  #failed: Error | undefined;

  constructor(options: SessionOptions) {
    this.#worker = new Worker(workerUrl);
    this.#worker.unref();
    this.#worker.onmessage = (event: MessageEvent<LaneReply>) => {
      const reply = event.data;
      const pending = this.#pending.get(reply.id);
      if (!pending) return;
      this.#pending.delete(reply.id);
      if (this.#pending.size === 0) this.#worker.unref();
      if (reply.ok) pending.resolve(reply.result);
      // Only after its loops have stopped for another failure, which is the one their caller sees.
      else if ("dropped" in reply) pending.reject(new Error("inference request dropped: its batch loops had stopped"));
      else pending.reject(new ModelLoadError(`inference worker: ${reply.error}`, "lanes"));
    };
    this.#worker.onerror = (event: ErrorEvent) => this.#fail(new ModelLoadError(`inference worker failed: ${event.message}`, "lanes"));
    this.#worker.postMessage({ kind: "init", options } satisfies LaneInit);
  }

  #fail(error: Error): void {
    this.#failed ??= error;
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

  /** Lets the worker release its sessions, then stops it (a failed worker is only stopped). */
  async close(): Promise<void> {
    if (!this.#failed) await this.request({ kind: "close" }).catch(() => undefined);
    this.#fail(new ModelLoadError("inference worker was closed", "lanes"));
  }
}

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
