/** @module The `senko submit | worker | status` subcommands: the job queue from the command line. */
import { writeSync } from "node:fs";
import { hostname } from "node:os";
import type { ParseArgsOptionsConfig } from "node:util";
import { DIARIZATION_FLAGS, diarizationOptions } from "../cli/diarization-flags.ts";
import { modelsDirectory, oneOf, wholeNumber } from "../cli/flag-values.ts";
import { expandInputs } from "../cli/inputs.ts";
import { FORMATS, formatList } from "../cli/output-plan.ts";
import { helpHint, parseOptions } from "../cli/parse.ts";
import { reportError } from "../cli/report.ts";
import { VOICE_FLAGS, voiceOptions } from "../cli/voice-flags.ts";
import { isUserError, UsageError } from "../errors.ts";
import { endBySignal } from "../interrupt.ts";
import { DEVICES } from "../models/execution-provider.ts";
import { writeStdout } from "../output/stdout.ts";
import { THREADS_MAX } from "../thread-pool.ts";
import { VERSION } from "../version.ts";
import { expandS3Glob, isS3Url, s3Client } from "./s3.ts";
import { formatStatus, queueStatus } from "./status.ts";
import { submitFiles, type Submission } from "./submit.ts";
import { startWorker, type WorkerEvent } from "./worker.ts";

export type QueueCommand = "submit" | "worker" | "status";

/** `--help` of the three, its usage lines naming `command`: what the user ran (`senko`, or `bun run diarize.ts` in a checkout). */
const help = (command: string) => `senko ${VERSION}: many files on many machines, through a job queue on Redis (BullMQ)

usage:
  ${command} submit --redis <url> <files or globs...> --out-dir <dir> [options]
  ${command} worker --redis <url> [options]
  ${command} status --redis <url> [--json] [--limit <n>]

submit: one job per file. Workers must read the files and the output directory at the same paths
  (a shared file system), or take them from S3: s3://bucket/key inputs (globs such as
  "s3://bucket/calls/**/*.wav" list the bucket) and --out-dir s3://bucket/prefix, with the endpoint and
  credentials of S3_ENDPOINT, S3_ACCESS_KEY_ID, S3_SECRET_ACCESS_KEY, S3_REGION (or AWS_*) on every machine.
  The job id is made from the file's bytes (an S3 object's ETag and size), the options and the destination:
  submitting the same file again with the same options adds nothing. Each local file is checked first, as
  senko <audio> checks it: one that is not audio refuses the submission, nothing queued (exit 2).
  --out-dir <dir>        results as <dir>/<input name>.<format's extension> (required; s3://bucket/prefix too)
  -f, --format <f[,f...]>
                         ${FORMATS.join(" | ")} (default json)
  --pipeline <p>, --num-speakers <n>, --min-speakers <n>, --max-speakers <n>, --min-cluster-speech <s|off>,
  --cluster <method>, --merge-cosine <x>, --windows <w>, --vad <v>, --colors
                         as for senko <audio> (see ${command} --help): a job gives what senko <audio> gives
                         with the same options (device and threads are the worker's)
  --voice <NAME=FILE>, --voice-threshold <x>
                         as for senko <audio>: each voice is made into a print here (a clip is enrolled
                         with these options: the models load here; a print .json is read), and the jobs
                         carry the prints: workers need neither the clips nor the files
  --retry-failed         put jobs of these files that failed before back in the queue
worker: takes jobs until SIGTERM or Ctrl-C, which let the running jobs finish, then end it (exit 143 / 130;
  a second one ends it at once).
  --concurrency <n>      jobs at once, each with its own models (default 1)
  --threads <n>          threads per job (default: one per CPU)
  --device <d>           auto | cpu | cuda | coreml | directml
  --models-dir <dir>     a folder holding the model files (default: $SENKO_MODELS_DIR, then the cache)
  --lock-timeout <s>     a job whose worker gives no sign of life for this long goes to another worker (default 30)
  --name <name>          the worker's name in \`senko status\` (default host:pid)
status: jobs waiting, active (with stage and progress), done and failed.
  --json                 the same as JSON
  --limit <n>            done and failed jobs listed (default 20)
all:
  --redis <url>          redis://[user:password@]host[:port][/db], rediss:// for TLS (required; default
                         $SENKO_REDIS_URL, which keeps the password out of the process list)
  --queue <name>         BullMQ queue name (default senko)
  -q, --quiet            nothing on stderr but errors
  -h, --help             this text

Redis holds the queue: run it with maxmemory-policy noeviction and an append-only file (--appendonly yes),
which keeps the queue through its restarts and crashes, and with a password (--requirepass, then
redis://:<password>@host:6379) when workers run on other machines: without one, Redis refuses them. A worker
that cannot reach Redis as it starts (within 5 s) exits; once started, it waits through Redis restarts.
`;

