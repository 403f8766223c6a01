/**
 * @module A queue worker: takes diarization jobs from Redis and runs them with models loaded once.
 * Each concurrent job runs in its own slot, a thread with its own Diarizer (models stay loaded between
 * jobs with the same options), while this thread renews the jobs' locks. A worker that dies mid-job
 * loses its lock; after `lockTimeoutSec` another worker takes the job over.
 */
import { readdirSync, rmSync, statSync } from "node:fs";
import { hostname } from "node:os";
import { basename, join } from "node:path";
import { UnrecoverableError, Worker, type Job } from "bullmq";
import type { Redis } from "ioredis";
import type { DiarizationResult, Progress } from "../diarizer.ts";
import { AudioFormatError, ConfigError, isUserError } from "../errors.ts";
import type { Device } from "../models/index.ts";
import { EMBED_AUDIO_MAX_BYTES } from "../output/html.ts";
import { checkOutputDir, formatResult, makeOutputDir, OUTPUT_FORMATS, toJson, writeFilesAtomic, type FormatContext } from "../output/writers.ts";
import { checkRedisAnswers, DEFAULT_QUEUE, persistenceWarning, untilReady, workerConnection } from "./connection.ts";
import { redactUrl, redisErrorLine } from "./redis-errors.ts";
import { DiarizeSlot, SlotError } from "./diarize-slot.ts";
import { decodeJobOptions, hashFile, jobId, type JobData, type JobProgress, type JobResult } from "./jobs.ts";
import { downloadObject, isS3Url, putObject, removeOrphanedDownloads, s3Client, s3Join, type LocalCopy, type S3Config } from "./s3.ts";

/** The options of `startWorker`: the queue, how many jobs at once, and the Diarizers' threads and models. */
export interface WorkerOptions {
  /** redis:// URL of the queue's Redis */
  redis: string;
  /** BullMQ queue name (default "senko") */
  queue?: string;
  /** jobs at once in this process, each in its own thread with its own Diarizer (default 1) */
  concurrency?: number;
  /** threads of each Diarizer (0 or undefined: one per CPU) */
  threads?: number;
  /** where each Diarizer's models run (default "auto") */
  device?: Device;
  /** a directory holding the model files (default: SENKO_MODELS_DIR, then the cache) */
  modelsDir?: string;
  /**
   * seconds without a sign of life after which a job is given to another worker (default 30); it must
   * exceed the longest pause of this process's event loop, or a job would run twice
   */
  lockTimeoutSec?: number;
  /** the name jobs record as `processedBy` (default host:pid) */
  name?: string;
  /** S3 endpoint and credentials for s3:// inputs and outputs (default: the S3_* / AWS_* environment variables) */
  s3?: S3Config;
  /** what happens, for logs */
  onEvent?: (event: WorkerEvent) => void;
}

/** What a worker reports through `onEvent`: a job started, done or failed, a stalled job, a Redis problem. */
export type WorkerEvent =
  | { kind: "started"; jobId: string; file: string; attempt: number }
  | { kind: "done"; jobId: string; file: string; speakers: number; audioSec: number; seconds: number }
  | { kind: "failed"; jobId: string; file: string; message: string; willRetry: boolean }
  | { kind: "stalled"; jobId: string }
  | { kind: "redis"; message: string };

/** A running worker (`startWorker`). */
export interface QueueWorker {
  /** the name its jobs record as `processedBy` */
  readonly name: string;
  /**
   * stops taking jobs, lets the running ones finish and waits for Redis to record them while their locks
   * may hold (a lock not renewed for the lock timeout is lost: that job is another worker's), then disconnects
   */
  close(): Promise<void>;
}

/** Progress to Redis at most once a second and at each new stage: a round trip each. */
const PROGRESS_INTERVAL_MS = 1000;
/** How often close() looks whether Redis has recorded the last jobs. */
const CLOSE_POLL_MS = 50;
/** Each distinct error is logged at most this often (a Redis that is away repeats its connection error). */
const REDIS_LOG_INTERVAL_MS = 10_000;

