/**
 * Where a simulated conversation's missed speech goes, per model frame (16.9 ms), for the overlap-aware pipeline,
 * with vad-windows (Silero) on the same file beside it. Each reference speaker-frame the merged turns miss is put
 * down to the first stage that loses it: segmentation-3.0 counts nobody there, counts fewer speakers than the
 * reference, counts them but no window voted for a speaker (after borrowed votes), or the duration rules (turns
 * under 0.3 s dropped; a speaker's silences under 0.5 s filled give some back). Beside that: whether Silero hears
 * speech on the speaker's own track (bench/simulate.ts `tracks`: its signal alone, no noise, no other voice), and
 * the DER of both pipelines against the reference cut to that speech (the "heard" reference).
 *   bun run bench/missed-speech.ts [--speakers 3] [--minutes 25] [--seeds 61,62,63] [--threads 1]
 * Scored frames: those whose centre is 0.125 s or more from every reference boundary (collar 0.25), as the DER.
 */
import { loadavg } from "node:os";
import { Diarizer } from "../src/diarizer.ts";
import { diarizationErrorRate, type DerComponents, type Turn } from "../src/eval/index.ts";
import { embedBatch, segmentationScoresBatch } from "../src/models/index.ts";
import { FRAME_SPAN_SAMPLES, FRAME_STEP_SAMPLES } from "../src/pipeline/overlap/local-segmentation.ts";
import { overlapAwareDiarization } from "../src/pipeline/overlap/overlap-diarization.ts";
import { frameCountOf } from "../src/pipeline/overlap/reconstruction.ts";
import { detectSpeech } from "../src/pipeline/speech.ts";
import { SAMPLE_RATE, type TimeSpan } from "../src/types.ts";
import { runInfo } from "./run-info.ts";
import { simulateConversation } from "./simulate.ts";
import { benchArgs, toNumber, toNumbers } from "./args.ts";

const { values } = benchArgs(import.meta.path, {
  speakers: { type: "string", default: "3" },
  minutes: { type: "string", default: "25" },
  seeds: { type: "string", default: "61,62,63" },
  threads: { type: "string", default: "1" },
});
const threads = toNumber(values.threads, "--threads");
const runners = {
  segmentation: [(chunks: Float32Array[]) => segmentationScoresBatch(chunks, { threads })],
  embedding: [(f: Float32Array, b: number, t: number) => embedBatch(f, b, t, { threads })],
};
const HALF_COLLAR_SEC = 0.125;
const FRAME_SEC = FRAME_STEP_SAMPLES / SAMPLE_RATE;
const centreSec = (t: number) => (t * FRAME_STEP_SAMPLES + FRAME_SPAN_SAMPLES / 2) / SAMPLE_RATE;

/** Per frame and label (labels in `names` order): whether a span of that label covers the frame's centre. */
function frameMask(spans: readonly (TimeSpan & { speaker: string })[], names: readonly string[], frames: number): Uint8Array {
  const mask = new Uint8Array(frames * names.length);
  for (const span of spans) {
    const k = names.indexOf(span.speaker);
    for (let t = Math.max(0, Math.floor(span.start / FRAME_SEC) - 1); t < frames && centreSec(t) < span.end; t++) {
      if (centreSec(t) >= span.start) mask[t * names.length + k] = 1;
    }
  }
  return mask;
}

const activeIn = (mask: Uint8Array, labels: number, t: number) => mask.subarray(t * labels, (t + 1) * labels).reduce((a, b) => a + b, 0);
const labelsOf = (turns: readonly Turn[]) => [...new Set(turns.map((s) => s.speaker))];

/** Per frame: whether its centre lies within HALF_COLLAR_SEC of a reference boundary. */
function inCollar(reference: readonly Turn[], frames: number): Uint8Array {
  const out = new Uint8Array(frames);
  for (const b of reference.flatMap((t) => [t.start, t.end])) {
    for (let t = Math.max(0, Math.floor((b - HALF_COLLAR_SEC) / FRAME_SEC) - 1); t < frames && centreSec(t) < b + HALF_COLLAR_SEC; t++) {
      if (centreSec(t) > b - HALF_COLLAR_SEC) out[t] = 1;
    }
  }
  return out;
}