/** The options every subcommand takes, and those of each: one given to another subcommand would be ignored, so it is refused. */
const COMMON_OPTIONS: readonly string[] = ["redis", "queue", "quiet", "help"];
const COMMAND_OPTIONS: Record<QueueCommand, readonly string[]> = {
  submit: ["out-dir", "format", ...Object.keys(DIARIZATION_FLAGS), ...Object.keys(VOICE_FLAGS), "colors", "retry-failed"],
  worker: ["concurrency", "threads", "device", "models-dir", "lock-timeout", "name"],
  status: ["json", "limit"],
};

/** Runs a queue subcommand; returns the exit code (0 ok, 2 usage, an input that is not audio (nothing queued) or a Redis URL that cannot work, 1 anything else). */
export async function queueMain(command: QueueCommand, argv: string[], program = "senko"): Promise<number> {
  try {
    const hint = helpHint(`${program} ${command}`);
    const { values, positionals } = parseOptions(argv, QUEUE_OPTIONS, () => `${program} ${command}`);
    if (values.help) {
      await writeStdout(help(program));
      return 0;
    }
    // From the environment, the URL and its password stay out of the process list (ps) and the shell's history.
    const redis = values.redis ?? (process.env.SENKO_REDIS_URL || undefined);
    if (redis === undefined) throw new UsageError(`${command} needs --redis <url> or SENKO_REDIS_URL ${hint}`);
    if (command !== "submit" && positionals.length > 0) throw new UsageError(`${command} takes no file arguments, got ${positionals[0]} ${hint}`);
    const foreign = Object.keys(values).filter((option) => !COMMON_OPTIONS.includes(option) && !COMMAND_OPTIONS[command].includes(option));
    if (foreign.length > 0) throw new UsageError(`${command} does not take ${foreign.map((o) => `--${o}`).join(", ")} ${hint}`);
    const quiet = values.quiet ?? false;
    const queue = values.queue;
    if (command === "submit") return await submit(values, redis, positionals, quiet, hint);
    if (command === "worker") return await work(values, redis, queue, quiet);
    const status = await queueStatus({ redis, queue, limit: wholeNumber("limit", values.limit, 0) });
    await writeStdout(values.json ? `${JSON.stringify(status, null, 2)}\n` : formatStatus(status));
    return 0;
  } catch (error) {
    reportError(error);
    return isUserError(error) ? 2 : 1;
  }
}

/** The options of `senko submit | worker | status`; their `--help` lists each of them (test/docs.test.ts). */
export const QUEUE_OPTIONS = {
  redis: { type: "string" },
  queue: { type: "string" },
  "out-dir": { type: "string" },
  format: { type: "string", short: "f" },
  ...DIARIZATION_FLAGS,
  ...VOICE_FLAGS,
  colors: { type: "boolean" },
  "retry-failed": { type: "boolean" },
  concurrency: { type: "string" },
  threads: { type: "string" },
  device: { type: "string" },
  "models-dir": { type: "string" },
  "lock-timeout": { type: "string" },
  name: { type: "string" },
  json: { type: "boolean" },
  limit: { type: "string" },
  quiet: { type: "boolean", short: "q" },
  help: { type: "boolean", short: "h" },
} as const satisfies ParseArgsOptionsConfig;

type Values = ReturnType<typeof parseOptions<typeof QUEUE_OPTIONS>>["values"];

async function submit(values: Values, redis: string, positionals: string[], quiet: boolean, hint: string): Promise<number> {
  if (positionals.length === 0) throw new UsageError(`submit: no input file given ${hint}`);
  if (positionals.includes("-")) throw new UsageError("submit takes files the workers can read, not - (stdin)");
  const outDir = values["out-dir"];
  if (outDir === undefined) throw new UsageError("submit needs --out-dir <dir> (as the workers see it)");
  const formats = formatList(values.format);
  const diarization = diarizationOptions(values);
  const options = { ...diarization, ...voiceOptions(values, diarization.pipeline), colors: values.colors };
  const submissions = await submitFiles(await expandAll(positionals), {
    redis,
    queue: values.queue,
    outDir,
    formats,
    retryFailed: values["retry-failed"] ?? false,
    options,
  });
  await writeStdout(submissions.map((s) => `${s.state.padEnd(7)}  ${s.jobId}  ${s.file}${s.message ? `  (${s.message})` : ""}\n`).join(""));
  if (!quiet) process.stderr.write(`senko submit: ${tally(submissions)}\n`);
  return 0;
}

