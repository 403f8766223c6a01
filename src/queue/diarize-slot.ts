/**
 * @module A queue worker's job slot: a thread (diarize-thread.ts) that diarizes one job at a time, so
 * the main thread stays free to renew the job's lock in Redis however long the native work takes.
 */
import type { DiarizationResult, DiarizerOptions, Progress } from "../diarizer.ts";
import { libraryPath } from "../ffi.ts";

let threadUrl = new URL("./diarize-thread.ts", import.meta.url).href;

/** Where the thread's entry module is; the compiled executable, which moves modules, names its place. */
export function setDiarizeThreadUrl(url: string): void {
  threadUrl = url;
}

/** Options a thread can receive (no callbacks). */
export type SlotOptions = Omit<DiarizerOptions, "onProgress">;

export type SlotRequest =
  | { kind: "init"; libraryPath: string | undefined }
  | { kind: "diarize"; id: number; file: string; name: string; options: SlotOptions }
  | { kind: "close" };

export type SlotReply =
  | { kind: "progress"; id: number; progress: Progress }
  | { kind: "result"; id: number; result: DiarizationResult }
  | { kind: "error"; id: number; name: string; message: string; userError: boolean }
  | { kind: "closed" };

/** How long `close` waits for the thread to release its models before ending it anyway. */
const CLOSE_WAIT_MS = 10_000;

/** A failure inside the thread, with the name of the error thrown there. */
export class SlotError extends Error {
  constructor(
    override readonly name: string,
    message: string,
    /** a bad input or option (AudioFormatError, ConfigError, ...): the same on any worker */
    readonly userError: boolean,
  ) {
    super(message);
  }
}

export class DiarizeSlot {
  /** undefined once the thread has died (an uncaught error ends it): the next job starts a new one */
  #thread: Worker | undefined;
  #job: { id: number; resolve: (r: DiarizationResult) => void; reject: (e: Error) => void; onProgress: (p: Progress) => void } | undefined;
  #nextId = 1;
  #closed: (() => void) | undefined;

  constructor() {
    this.#thread = this.#start();
  }

  #start(): Worker {
    const thread = new Worker(threadUrl);
    thread.unref();
    let path: string | undefined;
    try {
      // The thread loads the library this thread found (the executable sets its path in code, not in the environment).
      path = libraryPath();
    } catch {
      // not found: the thread's own search fails the job with the same message
    }
    thread.postMessage({ kind: "init", libraryPath: path } satisfies SlotRequest);
    thread.onmessage = (event: MessageEvent<SlotReply>) => {
      const message = event.data;
      if (message.kind === "closed") return this.#closed?.();
      const job = this.#job;
      if (!job || job.id !== message.id) return;
      if (message.kind === "progress") return job.onProgress(message.progress);
      this.#job = undefined;
      if (message.kind === "result") job.resolve(message.result);
      else job.reject(new SlotError(message.name, message.message, message.userError));
    };
    thread.onerror = (event) => {
      // The thread has ended: a message to it would never be answered.
      thread.terminate();
      if (this.#thread === thread) this.#thread = undefined;
      const job = this.#job;
      this.#job = undefined;
      job?.reject(new Error(`diarization thread failed: ${event.message}`));
    };
    return thread;
  }

  /** Diarizes `file` in the thread, naming it `name` in messages (default the path); one job at a time. */
  diarize(file: string, options: SlotOptions, onProgress: (p: Progress) => void, name = file): Promise<DiarizationResult> {
    if (this.#job) throw new Error("a DiarizeSlot runs one job at a time");
    const thread = (this.#thread ??= this.#start());
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      this.#job = { id, resolve, reject, onProgress };
      thread.postMessage({ kind: "diarize", id, file, name, options } satisfies SlotRequest);
    });
  }

  /** Closes the thread's Diarizer (its sessions, lanes and native threads), then ends the thread. */
  async close(): Promise<void> {
    const thread = this.#thread;
    if (!thread) return;
    const closed = new Promise<void>((resolve) => (this.#closed = resolve));
    thread.postMessage({ kind: "close" } satisfies SlotRequest);
    // A thread stuck in native code is ended all the same.
    let timer: Timer | undefined;
    await Promise.race([closed, new Promise<void>((resolve) => (timer = setTimeout(resolve, CLOSE_WAIT_MS)))]);
    clearTimeout(timer);
    thread.terminate();
  }
}
