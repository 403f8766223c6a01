/**
 * @module The job queue from TypeScript: enqueue files, run a worker, read the queue's state.
 * BullMQ and its Redis client load on the first call, so `import "senko"` does not pay for them.
 */
import type { QueueStatus, StatusOptions } from "./status.ts";
import type { SubmitOptions, Submission } from "./submit.ts";
import type { QueueWorker, WorkerOptions } from "./worker.ts";

export type { JobData, JobDiarizationOptions, JobOptionsData, JobProgress, JobResult } from "./jobs.ts";
export type { QueueStatus, StatusOptions } from "./status.ts";
export type { SubmitOptions, Submission } from "./submit.ts";
export type { QueueWorker, WorkerEvent, WorkerOptions } from "./worker.ts";

/** One job per file, unless a job for the same bytes, options and destination exists (see Submission). */
export async function submitFiles(files: readonly string[], options: SubmitOptions): Promise<Submission[]> {
  return (await import("./submit.ts")).submitFiles(files, options);
}

/**
 * Starts taking jobs (a Redis that cannot be reached now is a QueueError; once started, the worker waits
 * through Redis restarts); `close()` lets running jobs finish.
 */
export async function startWorker(options: WorkerOptions): Promise<QueueWorker> {
  return (await import("./worker.ts")).startWorker(options);
}

/** Counts per state, each active job's stage and progress, the latest failures and results. */
export async function queueStatus(options: StatusOptions): Promise<QueueStatus> {
  return (await import("./status.ts")).queueStatus(options);
}
