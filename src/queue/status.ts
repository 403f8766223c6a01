/** @module What the queue holds: counts per state, each active job's stage and progress, recent failures and results. */
import type { Job } from "bullmq";
import { ConfigError } from "../errors.ts";
import { DEFAULT_QUEUE, withQueue } from "./connection.ts";
import type { JobData, JobProgress, JobResult } from "./jobs.ts";

/** A queue's state (`queueStatus`): job counts, workers, and the jobs running, failed and done. */
export interface QueueStatus {
  /** jobs in each state */
  counts: { waiting: number; active: number; done: number; failed: number };
  /** workers connected now (by their BullMQ connection name) */
  workers: number;
  /** the jobs running: who runs them, their stage and progress, and for how many seconds */
  active: { jobId: string; file: string; worker: string | undefined; stage: string | undefined; done: number; total: number; runningSec: number }[];
  /** the most recent failures first */
  failed: { jobId: string; file: string; message: string; attempts: number }[];
  /** the most recent results first */
  done: { jobId: string; file: string; outputs: string[]; speakers: number | undefined; finishedAt: string | undefined }[];
}

export interface StatusOptions {
  redis: string;
  queue?: string;
  /** how many failed and done jobs to list (default 20 each; counts are always complete) */
  limit?: number;
}

export async function queueStatus(options: StatusOptions): Promise<QueueStatus> {
  const limit = options.limit ?? 20;
  if (!(Number.isSafeInteger(limit) && limit >= 0)) throw new ConfigError(`limit must be a whole number of at least 0, got ${limit}`);
  return withQueue(options.redis, options.queue ?? DEFAULT_QUEUE, async (queue) => {
    const counts = await queue.getJobCounts("waiting", "prioritized", "delayed", "active", "completed", "failed");
    const [active, failed, done, workers] = await Promise.all([
      queue.getActive(0, 999) as Promise<Job<JobData, JobResult>[]>,
      // BullMQ reads an end of -1 as "to the last": no range at all for a limit of 0.
      (limit > 0 ? queue.getFailed(0, limit - 1) : []) as Promise<Job<JobData, JobResult>[]>,
      (limit > 0 ? queue.getCompleted(0, limit - 1) : []) as Promise<Job<JobData, JobResult>[]>,
      queue.getWorkersCount(),
    ]);
    const now = Date.now();
    return {
      counts: {
        waiting: (counts.waiting ?? 0) + (counts.prioritized ?? 0) + (counts.delayed ?? 0),
        active: counts.active ?? 0,
        done: counts.completed ?? 0,
        failed: counts.failed ?? 0,
      },
      workers,
      active: active.filter(Boolean).map((job) => {
        const progress = (typeof job.progress === "object" ? job.progress : undefined) as JobProgress | undefined;
        return {
          jobId: job.id!,
          file: job.data.file,
          worker: job.processedBy,
          stage: progress?.stage,
          done: progress?.done ?? 0,
          total: progress?.total ?? 0,
          runningSec: job.processedOn ? (now - job.processedOn) / 1000 : 0,
        };
      }),
      failed: failed.filter(Boolean).map((job) => ({ jobId: job.id!, file: job.data.file, message: job.failedReason, attempts: job.attemptsMade })),
      done: done.filter(Boolean).map((job) => ({
        jobId: job.id!,
        file: job.data.file,
        outputs: job.returnvalue?.outputs ?? [],
        speakers: job.returnvalue?.result?.mergedSpeakersDetected as number | undefined,
        finishedAt: job.finishedOn ? new Date(job.finishedOn).toISOString() : undefined,
      })),
    };
  });
}

/** The status as lines for a terminal. */
export function formatStatus(status: QueueStatus): string {
  const { counts } = status;
  const lines = [`waiting ${counts.waiting}  active ${counts.active}  done ${counts.done}  failed ${counts.failed}  (workers ${status.workers})`];
  if (status.active.length > 0) lines.push("active:");
  for (const job of status.active) {
    const stage = job.stage === undefined ? "starting" : job.total > 0 ? `${job.stage} ${Math.round((100 * job.done) / job.total)}%` : job.stage;
    lines.push(`  ${job.file}  ${stage}  ${job.runningSec.toFixed(0)} s  on ${job.worker ?? "?"}`);
  }
  if (status.failed.length > 0) lines.push(`failed (latest ${status.failed.length}):`);
  for (const job of status.failed) lines.push(`  ${job.message.startsWith(job.file) ? "" : `${job.file}: `}${job.message}`);
  if (status.done.length > 0) lines.push(`done (latest ${status.done.length}):`);
  for (const job of status.done) lines.push(`  ${job.file} -> ${job.outputs.join(", ")}${job.speakers === undefined ? "" : `  (${job.speakers} speaker${job.speakers === 1 ? "" : "s"})`}`);
  return `${lines.join("\n")}\n`;
}
