/** @module What a queued diarization job holds and returns, and how its id is made. */
import type { JobsOptions } from "bullmq";
import type { DiarizerOptions } from "../diarizer.ts";
import { ConfigError } from "../errors.ts";
import type { OutputFormat } from "../output/writers.ts";
import type { VoicePrint } from "../voices/voice-print.ts";
import type { S3Identity } from "./s3.ts";

/**
 * The options of a job that change its result (those of `senko <audio>`); the worker's machine decides device and
 * threads. `voices` are made into prints at submit (./job-voices.ts).
 */
export type JobDiarizationOptions = Pick<
  DiarizerOptions,
  "pipeline" | "vad" | "numSpeakers" | "minSpeakers" | "maxSpeakers" | "minClusterSpeechSec" | "clusterMethod" | "mergeCosine" | "windows" | "colors" | "voices" | "voiceThreshold"
>;

/**
 * JobDiarizationOptions as a job carries them in JSON, which writes Infinity as null: minClusterSpeechSec off
 * (Infinity) is "off", as on the command line; voices are prints, their vectors arrays.
 */
export type JobOptionsData = Omit<JobDiarizationOptions, "minClusterSpeechSec" | "voices"> & { minClusterSpeechSec?: number | "off"; voices?: Record<string, JobVoiceData> };

/** A voice print as a job carries it: its vector as a plain array of the Float32 values, exactly. */
export type JobVoiceData = Omit<VoicePrint, "vector"> & { vector: number[] };

/** The voices of a job as the Diarizer takes them (which checks them); a ConfigError for what is no print. */
function jobVoices(data: unknown): Record<string, VoicePrint> {
  if (typeof data !== "object" || data === null || Array.isArray(data)) throw new ConfigError(`the job's voices must be an object of voice prints, got ${JSON.stringify(data)}`);
  return Object.fromEntries(
    Object.entries(data).map(([name, print]: [string, Partial<JobVoiceData>]) => {
      if (typeof print !== "object" || print === null || typeof print.model !== "string" || !Array.isArray(print.vector)) {
        throw new ConfigError(`the job's voice ${name} is not a voice print (a "model" and a "vector" array)`);
      }
      return [name, { ...print, vector: Float32Array.from(print.vector) } as VoicePrint];
    }),
  );
}

/** The options as a job carries them, `voices` the prints `enrollVoices` made of them. */
export function encodeJobOptions(options: Omit<JobDiarizationOptions, "voices">, voices?: Record<string, JobVoiceData>): JobOptionsData {
  const data: JobOptionsData = { ...options, voices };
  return options.minClusterSpeechSec === Infinity ? { ...data, minClusterSpeechSec: "off" } : data;
}

/** A job's options for its Diarizer; a ConfigError (the job fails, not retried) for a value no encoding gives. */
export function decodeJobOptions(data: JobOptionsData): JobDiarizationOptions {
  const { minClusterSpeechSec: speech, voices, ...others }: Record<string, unknown> = data;
  // A number is the Diarizer's to check, like every other option.
  if (!(speech === undefined || speech === "off" || typeof speech === "number")) {
    throw new ConfigError(`the job's minClusterSpeechSec must be a number of seconds or "off", got ${JSON.stringify(speech)}`);
  }
  return {
    ...(others as JobDiarizationOptions),
    ...(speech === undefined ? {} : { minClusterSpeechSec: speech === "off" ? Infinity : (speech as number) }),
    ...(voices === undefined ? {} : { voices: jobVoices(voices) }),
  };
}

export interface JobData {
  /** absolute path every worker can read (a shared file system mounted at the same place), or an s3:// URL */
  file: string;
  /** a local file's SHA-256 when it was submitted; a worker refuses a file that changed since */
  sha256?: string;
  /** an S3 object's ETag and size when it was submitted (from a HEAD: not read); a worker refuses one that changed since */
  object?: S3Identity;
  /** absolute directory the results go to, as `<outDir>/<name>.<ext>`, or an s3://bucket/prefix */
  outDir: string;
  /** base name of the result files (the input's name without extension) */
  name: string;
  formats: OutputFormat[];
  options: JobOptionsData;
}

/** What a finished queue job returns (BullMQ's `job.returnvalue`). */
export interface JobResult {
  /** the input, as submitted */
  file: string;
  /** the files written */
  outputs: string[];
  /** the diarization result as `--out x.json` writes it (centroids as arrays) */
  result: Record<string, unknown>;
}

/** What a running job reports, throttled, as its BullMQ progress. */
export interface JobProgress {
  stage: string;
  done: number;
  total: number;
}

/** How BullMQ keeps and retries a job. */
export const JOB_OPTIONS: JobsOptions = {
  // Completed and failed jobs stay, so that a resubmission finds them (deduplication) and results stay readable.
  removeOnComplete: false,
  removeOnFail: false,
  // Worker-side failures (a model that did not load, a native error) are retried on any worker; user
  // errors are not (they throw UnrecoverableError).
  attempts: 3,
  backoff: { type: "exponential", delay: 5000 },
};

/** Keys sorted, undefined values dropped: equal options give equal text. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(",")}]`;
  if (value !== null && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(",")}}`;
  }
  return JSON.stringify(value);
}

/**
 * The job id: a hash of the file's content, the options and where the results go. The same bytes
 * submitted again with the same options and destination are the same job, which BullMQ does not add twice.
 * An S3 object's content is named by its ETag and size, which S3 changes with every new content.
 * (The "j" keeps the id from being all digits, which BullMQ reserves for its own ids.)
 */
export function jobId(data: Pick<JobData, "sha256" | "object" | "outDir" | "name" | "formats" | "options">): string {
  const content = data.object ? ["s3", data.object.etag, data.object.size] : data.sha256;
  const hasher = new Bun.CryptoHasher("sha256");
  hasher.update(canonical([content, data.outDir, data.name, [...data.formats].sort(), data.options]));
  return `j${hasher.digest("hex").slice(0, 32)}`;
}

/** SHA-256 of a file, read in pieces (files of hours are not held in memory). */
export async function hashFile(path: string): Promise<string> {
  const hasher = new Bun.CryptoHasher("sha256");
  for await (const chunk of Bun.file(path).stream()) hasher.update(chunk);
  return hasher.digest("hex");
}
