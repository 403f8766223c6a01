/**
 * Latency of short inputs, what a command-line user feels:
 *   bun run bench/short-runs.ts [--runs 5] [--modes cold,warm,ten,phases] [--exe <senko executable>]
 * Modes:
 *   cold    `bun run diarize.ts dev00.wav` (a 30 s AMI fixture) with a new XDG_CACHE_HOME holding only the
 *           verified model files, their pages dropped from the page cache: the first run after `senko models`
 *   warm    the same command again in one cache (after one run not counted)
 *   ten     the ten 30 s AMI fixtures in one command, warm
 *   phases  where a warm run's time goes, in one process: imports, libsenko, each model's session (found,
 *           SHA-256 checked, created), the warm-up, the stages, the output
 * Per run of the command: wall, CPU (user + sys) and peak RSS from /usr/bin/time -v; medians are printed.
 * `--exe`: the same modes (but phases) with a compiled executable instead of `bun run diarize.ts`.
 */
import { spawnSync } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { benchArgs, fail, toNumber } from "./args.ts";
import { AMI_DIR, needFixture } from "./fixtures.ts";
import { median } from "./measure.ts";
import { runInfo } from "./run-info.ts";

const MODES = ["cold", "warm", "ten", "phases"] as const;
const { values } = benchArgs(import.meta.path, {
  runs: { type: "string", default: "5" },
  modes: { type: "string", default: MODES.join(",") },
  exe: { type: "string" },
  child: { type: "boolean", default: false },
});
const root = join(import.meta.dir, "..");
const one = needFixture(join(AMI_DIR, "dev00.wav"));
const ten = ["dev00", "dev01", "trn01", "trn02", "trn03", "trn04", "trn05", "trn06", "trn07", "trn08"].map((n) => needFixture(join(AMI_DIR, `${n}.wav`)));

if (values.child) {
  await phases(one);
  process.exit(0);
}
// Not imported by the child: its phases start with onnxruntime-node unloaded.
const { defaultCacheDir } = await import("../models/fetch.ts");

interface Run {
  wallSec: number;
  cpuSec: number;
  rssMiB: number;
}

/** One command under /usr/bin/time -v: its wall, CPU and peak RSS (a failed command ends the bench). */
function timed(args: string[], env: Record<string, string>): Run {
  const command = values.exe ? [values.exe, ...args] : ["bun", "run", join(root, "diarize.ts"), ...args];
  const r = spawnSync("/usr/bin/time", ["-v", ...command], { encoding: "utf8", env: { ...process.env, ...env }, cwd: root });
  if (r.status !== 0) fail(import.meta.path, `${command.join(" ")} failed (${r.status}): ${r.stderr.slice(-500)}`);
  const field = (name: string) => {
    const line = r.stderr.split("\n").find((l) => l.trim().startsWith(name));
    if (!line) fail(import.meta.path, `/usr/bin/time -v printed no "${name}"`);
    return line.slice(line.lastIndexOf(": ") + 2).trim();
  };
  const clock = field("Elapsed (wall clock) time").split(":").map(Number);
  const wallSec = clock.reduce((sum, part) => sum * 60 + part, 0);
  return { wallSec, cpuSec: Number(field("User time (seconds)")) + Number(field("System time (seconds)")), rssMiB: Number(field("Maximum resident set size (kbytes)")) / 1024 };
}

/** A new XDG_CACHE_HOME with the verified model files copied in and their pages dropped. */
function newCache(): string {
  const home = mkdtempSync(join(tmpdir(), "senko-short-runs-"));
  const models = join(home, "senko", "models");
  mkdirSync(models, { recursive: true });
  for (const name of readdirSync(defaultCacheDir()).filter((n) => n.endsWith(".onnx"))) {
    const path = join(models, name);
    cpSync(join(defaultCacheDir(), name), path);
    spawnSync("sync", [path]);
    // GNU dd: count=0 with iflag=nocache drops the file's cached pages.
    spawnSync("dd", [`if=${path}`, "iflag=nocache", "count=0", "status=none"]);
  }
  return home;
}

