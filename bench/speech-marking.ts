/**
 * How much of each LibriSpeech recording the simulator (bench/simulate.ts) marks as reference speech, under the
 * rule before session 25 (frames within 35 dB of the 99th-percentile frame) and the rule now (also 12 dB or
 * more above the recording's 10th-percentile frame, capped at a third of the way to the peak), and how much of
 * that lies in pauses: seconds marked where Silero, on the clean recording, hears no speech. Beside it, Silero's
 * speech each rule leaves unmarked (soft speech lost). Grouped by the recording's floor-to-peak span, since a
 * high floor is what marked pauses; `--list` prints every recording.
 *   bun run bench/speech-marking.ts [--list] [--dir DIR]
 */
import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { detectSpeech } from "../src/pipeline/speech.ts";
import type { TimeSpan } from "../src/types.ts";
import { benchArgs } from "./args.ts";
import { LIBRISPEECH_DIR } from "./fixtures.ts";
import { runInfo } from "./run-info.ts";
import { decode, frameEnergiesDb, referenceSpeech, runsAbove, speechLevels } from "./simulate.ts";

const { values } = benchArgs(import.meta.path, { list: { type: "boolean", default: false }, dir: { type: "string", default: LIBRISPEECH_DIR } });
const RATE = 16000;

/** Seconds of `spans` (samples) outside / inside the `heard` regions (seconds). */
function split(spans: readonly [number, number][], heard: readonly TimeSpan[]): { total: number; inPauses: number } {
  let total = 0;
  let inside = 0;
  for (const [a, b] of spans) {
    total += (b - a) / RATE;
    for (const h of heard) inside += Math.max(0, Math.min(b / RATE, h.end) - Math.max(a / RATE, h.start));
  }
  return { total, inPauses: total - inside };
}

interface Recording {
  file: string;
  /** the simulator draws from files of 120 kB or more (bench/simulate.ts, utteranceFiles) */
  drawn: boolean;
  seconds: number;
  spanDb: number;
  silero: number;
  rules: { marked: number; inPauses: number; unmarked: number }[];
}

const files = readdirSync(values.dir).filter((f) => f.endsWith(".flac")).sort();
const recordings: Recording[] = [];
for (const file of files) {
  const samples = await decode(join(values.dir, file), 1);
  const energies = frameEnergiesDb(samples);
  const levels = speechLevels(energies);
  const heard = await detectSpeech(samples, { vad: "silero" });
  const silero = heard.reduce((s, h) => s + h.end - h.start, 0);
  const rules = [levels.peak - 35, levels.threshold].map((threshold) => {
    const { total, inPauses } = split(referenceSpeech(runsAbove(energies, threshold), 0, samples.length), heard);
    return { marked: total, inPauses, unmarked: Math.max(0, silero - (total - inPauses)) };
  });
  recordings.push({ file, drawn: statSync(join(values.dir, file)).size >= 120_000, seconds: samples.length / RATE, spanDb: levels.peak - levels.floor, silero, rules });
}

const pct = (part: number, whole: number) => (whole > 0 ? ((100 * part) / whole).toFixed(1) : "-");
const row = (label: string, list: Recording[]) => {
  const sum = (f: (r: Recording) => number) => list.reduce((s, r) => s + f(r), 0);
  const seconds = sum((r) => r.seconds);
  const silero = sum((r) => r.silero);
  const cells = [0, 1].map((k) => {
    const marked = sum((r) => r.rules[k]!.marked);
    const inPauses = sum((r) => r.rules[k]!.inPauses);
    const unmarked = sum((r) => r.rules[k]!.unmarked);
    return `${marked.toFixed(1)} (${pct(marked, seconds)} %) | ${inPauses.toFixed(1)} (${pct(inPauses, marked)} %) | ${unmarked.toFixed(1)} (${pct(unmarked, silero)} %)`;
  });
  console.log(`| ${label} | ${list.length} | ${seconds.toFixed(1)} | ${silero.toFixed(1)} | ${cells.join(" | ")} |`);
};

console.log(`bench/speech-marking.ts ${runInfo()}`);
console.log(`${recordings.length} recordings in ${values.dir}; marked speech as the simulator's reference marks it (0.1 s margins, gaps under 0.3 s closed)\n`);
const header =
  "| recordings | n | seconds | Silero speech s | before: marked s (% of audio) | before: in pauses s (% of marked) | before: Silero speech unmarked s (%) | now: marked s | now: in pauses s | now: Silero speech unmarked s |";
console.log(`${header}\n|${"---|".repeat(10)}`);
const bands: [string, number, number][] = [
  ["floor under 25 dB below the peak", 0, 25],
  ["25-35 dB", 25, 35],
  ["35-45 dB", 35, 45],
  ["45 dB or more", 45, Infinity],
];
for (const [label, low, high] of bands) row(label, recordings.filter((r) => r.spanDb >= low && r.spanDb < high));
row("all", recordings);
row("the simulator's pool (files of 120 kB or more)", recordings.filter((r) => r.drawn));
if (values.list) {
  console.log("\n| recording | s | floor-to-peak dB | Silero s | before: marked / in pauses / unmarked s | now |\n|---|---|---|---|---|---|");
  for (const r of recordings.toSorted((a, b) => a.spanDb - b.spanDb)) {
    const cell = (k: number) => `${r.rules[k]!.marked.toFixed(1)} / ${r.rules[k]!.inPauses.toFixed(1)} / ${r.rules[k]!.unmarked.toFixed(1)}`;
    console.log(`| ${r.file} | ${r.seconds.toFixed(1)} | ${r.spanDb.toFixed(1)} | ${r.silero.toFixed(1)} | ${cell(0)} | ${cell(1)} |`);
  }
}
