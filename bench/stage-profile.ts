/**
 * Per-stage profile of the Diarizer on long audio (the AMI fixtures repeated, long-audio.ts), for several
 * option sets side by side: each run is its own process (so peak RSS is its own), the configurations
 * interleaved A B C A B C so machine load hits them alike. Prints wall, process CPU, peak RSS and seconds
 * per stage, and the DER of each run against the fixtures' reference turns repeated the same way
 * (collar 0.25; the same ~40 voices recur, so this scores the speed options at scale, not absolute quality).
 *   bun run bench/stage-profile.ts [--minutes 60] [--threads 2] [--repeats 2] [--configs before,lanes,after,stretches]
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { DiarizerOptions } from "../src/diarizer.ts";
import { diarizationErrorRate, type Turn } from "../src/eval/index.ts";
import { loadAmi, uriOf } from "./ami-eval.ts";
import { wavFloat } from "../test/helpers/wav.ts";
import { buildMeetingSignal } from "./long-audio.ts";
import { benchArgs, toNumber } from "./args.ts";

/**
 * The option sets compared: before issue 6 (one lane with both threads inside each call, batches of 64),
 * one lane per thread alone, the defaults after it (lanes, batches of 32), and the defaults with Silero
 * over parallel stretches (opt-in).
 */
const CONFIGS: Record<string, DiarizerOptions> = {
  before: { lanes: 1, embeddingBatchSize: 64 },
  lanes: { embeddingBatchSize: 64 },
  after: {},
  stretches: { sileroStretches: true },
};

const { values } = benchArgs(import.meta.path, {
  minutes: { type: "string", default: "60" },
  threads: { type: "string", default: "2" },
  repeats: { type: "string", default: "2" },
  configs: { type: "string", default: "before,after" },
  child: { type: "string" },
});

interface Run {
  config: string;
  wallSec: number;
  cpuSec: number;
  peakRssMiB: number;
  stages: Record<string, number>;
  der: number;
  /** missed, false alarm, confusion: % of reference speech */
  components: [number, number, number];
  speakers: number;
}

/** Reference turns of the repeated fixtures over `seconds`. */
function repeatedReference(seconds: number): Turn[] {
  const set = loadAmi();
  const turns: Turn[] = [];
  for (let at = 0, i = 0; at < seconds; at += 30, i++) {
    for (const t of set.reference.get(uriOf(set.files[i % set.files.length]!))!) {
      if (at + t.start < seconds) turns.push({ start: at + t.start, end: Math.min(seconds, at + t.end), speaker: t.speaker });
    }
  }
  return turns;
}

if (values.child) {
  const spec = JSON.parse(values.child) as { config: string; file: string; threads: number; seconds: number };
  const { Diarizer } = await import("../src/diarizer.ts");
  const diarizer = new Diarizer({ ...CONFIGS[spec.config], pipeline: "vad-windows", threads: spec.threads, vad: "silero", quiet: true });
  await diarizer.ready();
  const cpu = process.cpuUsage();
  const start = performance.now();
  const result = await diarizer.diarize(spec.file);
  const wallSec = (performance.now() - start) / 1000;
  const used = process.cpuUsage(cpu);
  const hypothesis = result.mergedSegments.map((s) => ({ start: s.start, end: s.end, speaker: s.speaker }));
  const score = diarizationErrorRate(repeatedReference(spec.seconds), hypothesis, { collar: 0.25, uem: [{ start: 0, end: spec.seconds }] });
  const run: Run = {
    config: spec.config,
    wallSec,
    cpuSec: (used.user + used.system) / 1e6,
    peakRssMiB: process.resourceUsage().maxRSS / 1024,
    stages: { ...result.timingStats },
    der: score.der,
    components: [score.missed, score.falseAlarm, score.confusion].map((v) => (100 * v) / score.total) as [number, number, number],
    speakers: result.mergedSpeakersDetected,
  };
  console.log(`RESULT ${JSON.stringify(run)}`);
  process.exit(0);
}

const seconds = toNumber(values.minutes, "--minutes") * 60;
const dir = join(tmpdir(), "senko-bench");
mkdirSync(dir, { recursive: true });
const file = join(dir, `ami-repeated-${values.minutes}min.wav`);
if (!existsSync(file)) writeFileSync(file, wavFloat(await buildMeetingSignal(seconds)));
const names = values.configs.split(",").filter(Boolean);
for (const n of names) if (!CONFIGS[n]) throw new Error(`unknown config ${n}: ${Object.keys(CONFIGS).join(", ")}`);
console.log(`${values.minutes} min, ${values.threads} threads; load average at start ${(await import("node:os")).loadavg().map((l) => l.toFixed(2)).join(" ")}`);
const runs: Run[] = [];
for (let r = 0; r < toNumber(values.repeats, "--repeats"); r++) {
  for (const config of names) {
    const child = spawnSync(process.execPath, [import.meta.path, "--child", JSON.stringify({ config, file, threads: toNumber(values.threads, "--threads"), seconds })], {
      encoding: "utf8",
      maxBuffer: 1 << 26,
    });
    const line = child.stdout.split("\n").find((l) => l.startsWith("RESULT "));
    if (!line) {
      console.error(`${config} failed:\n${child.stderr.slice(-2000)}`);
      continue;
    }
    const run = JSON.parse(line.slice(7)) as Run;
    runs.push(run);
    const st = ["audio", "vad", "subsegment", "fbank", "embeddings", "clustering", "segments"].map((k) => `${k} ${run.stages[k]!.toFixed(2)}`).join(", ");
    console.log(
      `${config.padEnd(10)} wall ${run.wallSec.toFixed(2).padStart(6)} s  cpu ${run.cpuSec.toFixed(1).padStart(6)} s  peak RSS ${run.peakRssMiB.toFixed(0)} MiB  ` +
        `DER ${(100 * run.der).toFixed(1)} % (${run.components.map((c) => c.toFixed(1)).join("/")})  speakers ${run.speakers}  [${st}]`,
    );
  }
}
