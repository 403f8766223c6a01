/** @module Enqueue files for the workers: one job per file, its id from the content and the options. */
import { resolve } from "node:path";
import type { S3Client } from "bun";
import { fileKind } from "../audio/file-kind.ts";
import { probeAudio } from "../audio/index.ts";
import { probeAudioFilesForOthers } from "../audio/read-audio.ts";
import { AudioFormatError, ConfigError, SenkoError } from "../errors.ts";
import { outputFormat, rttmUri, type OutputFormat } from "../output/writers.ts";
import { DEFAULT_QUEUE, withQueue } from "./connection.ts";
import { encodeJobOptions, hashFile, JOB_OPTIONS, jobId, type JobData, type JobDiarizationOptions } from "./jobs.ts";
import { enrollVoices } from "./job-voices.ts";
import { checkS3Destination, isS3Url, s3Client, statObjects, type S3Config, type S3Identity } from "./s3.ts";

/** The options of `submitFiles`: the queue, where results go, and the options that decide them. */
export interface SubmitOptions {
  /** redis:// URL of the queue's Redis */
  redis: string;
  /** BullMQ queue name (default "senko") */
  queue?: string;
  /** directory for the results, as the workers see it (made absolute here), or s3://bucket/prefix */
  outDir: string;
  /** result files per input (default json) */
  formats?: OutputFormat[];
  /** the options that decide the results; `voices` are made into prints here (clips enrolled with these options), which the jobs carry */
  options?: JobDiarizationOptions;
  /** put jobs that failed before back in the queue (default false: report them) */
  retryFailed?: boolean;
  /** S3 endpoint and credentials for s3:// inputs and outputs (default: the S3_* / AWS_* environment variables) */
  s3?: S3Config;
}

/**
 * What happened to one file: `queued` (a new job), or the state of the job that already had its id
 * (`waiting`, `active`, `done`, `failed` with its message, `retried` with retryFailed).
 */
export interface Submission {
  /** the input, as given */
  file: string;
  /** what became of it (above) */
  state: "queued" | "waiting" | "active" | "done" | "failed" | "retried";
  /** the job's id (from the file's content and the options) */
  jobId: string;
  /** why it failed, for `failed` */
  message?: string;
}

/** A local path made absolute; an s3:// URL as it is. */
function located(file: string): string {
  return isS3Url(file) ? file : resolve(file);
}

/** Inputs named in a refusal, after the first, before "and N more". */
const REFUSAL_NAMES_MAX = 3;

/**
 * Refuses the submission, nothing queued, when a local file is not audio the workers can read (probeAudio's
 * checks: a WAV's chunk headers, or ffmpeg opening another format, unchecked when there is no ffmpeg here). A
 * pipe is refused first, each named: its bytes come once, to this machine. An s3:// object is not downloaded
 * to be checked (checkObjects asks for its identity): a worker fails its job if it is not audio.
 */
async function checkLocalFiles(files: readonly string[]): Promise<void> {
  const local = files.filter((file) => !isS3Url(file));
  const pipes = local.filter((file) => fileKind(file) === "pipe");
  if (pipes.length > 0) {
    const are = pipes.length === 1 ? "is a pipe" : "are pipes";
    throw new AudioFormatError(`${pipes.join(", ")}: ${are} (a FIFO, or <(command)), which a worker on another machine cannot read: save the audio to a file the workers see; nothing was queued`, pipes[0]!);
  }
  const problems = (await probeAudioFilesForOthers(local.map((given) => ({ path: located(given), name: given })))).filter((p) => p !== undefined);
  const [first, ...others] = problems;
  if (first === undefined) return;
  const named = others.slice(0, REFUSAL_NAMES_MAX).map((p) => p.file);
  const more = others.length > named.length ? ` and ${others.length - named.length} more` : "";
  const also = others.length === 0 ? "" : ` (refused too: ${named.join(", ")}${more})`;
  throw new AudioFormatError(`${first.message}; nothing was queued${also}`, first.file, { cause: first });
}

/**
 * The identity (ETag and size) of every s3:// input, from HEAD requests, before anything is queued. Objects that
 * are missing or forbidden refuse the submission in one AudioFormatError naming each, grouped by reason; a
 * failure that is not one object's (no such bucket, bad credentials, an endpoint that cannot be reached) is
 * thrown as it comes.
 */
