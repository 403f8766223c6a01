/**
 * Peer runner: the Python original, Senko (PyPI `senko`, SENKO_PY_VERSION), CPU path, run as a child process
 * (bench/peers/senko_runner.py in bench/peers/.venv). Install first: bash bench/peers/install-senko.sh.
 *
 *   bun run bench/peers/senko.ts a.wav [b.wav ...] [--threads 2] [--vad silero] [--no-warmup]
 * prints the load record, then one JSON object per file: { file, segments, rawSegments, seconds, timing }.
 */
import { existsSync } from "node:fs";
import { availableParallelism } from "node:os";
import { join } from "node:path";
import type { PeerSegment } from "./sherpa.ts";
import { benchArgs, toNumber } from "../args.ts";
import peers from "./package.json";

export interface SenkoPyOptions {
  /** torch intra-op threads; below the core count the whole process is also pinned to that many cores. */
  threads: number;
  /** Senko on the CPU only supports "silero"; "pyannote" makes it raise (CUDA/CoreML only). */
  vad?: "silero" | "pyannote";
  /** Senko's own warm-up (CAM++ passes and a UMAP+HDBSCAN run); default true, as a user would run it. */
  warmup?: boolean;
  /** Kill the Python process after this many milliseconds (the run then throws). */
  timeoutMs?: number;
}

export interface SenkoPyFileResult {
  file: string;
  /** Senko's result, `merged_segments`. */
  segments: PeerSegment[];
  /** Senko's `raw_segments`: before it merges same-speaker gaps <= 4 s and drops turns <= 0.78 s. */
  rawSegments: PeerSegment[];
  /** Wall time of `Diarizer.diarize(path)`, model loaded and warmed up. */
  seconds: number;
  /** Senko's own per-stage seconds (vad_time, fbank_time, embeddings_time, clustering_time, total_time), rounded to 0.01 s; null when it found no speech. */
  timing: Record<string, number> | null;
}

export interface SenkoPyLoad {
  /** Import + Diarizer construction + warm-up. */
  seconds: number;
  senko: string;
  torch: string;
  threads: number;
  vad: string;
  clustering: string;
}

/** The pinned version: bench/peers/package.json, pythonPeers (install-senko.sh reads it there too). */
export const SENKO_PY_VERSION = peers.pythonPeers.senko;
const PEERS_DIR = import.meta.dir;
const PYTHON = join(PEERS_DIR, ".venv", "bin", "python");
const RUNNER = join(PEERS_DIR, "senko_runner.py");

export interface SenkoPyRun {
  load: SenkoPyLoad;
  files: SenkoPyFileResult[];
  /** Peak resident memory of the Python process (the whole of Senko: torch, models, audio), from its rusage. */
  maxRssBytes: number;
}

/** Runs all files through one Senko process, so the model is loaded once. */
export async function senkoPyRun(wavPaths: string[], options: SenkoPyOptions): Promise<SenkoPyRun> {
  if (!existsSync(PYTHON)) throw new Error("Senko's venv is missing: run bash bench/peers/install-senko.sh");
  if (wavPaths.length === 0) throw new Error("no WAV files given");
  if (!Number.isInteger(options.threads) || options.threads < 1) throw new Error(`threads must be a positive integer, got ${options.threads}`);
  const cmd = [PYTHON, RUNNER, ...wavPaths, "--threads", String(options.threads), "--vad", options.vad ?? "silero"];
  if (options.warmup === false) cmd.push("--no-warmup");
  // Senko's C++ fbank spawns hardware_concurrency() threads whatever torch is told: pin the process.
  if (options.threads < availableParallelism()) cmd.unshift("taskset", "-c", `0-${options.threads - 1}`);

  const child = Bun.spawn(cmd, { stdout: "pipe", stderr: "pipe", timeout: options.timeoutMs, killSignal: "SIGKILL" });
  const [stdout, stderr, code] = await Promise.all([new Response(child.stdout).text(), new Response(child.stderr).text(), child.exited]);
  if (child.signalCode === "SIGKILL" && options.timeoutMs !== undefined) throw new Error(`Senko runner killed after ${options.timeoutMs / 1000} s`);
  if (code !== 0) throw new Error(`Senko runner exited with ${code}:\n${stderr.trim().split("\n").slice(-15).join("\n")}`);

  const records = stdout.trim().split("\n").map((line) => JSON.parse(line));
  const [first, ...rest] = records;
  if (!first?.load || rest.length !== wavPaths.length) throw new Error(`unexpected Senko runner output:\n${stdout}`);
  const files: SenkoPyFileResult[] = rest.map((r) => ({ file: r.file, segments: r.segments, rawSegments: r.rawSegments, seconds: r.seconds, timing: r.timing }));
  return { load: first.load as SenkoPyLoad, files, maxRssBytes: child.resourceUsage()?.maxRSS ?? 0 };
}

if (import.meta.main) {
  const { values, positionals } = benchArgs(import.meta.path, {
    threads: { type: "string", default: "2" },
    vad: { type: "string", default: "silero" },
    "no-warmup": { type: "boolean", default: false },
  }, { positionals: true });
  if (positionals.length === 0 || (values.vad !== "silero" && values.vad !== "pyannote")) {
    console.error("usage: bun run bench/peers/senko.ts file.wav [...] [--threads N] [--vad silero|pyannote] [--no-warmup]");
    process.exit(2);
  }
  const { load, files } = await senkoPyRun(positionals, { threads: toNumber(values.threads, "--threads"), vad: values.vad, warmup: !values["no-warmup"] });
  console.log(JSON.stringify({ load }));
  for (const f of files) console.log(JSON.stringify(f));
}