/** The turns of each label's frames in a per-frame mask. */
function maskTurns(mask: Uint8Array, names: readonly string[], frames: number): Turn[] {
  const turns: Turn[] = [];
  names.forEach((speaker, k) => {
    for (let t = 0; t < frames; t++) {
      if (!mask[t * names.length + k]) continue;
      const from = t;
      while (t < frames && mask[t * names.length + k]) t++;
      turns.push({ start: Math.max(0, centreSec(from) - FRAME_SEC / 2), end: centreSec(t - 1) + FRAME_SEC / 2, speaker });
    }
  });
  return turns.sort((a, b) => a.start - b.start);
}

const derCell = (d: DerComponents) => `${(100 * d.der).toFixed(2)} (${((100 * d.missed) / d.total).toFixed(2)} / ${((100 * d.falseAlarm) / d.total).toFixed(2)} / ${((100 * d.confusion) / d.total).toFixed(2)})`;

console.log(`# missed speech on simulated conversations, ${runInfo()}, load ${loadavg()[0]!.toFixed(1)}`);
const vadWindows = new Diarizer({ pipeline: "vad-windows", vad: "silero", threads, quiet: true });
for (const seed of toNumbers(values.seeds, "--seeds")) {
  const c = await simulateConversation({ speakers: toNumber(values.speakers, "--speakers"), minutes: toNumber(values.minutes, "--minutes"), seed, tracks: true });
  const frames = frameCountOf(c.samples.length);
  const overlap = await overlapAwareDiarization(c.samples, runners);
  const windows = (await vadWindows.diarize(c.samples, { sampleRate: SAMPLE_RATE })).mergedSegments;
  // Speech Silero hears on each speaker's own track, as turns of that speaker.
  const heardSpans: Turn[] = [];
  for (const [s, track] of c.tracks!.entries()) heardSpans.push(...(await detectSpeech(track, { vad: "silero" })).map((r) => ({ ...r, speaker: c.speakers[s]! })));
  const reference = frameMask(c.reference, c.speakers, frames);
  const heardMask = frameMask(heardSpans, c.speakers, frames);
  const heard = reference.map((r, i) => r & heardMask[i]!);
  const heardReference = maskTurns(heard, c.speakers, frames);

  const refSec = c.reference.reduce((s, t) => s + t.end - t.start, 0);
  console.log(`\n## ${c.name}: ${refSec.toFixed(1)} s of reference speech, of which Silero hears on the speaker's own track ${heardReference.reduce((s, t) => s + t.end - t.start, 0).toFixed(1)} s`);
  console.log("\n| pipeline | speakers | DER % c0.25 (missed / FA / confusion) | c0 | against the heard reference: c0.25 | c0 |\n|---|---|---|---|---|---|");
  for (const [name, turns] of [["overlap-aware", overlap.mergedSegments], ["vad-windows", windows]] as const) {
    const cells = [c.reference, heardReference].flatMap((ref) => [0.25, 0].map((collar) => derCell(diarizationErrorRate(ref, turns, { collar, uem: c.uem }))));
    console.log(`| ${name} | ${labelsOf(turns).length} | ${cells.join(" | ")} |`);
  }

  // The missed speaker-frames of the merged turns, put down to the first stage that loses them.
  const R = c.speakers.length;
  const rawNames = labelsOf([...overlap.rawSegments, ...overlap.mergedSegments]);
  const raw = frameMask(overlap.rawSegments, rawNames, frames);
  const merged = frameMask(overlap.mergedSegments, rawNames, frames);
  const windowNames = labelsOf(windows);
  const windowMask = frameMask(windows, windowNames, frames);
  const collar = inCollar(c.reference, frames);
  const causes = ["nobody counted", "fewer counted than the reference", "counted, no voted speaker", "turns under 0.3 s dropped", "silences under 0.5 s filled (given back)"];
  const scored = { reference: 0, missed: 0, missedUnheard: 0, windowsThere: 0, windowsThereUnheard: 0, unheard: 0 };
  const lost = causes.map(() => ({ all: 0, unheard: 0 }));
  const perSpeaker = c.speakers.map(() => ({ reference: 0, unheard: 0, overlapNobody: 0, windowsNobody: 0 }));
  for (let t = 0; t < frames; t++) {
    const present = reference.subarray(t * R, (t + 1) * R);
    const nref = activeIn(reference, R, t);
    if (nref === 0) continue;
    const nobodyOverlap = activeIn(merged, rawNames.length, t) === 0;
    const nobodyWindows = activeIn(windowMask, windowNames.length, t) === 0;
    present.forEach((p, s) => {
      if (!p) return;
      const row = perSpeaker[s]!;
      row.reference++;
      row.unheard += 1 - heard[t * R + s]!;
      if (nobodyOverlap) row.overlapNobody++;
      if (nobodyWindows) row.windowsNobody++;
    });
    if (collar[t]) continue;
    const unheard = nref - activeIn(heard, R, t) > 0 ? 1 : 0;
    const count = Math.min(nref, overlap.activity.count[t]!);
    const voted = Math.min(count, activeIn(raw, rawNames.length, t));
    const missed = Math.max(0, nref - activeIn(merged, rawNames.length, t));
    const rules = missed - (nref - voted);
    const parts = [overlap.activity.count[t] === 0 ? nref : 0, overlap.activity.count[t] === 0 ? 0 : nref - count, count - voted, Math.max(0, rules), Math.max(0, -rules)];
    parts.forEach((n, i) => {
      lost[i]!.all += n;
      lost[i]!.unheard += unheard * n;
    });
    scored.reference += nref;
    scored.unheard += nref - activeIn(heard, R, t);
    scored.missed += missed;
    scored.missedUnheard += unheard * missed;
    const windowsThere = missed > 0 && activeIn(windowMask, windowNames.length, t) >= nref ? missed : 0;
    scored.windowsThere += windowsThere;
    scored.windowsThereUnheard += unheard * windowsThere;
  }
  const sec = (n: number) => (n * FRAME_SEC).toFixed(1);
  const pct = (n: number) => ((100 * n) / scored.reference).toFixed(2);
  console.log(`\nScored reference speaker-frames: ${sec(scored.reference)} s; the speaker's own track has no Silero speech in ${sec(scored.unheard)} s (${pct(scored.unheard)} %).`);
  console.log("\n| overlap-aware, missed speech (collar 0.25) | s | % of the reference | of it, where a reference speaker's own track has no Silero speech, s |\n|---|---|---|---|");
  causes.forEach((cause, i) => console.log(`| ${cause} | ${sec(lost[i]!.all)} | ${pct(lost[i]!.all)} | ${sec(lost[i]!.unheard)} |`));
  console.log(`| **missed in all** | **${sec(scored.missed)}** | **${pct(scored.missed)}** | **${sec(scored.missedUnheard)}** |`);
  console.log(`| of which vad-windows has as many speakers as the reference | ${sec(scored.windowsThere)} | ${pct(scored.windowsThere)} | ${sec(scored.windowsThereUnheard)} |`);
  console.log("\n| reference speaker | reference s (collar 0) | own track: no Silero speech, s (%) | overlap-aware: nobody, s | vad-windows: nobody, s |\n|---|---|---|---|---|");
  c.speakers.forEach((speaker, s) => {
    const row = perSpeaker[s]!;
    console.log(`| ${speaker} | ${sec(row.reference)} | ${sec(row.unheard)} (${((100 * row.unheard) / row.reference).toFixed(1)} %) | ${sec(row.overlapNobody)} | ${sec(row.windowsNobody)} |`);
  });
}
await vadWindows.close();