/**
 * Starts taking jobs. A Redis that cannot be reached now, refuses the password or does not answer within
 * 5 s is a QueueError (a wrong URL is not waited on); once started, the worker waits through Redis restarts.
 */
export async function startWorker(options: WorkerOptions): Promise<QueueWorker> {
  const concurrency = options.concurrency ?? 1;
  if (!(Number.isInteger(concurrency) && concurrency >= 1)) throw new ConfigError(`concurrency must be a whole number of at least 1, got ${concurrency}`);
  const lockMs = Math.round((options.lockTimeoutSec ?? 30) * 1000);
  if (!(lockMs >= 1000)) throw new ConfigError(`the lock timeout must be at least 1 second, got ${options.lockTimeoutSec}`);
  const name = options.name ?? `${hostname()}:${process.pid}`;
  const emit = options.onEvent ?? (() => {});
  await checkRedisAnswers(options.redis);
  const slots = Array.from({ length: concurrency }, () => new DiarizeSlot());
  const idle = [...slots];
  const machine = { device: options.device, threads: options.threads, modelsDir: options.modelsDir };
  const storage: Storage = { config: options.s3 ?? {} };
  const queueName = options.queue ?? DEFAULT_QUEUE;
  const startedAt = new Map<string, number>();
  /**
   * Jobs started here whose outcome Redis has not recorded yet, with the latest time (performance.now())
   * their lock can hold in Redis: the lock's timeout after it was last set (by a reply received before then).
   */
  const unrecorded = new Map<string, number>();
  const run = async (job: Job<JobData, JobResult>): Promise<JobResult> => {
    const slot = idle.pop();
    if (slot === undefined) throw new Error(`worker ${name}: more jobs than its concurrency (${concurrency})`);
    startedAt.set(job.id!, performance.now());
    unrecorded.set(job.id!, performance.now() + lockMs);
    emit({ kind: "started", jobId: job.id!, file: job.data.file, attempt: job.attemptsStarted });
    const progress = progressSender(job);
    let input: LocalCopy | undefined;
    try {
      await checkJob(job);
      const options = decodeJobOptions(job.data.options);
      input = await localInput(job.data, storage, progress);
      const result = await slot.diarize(input.path, { ...options, ...machine }, progress, job.data.file);
      const outputs = await writeOutputs(job, result, input.path, storage);
      return { file: job.data.file, outputs, result: JSON.parse(toJson(result, job.data.file)) };
    } catch (error) {
      // A bad input or option fails the same way everywhere: fail the job now, with the message.
      const userError = isUserError(error) || (error instanceof SlotError && error.userError);
      throw userError ? new UnrecoverableError((error as Error).message) : error;
    } finally {
      input?.remove();
      idle.push(slot);
    }
  };

  let starting = true;
  const worker = new Worker<JobData, JobResult>(queueName, run, {
    connection: workerConnection(options.redis, () => starting),
    // Takes jobs once Redis is known to be there (below).
    autorun: false,
    name,
    concurrency,
    lockDuration: lockMs,
    // Checks are cheap (one script call, one worker per interval does the work); a dead worker's job
    // is back in the queue within lockDuration + 2 intervals.
    stalledInterval: Math.min(lockMs, 5000),
    // A job whose worker died twice (e.g. a file that exhausts memory) fails instead of killing a third.
    maxStalledCount: 2,
  });
  // Reported once Redis has recorded the outcome: a worker that lost its lock does not say "done".
  const seconds = (job: Job) => (performance.now() - (startedAt.get(job.id!) ?? performance.now())) / 1000;
  worker.on("completed", (job, value) => {
    const result = value.result as { mergedSpeakersDetected: number; durationSec: number };
    emit({ kind: "done", jobId: job.id!, file: job.data.file, speakers: result.mergedSpeakersDetected, audioSec: result.durationSec, seconds: seconds(job) });
    startedAt.delete(job.id!);
    unrecorded.delete(job.id!);
  });
  worker.on("locksRenewed", ({ jobIds }) => {
    const until = performance.now() + lockMs;
    for (const id of jobIds) if (unrecorded.has(id)) unrecorded.set(id, until);
  });
  // Redis says the lock is not this worker's any more: the job is another worker's.
  worker.on("lockRenewalFailed", (jobIds) => {
    for (const id of jobIds) if (unrecorded.has(id)) unrecorded.set(id, -Infinity);
  });
  worker.on("stalled", (jobId) => emit({ kind: "stalled", jobId }));
  worker.on("failed", (job, error) => {
    if (job === undefined) return;
    const willRetry = !(error instanceof UnrecoverableError) && job.attemptsMade < (job.opts.attempts ?? 1);
    emit({ kind: "failed", jobId: job.id!, file: job.data.file, message: error.message, willRetry });
    startedAt.delete(job.id!);
    unrecorded.delete(job.id!);
  });
  // Throttled per message, so that a repeated error does not hide another one.
  const loggedAt = new Map<string, number>();
  worker.on("error", (error) => {
    // Until started, the last error is the one startWorker throws.
    if (starting) return;
    const now = performance.now();
    for (const [message, at] of loggedAt) if (now - at >= REDIS_LOG_INTERVAL_MS) loggedAt.delete(message);
    if (loggedAt.has(error.message)) return;
    loggedAt.set(error.message, now);
    emit({ kind: "redis", message: redisErrorLine(options.redis, error.message) });
  });
  // Connected (close() must not wait on a connection still being set up when Redis stops answering). Redis
  // may go between any two steps here: each is bounded, and a start that fails leaves no connection behind.
  try {
    await untilReady(worker, options.redis);
  } catch (error) {
    await worker.close(true).catch(() => {});
    await Promise.all(slots.map((slot) => slot.close()));
    throw error;
  }
  starting = false;
  const client = await worker.backend.client;
  const clients = [client, await worker.backend.blockingClient];
  // Made from connection options, BullMQ's client is ioredis (behind an adapter that passes its commands on).
  const warning = await persistenceWarning(client as unknown as Redis);
  if (warning !== undefined) emit({ kind: "redis", message: `Redis at ${redactUrl(options.redis)} ${warning}` });
  // Downloads of this machine's workers that were killed mid-job.
  removeOrphanedDownloads();
  worker.run().catch((error) => worker.emit("error", error));

  return {
    name,
    async close() {
      // No new jobs. BullMQ runs those it has taken from the queue (one on its way here too), Redis records
      // them, and its loop ends; but with Redis away that would never be: stop then once no job runs here
      // and Redis could record none (a job whose lock is lost is another worker's, which runs it again).
      // A Redis connection that looks up but does not answer is waited on for the lock timeout.
      let drained = false;
      worker.pause().then(
        () => (drained = true),
        () => (drained = true),
      );
      const giveUpAt = performance.now() + lockMs;
      const mayRecord = () => [...unrecorded.values()].some((until) => performance.now() < until);
      const redisAway = () => client.status !== "ready" || performance.now() > giveUpAt;
      while (!drained && !(idle.length === slots.length && !mayRecord() && redisAway())) await Bun.sleep(CLOSE_POLL_MS);
      if (unrecorded.size > 0) {
        emit({ kind: "redis", message: `Redis at ${redactUrl(options.redis)} did not record the end of ${[...unrecorded.keys()].join(", ")}: another worker will run it again` });
      }
      // Closed, its connections stay closed: BullMQ reconnects the blocking one once pause() has seen the
      // running jobs end, even after close(); to a Redis that stopped answering, that connection would
      // never be ready and would hold the process for ever (to one that is gone, reconnect for ever).
      for (const each of clients) each?.on("connecting", () => each.disconnect());
      await worker.close(true);
      await Promise.all(slots.map((slot) => slot.close()));
    },
  };
}