async function checkObjects(files: readonly string[], s3: S3Client | undefined, config: S3Config | undefined): Promise<Map<string, S3Identity>> {
  const urls = files.filter(isS3Url);
  if (urls.length === 0 || s3 === undefined) return new Map();
  const { identities, problems } = await statObjects(s3, urls, config);
  const byReason = new Map<string, string[]>();
  urls.forEach((url, i) => {
    const message = problems[i]?.message;
    if (message === undefined) return;
    // statObject's messages start with the URL: the rest is the reason, shared by objects refused alike.
    const reason = message.startsWith(`${url}: `) ? message.slice(url.length + 2) : message;
    byReason.set(reason, [...(byReason.get(reason) ?? []), url]);
  });
  const first = problems.find((p) => p !== undefined);
  if (first === undefined) return identities;
  const refusals = [...byReason].map(([reason, refused]) => `${refused.join(", ")}: ${reason}`);
  throw new AudioFormatError(`${refusals.join("; ")}; nothing was queued`, first.file, { cause: first });
}

/**
 * Checks every local file (probeAudio's checks) and asks S3 for each object's ETag and size (a HEAD, no
 * download), makes the voices into prints (enrolling clips loads the models here), reads each local file once
 * (for its hash), then adds one job per file that is not in the queue yet. A file or object that cannot be
 * submitted refuses them all, with an AudioFormatError naming each (a ConfigError for S3 settings), before any
 * is queued.
 */
export async function submitFiles(files: readonly string[], options: SubmitOptions): Promise<Submission[]> {
  const formats = (options.formats ?? ["json"]).map(outputFormat);
  if (formats.length === 0) throw new ConfigError("formats lists no output format");
  const outDir = isS3Url(options.outDir) ? options.outDir.replace(/\/+$/, "") : resolve(options.outDir);
  const s3 = [...files, outDir].some(isS3Url) ? s3Client(options.s3) : undefined;
  if (isS3Url(outDir)) await checkS3Destination(s3!, outDir, options.s3);
  const names = new Map<string, string>();
  for (const file of files) {
    const other = names.get(rttmUri(file));
    if (other !== undefined && located(other) !== located(file)) {
      throw new ConfigError(`${other} and ${file} would both write ${outDir}/${rttmUri(file)}.*: submit them with different --out-dir`);
    }
    names.set(rttmUri(file), file);
  }
  await checkLocalFiles(files);
  const objects = await checkObjects(files, s3, options.s3);
  const { voices, ...diarization } = options.options ?? {};
  const jobOptions = encodeJobOptions(diarization, voices && (await enrollVoices(voices, diarization)));
  const jobs: { given: string; data: JobData }[] = [];
  for (const given of files) {
    const file = located(given);
    const content: Pick<JobData, "sha256" | "object"> = {};
    try {
      if (isS3Url(file)) content.object = objects.get(file)!;
      else content.sha256 = await hashFile(file);
    } catch (error) {
      if (error instanceof SenkoError) throw error;
      throw new AudioFormatError(await unreadable(file, given, error), given, { cause: error });
    }
    jobs.push({ given, data: { file, ...content, outDir, name: rttmUri(file), formats, options: jobOptions } });
  }
  return withQueue(options.redis, options.queue ?? DEFAULT_QUEUE, async (queue) => {
    const submissions: Submission[] = [];
    for (const { given, data } of jobs) {
      const id = jobId(data);
      const state = await queue.getJobState(id);
      if (state === "unknown") {
        await queue.add("diarize", data, { ...JOB_OPTIONS, jobId: id });
        submissions.push({ file: given, state: "queued", jobId: id });
      } else if (state === "completed") {
        submissions.push({ file: given, state: "done", jobId: id });
      } else if (state === "failed") {
        const job = await queue.getJob(id);
        if (options.retryFailed && job) {
          await job.retry("failed");
          submissions.push({ file: given, state: "retried", jobId: id });
        } else {
          submissions.push({ file: given, state: "failed", jobId: id, message: job?.failedReason });
        }
      } else {
        submissions.push({ file: given, state: state === "active" ? "active" : "waiting", jobId: id });
      }
    }
    return submissions;
  });
}

/** The reason a file that passed its check cannot be read to hash it (it changed since), worded as readAudio words it. */
async function unreadable(file: string, given: string, error: unknown): Promise<string> {
  try {
    await probeAudio(file, { name: given });
  } catch (probeError) {
    if (probeError instanceof SenkoError) return probeError.message;
  }
  return `${given}: cannot be read: ${error instanceof Error ? error.message : String(error)}`;
}
