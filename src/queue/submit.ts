/** @module Enqueue files for the workers: one job per file, its id from the content and the options. */
import { resolve } from "node:path";
import { probeAudio } from "../audio/index.ts";
import { ConfigError, SenkoError } from "../errors.ts";
import { outputFormat, rttmUri, type OutputFormat } from "../output/writers.ts";
import { DEFAULT_QUEUE, withQueue } from "./connection.ts";
import { encodeJobOptions, hashFile, JOB_OPTIONS, jobId, type JobData, type JobDiarizationOptions } from "./jobs.ts";
import { enrollVoices } from "./job-voices.ts";
import { checkS3Destination, isS3Url, s3Client, statObject, type S3Config } from "./s3.ts";

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
 * (`waiting`, `active`, `done`, `failed` with its message, `retried` with retryFailed), or `error` when
 * the file could not be read to hash it.
 */
export interface Submission {
  /** the input, as given */
  file: string;
  /** what became of it (above) */
  state: "queued" | "waiting" | "active" | "done" | "failed" | "retried" | "error";
  /** the job's id (from the file's content and the options), unless the file could not be read */
  jobId?: string;
  /** why it failed, for `failed` and `error` */
  message?: string;
}

/** A local path made absolute; an s3:// URL as it is. */
function located(file: string): string {
  return isS3Url(file) ? file : resolve(file);
}

/**
 * Makes the voices into prints (enrolling clips loads the models here), reads each local file once (for its
 * hash), asks S3 for each object's ETag and size (a HEAD, no download), and adds one job per file that is not
 * in the queue yet.
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
  const { voices, ...diarization } = options.options ?? {};
  const jobOptions = encodeJobOptions(diarization, voices && (await enrollVoices(voices, diarization)));
  return withQueue(options.redis, options.queue ?? DEFAULT_QUEUE, async (queue) => {
    const submissions: Submission[] = [];
    for (const given of files) {
      const file = located(given);
      const content: Pick<JobData, "sha256" | "object"> = {};
      try {
        if (isS3Url(file)) content.object = await statObject(s3!, file, options.s3);
        else content.sha256 = await hashFile(file);
      } catch (error) {
        const message = error instanceof SenkoError ? error.message : await unreadable(file, given, error);
        submissions.push({ file: given, state: "error", message });
        continue;
      }
      const data: JobData = { file, ...content, outDir, name: rttmUri(file), formats, options: jobOptions };
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

/** The reason a file cannot be read, worded as readAudio words it. */
async function unreadable(file: string, given: string, error: unknown): Promise<string> {
  try {
    await probeAudio(file, { name: given });
  } catch (probeError) {
    if (probeError instanceof SenkoError) return probeError.message;
  }
  return `${given}: cannot be read: ${error instanceof Error ? error.message : String(error)}`;
}