/** The worker's S3 settings, and its client once a job needs one. */
interface Storage {
  config: S3Config;
  client?: Bun.S3Client;
}

function clientOf(storage: Storage): Bun.S3Client {
  return (storage.client ??= s3Client(storage.config));
}

/**
 * Refuses a job whose data does not match its id, whose local output directory cannot be made or written
 * (before any work, as the CLI does), or whose local file changed since it was submitted (an S3 object's ETag
 * and size are checked as it is downloaded).
 */
async function checkJob(job: Job<JobData, JobResult>): Promise<void> {
  const { file, sha256, outDir } = job.data;
  if (jobId(job.data) !== job.id) throw new ConfigError(`job ${job.id}: its data does not match its id (not submitted by senko?)`);
  if (!isS3Url(outDir)) checkOutputDir(outDir);
  if (isS3Url(file)) return;
  let actual: string | undefined;
  try {
    actual = await hashFile(file);
  } catch {
    // unreadable: readAudio below says why, in its words
  }
  if (actual !== undefined && actual !== sha256) throw new AudioFormatError(`${file}: the file changed after it was submitted; submit it again`, file);
}

/** The job's input as a local file: the shared path itself, or an S3 object downloaded to the job's temp directory. */
async function localInput(data: JobData, storage: Storage, report: (progress: JobProgress) => void): Promise<LocalCopy> {
  if (!isS3Url(data.file)) return { path: data.file, remove() {} };
  if (data.object === undefined) throw new ConfigError(`${data.file}: the job has no ETag and size (not submitted by senko?)`);
  return downloadObject(clientOf(storage), data.file, data.object, storage.config, (done, total) => report({ stage: "download", done, total }));
}