function summarise(name: string, runs: Run[]): void {
  const m = (key: keyof Run) => median(runs.map((r) => r[key]));
  const all = (key: keyof Run) => runs.map((r) => r[key].toFixed(key === "rssMiB" ? 0 : 2)).join(" ");
  console.log(`${name.padEnd(6)} wall ${m("wallSec").toFixed(2)} s  CPU ${m("cpuSec").toFixed(2)} s  RSS ${m("rssMiB").toFixed(0)} MiB   (runs: wall ${all("wallSec")}; CPU ${all("cpuSec")})`);
}

/** Where one warm run's time goes, in this process, stage by stage (ms). */
async function phases(input: string): Promise<void> {
  const rows: [string, number][] = [["process start to the script", Bun.nanoseconds() / 1e6]];
  const lap = async <T>(name: string, work: () => T | Promise<T>): Promise<T> => {
    const start = performance.now();
    const out = await work();
    rows.push([name, performance.now() - start]);
    return out;
  };
  await lap("import onnxruntime-node", () => import("onnxruntime-node"));
  const { Diarizer } = await lap("import the Diarizer", () => import("../src/diarizer.ts"));
  await lap("import the command line (rest)", () => import("../src/cli.ts"));
  const { lib } = await import("../src/ffi.ts");
  await lap("load libsenko", () => lib());
  const diarizer = new Diarizer({ quiet: true });
  const { context } = diarizer;
  // The sessions the default pipeline prepares, made one by one here (then ready() finds them made).
  const threads = context.threadsPerLane(context.lanes);
  for (const id of ["pyannote-segmentation", "campplus"] as const) {
    const loaded = await lap(`${id}: find + SHA-256 + session`, () => context.session(id, threads));
    rows.push([`  of which session creation`, loaded.loadMs]);
  }
  // The library's warm-up (the command line has none: "Short inputs" in BENCHMARKS.md).
  await lap("warm-up (ready)", () => diarizer.ready());
  const result = await lap("diarize", () => diarizer.diarize(input));
  for (const [stage, sec] of Object.entries(result.timingStats)) if (stage !== "total") rows.push([`  ${stage}`, sec * 1000]);
  const { formatResult } = await import("../src/output/writers.ts");
  await lap("format (text)", () => formatResult(result, "text", input));
  await lap("close", () => diarizer.close());
  rows.push(["process start to here", Bun.nanoseconds() / 1e6]);
  console.log(JSON.stringify(rows));
}

console.log(runInfo());
const runs = toNumber(values.runs, "--runs");
const modes = values.modes.split(",");
for (const mode of modes) if (!(MODES as readonly string[]).includes(mode)) fail(import.meta.path, `unknown mode ${mode}: ${MODES.join(", ")}`);
const warmCache = newCache();
try {
  if (modes.includes("cold")) {
    const got: Run[] = [];
    for (let i = 0; i < runs; i++) {
      const home = newCache();
      got.push(timed(["-q", one], { XDG_CACHE_HOME: home }));
      rmSync(home, { recursive: true, force: true });
    }
    summarise("cold", got);
  }
  timed(["-q", one], { XDG_CACHE_HOME: warmCache });
  if (modes.includes("warm")) summarise("warm", Array.from({ length: runs }, () => timed(["-q", one], { XDG_CACHE_HOME: warmCache })));
  if (modes.includes("ten")) summarise("ten", Array.from({ length: runs }, () => timed(["-q", ...ten], { XDG_CACHE_HOME: warmCache })));
  if (modes.includes("phases") && !values.exe) {
    const all: [string, number][][] = [];
    for (let i = 0; i < runs; i++) {
      const r = spawnSync("bun", ["run", import.meta.path, "--child"], { encoding: "utf8", env: { ...process.env, XDG_CACHE_HOME: warmCache } });
      if (r.status !== 0) fail(import.meta.path, `phases child failed: ${r.stderr.slice(-500)}`);
      all.push(JSON.parse(r.stdout.trim().split("\n").at(-1)!));
    }
    console.log(`phases of a warm run (median of ${runs}, ms):`);
    for (const [i, [name]] of all[0]!.entries()) console.log(`  ${name.padEnd(48)} ${median(all.map((rows) => rows[i]![1])).toFixed(1).padStart(7)}`);
  }
} finally {
  rmSync(warmCache, { recursive: true, force: true });
}
