/**
 * @module How long the CLI takes to say that an input is bad: one file of random bytes named .mp3, one WAV cut
 * short, and the .mp3 after a good 30 s recording (the time until its line is printed). Usage:
 *   bun run bench/bad-input.ts [--repeats 5] [--cli <diarize.ts>]...
 * Several --cli (e.g. another checkout's diarize.ts) run interleaved; the default is this checkout's.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { AMI_DIR } from "./fixtures.ts";
import { runInfo } from "./run-info.ts";
import { benchArgs, toNumber } from "./args.ts";
import { median } from "./measure.ts";

const { values } = benchArgs(import.meta.path, { repeats: { type: "string", default: "5" }, cli: { type: "string", multiple: true } });
const repeats = toNumber(values.repeats, "--repeats");
const clis = (values.cli ?? [join(import.meta.dir, "..", "diarize.ts")]).map((p) => resolve(p));
const bun = process.execPath;

const dir = mkdtempSync(join(tmpdir(), "senko-bad-input-"));
const good = join(AMI_DIR, "dev00.wav");
// Deterministic "random" bytes: ffmpeg's mp3 demuxer accepts them, then fails.
writeFileSync(join(dir, "random.mp3"), new Uint8Array(50_000).map((_, i) => (i * 2654435761) >>> 24));
writeFileSync(join(dir, "cut.wav"), readFileSync(good).subarray(0, 30_000));

/** The bad file's name in the line that reports it, and the arguments. */
const CASES: Record<string, { bad: string; args: string[] }> = {
  "random bytes .mp3": { bad: "random.mp3", args: ["random.mp3", "--out", "r.json"] },
  "WAV cut short": { bad: "cut.wav", args: ["cut.wav", "--out", "r.json"] },
  ".mp3 after a good 30 s WAV": { bad: "random.mp3", args: [good, "random.mp3", "--out-dir", "out", "-q"] },
};

interface Sample {
  /** until the bad file's line is on stderr */
  lineSec: number;
  exitSec: number;
  cpuSec: number;
  code: number | null;
}

async function run(cli: string, args: string[], bad: string): Promise<Sample> {
  const t0 = performance.now();
  const proc = Bun.spawn([bun, "run", cli, ...args], { cwd: dir, stdout: "ignore", stderr: "pipe", env: { ...process.env, SENKO_DEBUG: undefined } });
  let lineSec = NaN;
  let text = "";
  const decoder = new TextDecoder();
  for await (const chunk of proc.stderr) {
    text += decoder.decode(chunk, { stream: true });
    if (Number.isNaN(lineSec) && text.includes(`senko: ${bad}: `)) lineSec = (performance.now() - t0) / 1000;
  }
  const code = await proc.exited;
  const exitSec = (performance.now() - t0) / 1000;
  const cpu = proc.resourceUsage()!.cpuTime;
  return { lineSec, exitSec, cpuSec: Number(cpu.user + cpu.system) / 1e6, code };
}


console.log(runInfo());
console.log(`repeats ${repeats}, interleaved; clis: ${clis.join(", ")}\n`);
const samples = new Map<string, Sample[]>();
for (let r = 0; r < repeats; r++) {
  for (const [name, { bad, args }] of Object.entries(CASES)) {
    for (const cli of clis) {
      const key = `${cli}\t${name}`;
      samples.set(key, [...(samples.get(key) ?? []), await run(cli, args, bad)]);
      rmSync(join(dir, "out"), { recursive: true, force: true });
    }
  }
}
console.log("| cli | input | line shown (s), median | exit (s), median | CPU s of the process, median | exit codes |");
console.log("|---|---|---|---|---|---|");
for (const [key, runs] of samples) {
  const [cli, name] = key.split("\t");
  const f = (xs: number[]) => median(xs).toFixed(2);
  console.log(`| ${cli} | ${name} | ${f(runs.map((s) => s.lineSec))} | ${f(runs.map((s) => s.exitSec))} | ${f(runs.map((s) => s.cpuSec))} | ${[...new Set(runs.map((s) => s.code))].join(",")} |`);
}
rmSync(dir, { recursive: true, force: true });