/**
 * Writes each format atomically: a local file through a rename (a retried job first removes temporary
 * files a killed attempt left), an S3 object in one PUT.
 */
async function writeOutputs(job: Job<JobData, JobResult>, result: DiarizationResult, localPath: string, storage: Storage): Promise<string[]> {
  const { outDir, name, formats, file } = job.data;
  // html pages link the audio relative to where they are written; across S3 they can only embed it.
  const remote = isS3Url(file) || isS3Url(outDir);
  const audio = !remote ? { path: file } : formats.includes("html") && statSync(localPath).size <= EMBED_AUDIO_MAX_BYTES ? { path: localPath } : undefined;
  const text = (format: JobData["formats"][number], path: string) => formatResult(result, format, file, { audio, outFile: path } satisfies FormatContext);
  if (isS3Url(outDir)) {
    const targets = formats.map((format) => ({ format, url: s3Join(outDir, `${name}.${OUTPUT_FORMATS[format]}`) }));
    for (const { format, url } of targets) await putObject(clientOf(storage), url, text(format, url), contentType(url), storage.config);
    return targets.map(({ url }) => url);
  }
  makeOutputDir(outDir);
  const targets = formats.map((format) => ({ format, path: join(outDir, `${name}.${OUTPUT_FORMATS[format]}`) }));
  if (job.attemptsStarted > 1) {
    const prefixes = targets.map(({ path }) => `${path.slice(outDir.length + 1)}.`);
    for (const entry of readdirSync(outDir)) {
      if (entry.endsWith(".tmp") && prefixes.some((p) => entry.startsWith(p))) rmSync(join(outDir, entry), { force: true });
    }
  }
  writeFilesAtomic(targets.map(({ format, path }) => ({ path, text: text(format, path) })));
  return targets.map(({ path }) => path);
}

/** The Content-Type of a result by its extension; every result is text (rttm is unknown to MIME tables). */
function contentType(url: string): string {
  const type = Bun.file(basename(url)).type;
  return type === "application/octet-stream" ? "text/plain;charset=utf-8" : type;
}

/**
 * Sends a job's progress without waiting for Redis (which may be away: the job goes on); the updates
 * travel on the connection that later records the job's end, so they arrive before it.
 */
function progressSender(job: Job<JobData, JobResult>): (progress: Progress | JobProgress) => void {
  let last: JobProgress | undefined;
  let lastAt = -Infinity;
  return (progress) => {
    const now = performance.now();
    if (last?.stage === progress.stage && now - lastAt < PROGRESS_INTERVAL_MS) return;
    last = { stage: progress.stage, done: progress.done, total: progress.total };
    lastAt = now;
    job.updateProgress({ ...last }).catch(() => {});
  };
}