/** Local globs from the file system, s3:// globs from a listing of the bucket. */
async function expandAll(args: readonly string[]): Promise<string[]> {
  const s3 = args.some(isS3Url) ? s3Client() : undefined;
  const inputs: string[] = [];
  for (const arg of args) {
    if (!isS3Url(arg)) {
      inputs.push(...expandInputs([arg]));
      continue;
    }
    const urls = await expandS3Glob(s3!, arg);
    if (urls.length === 0) throw new UsageError(`no object matches ${arg}`);
    inputs.push(...urls);
  }
  return inputs;
}

function tally(submissions: readonly Submission[]): string {
  const counts = new Map<string, number>();
  for (const s of submissions) counts.set(s.state, (counts.get(s.state) ?? 0) + 1);
  const words: Record<Submission["state"], string> = {
    queued: "queued",
    waiting: "already waiting",
    active: "already running",
    done: "already done",
    failed: "failed before (--retry-failed runs them again)",
    retried: "failed before, queued again",
  };
  return [...counts].map(([state, n]) => `${n} ${words[state as Submission["state"]]}`).join(", ");
}

async function work(values: Values, redis: string, queue: string | undefined, quiet: boolean): Promise<number> {
  const name = values.name ?? `${hostname()}:${process.pid}`;
  // Synchronous: the process may end by a signal right after a line.
  const log = (line: string) => writeSync(2, `senko worker ${name}: ${line}\n`);
  const onEvent = (event: WorkerEvent) => {
    if (event.kind === "redis") return log(event.message);
    if (event.kind === "stalled") return log(`job ${event.jobId} lost its worker (no sign of life within the lock timeout): back in the queue`);
    if (quiet && event.kind !== "failed") return;
    if (event.kind === "started") log(`started ${event.jobId} ${event.file}${event.attempt > 1 ? ` (attempt ${event.attempt})` : ""}`);
    else if (event.kind === "done") log(`done ${event.jobId} ${event.file}: ${event.speakers} speaker(s), ${event.audioSec.toFixed(1)} s of audio in ${event.seconds.toFixed(2)} s`);
    else log(`failed ${event.jobId} ${event.message.startsWith(event.file) ? "" : `${event.file}: `}${event.message}${event.willRetry ? " (will be retried)" : ""}`);
  };
  const lockTimeout = values["lock-timeout"];
  if (lockTimeout !== undefined && !(Number(lockTimeout) >= 1)) throw new UsageError(`--lock-timeout takes seconds (at least 1), got "${lockTimeout}"`);
  const worker = await startWorker({
    redis,
    queue,
    concurrency: wholeNumber("concurrency", values.concurrency, 1),
    threads: wholeNumber("threads", values.threads, 0, THREADS_MAX),
    device: oneOf("device", values.device, DEVICES),
    modelsDir: await modelsDirectory(values["models-dir"]),
    lockTimeoutSec: lockTimeout === undefined ? undefined : Number(lockTimeout),
    name,
    onEvent,
  });
  // SIGTERM or Ctrl-C: the running jobs finish, then the process ends by that signal, as senko <audio> does
  // (a shell sees 143 / 130, a script's loop stops); a second one ends it at once, by the second signal.
  const signal = new Promise<NodeJS.Signals>((resolve) => {
    const first = (signal: NodeJS.Signals) => {
      process.off("SIGTERM", first);
      process.off("SIGINT", first);
      resolve(signal);
    };
    process.on("SIGTERM", first);
    process.on("SIGINT", first);
  });
  if (!quiet) log(`waiting for jobs on ${queue ?? "senko"}`);
  const stopping = await signal;
  const stopAtOnce = (signal: NodeJS.Signals) => {
    log(`${signal}: stopped at once (running jobs go to another worker after the lock timeout)`);
    endBySignal(signal);
  };
  process.once("SIGTERM", stopAtOnce);
  process.once("SIGINT", stopAtOnce);
  if (!quiet) log(`${stopping}: finishing the running job(s), then stopping (send it again to stop at once)`);
  await worker.close();
  process.off("SIGTERM", stopAtOnce);
  process.off("SIGINT", stopAtOnce);
  if (!quiet) log("stopped");
  endBySignal(stopping);
  return stopping === "SIGINT" ? 130 : 143;
}
