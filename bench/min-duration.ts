/**
 * The overlap-aware pipeline's minimum turn duration, measured: each file is diarized once with no duration
 * rules, then every variant is applied to the same frame activity: silences under 0.5 s filled, then a
 * speaker's turns under `on` seconds either dropped ("drop") or, where that leaves a frame without a speaker,
 * given to the speaker of the turn beside them most scored there ("neighbour"); and the exclusive view with no
 * minimum or with runs under `on` given to a neighbour (`exclusiveActivity`). Its exclusive view breaks score
 * ties toward the speaker with more speech (the activity it gets is ordered so), the pipeline toward the lower
 * cluster: compare its exclusive figures with each other, not with bench:accuracy's.
 * Sets: the AMI fixtures, the simulated set of bench:accuracy (8 files), and bench:accuracy:sim's default set
 * for each --seeds; collars 0.25 and 0. Besides DER: the turns under 0.1 s and 0.25 s left in each view.
 *   bun run bench/min-duration.ts [--on 0.05,0.1,0.2,0.3,0.5] [--seeds 1] [--sets ami,simulated,sim] [--threads 2] */
import { availableParallelism, loadavg } from "node:os";
import { readAudio } from "../src/audio/index.ts";
import { scoreFiles, type DerComponents, type Turn } from "../src/eval/index.ts";
import { embedBatch, segmentationScoresBatch } from "../src/models/index.ts";
import { overlapAwareDiarization } from "../src/pipeline/overlap/overlap-diarization.ts";
import { activityTurns, exclusiveActivity, minDurationFrames, withMinDurations, type FrameActivity } from "../src/pipeline/overlap/reconstruction.ts";
import type { TimeSpan } from "../src/types.ts";
import { loadAmi, uriOf } from "./ami-eval.ts";
import { runInfo } from "./run-info.ts";
import { SIMULATION_SETS, simulateConversation } from "./simulate.ts";
import { buildSimulatedSet } from "./simulated-set.ts";
import { benchArgs, toNumber, toNumbers } from "./args.ts";

const { values } = benchArgs(import.meta.path, {
  on: { type: "string", default: "0.05,0.1,0.2,0.3,0.5" },
  seeds: { type: "string", default: "1" },
  sets: { type: "string", default: "ami,simulated,sim" },
  threads: { type: "string", default: "0" },
});
const threads = toNumber(values.threads, "--threads") || availableParallelism();
const runners = {
  segmentation: [(chunks: Float32Array[]) => segmentationScoresBatch(chunks, { threads })],
  embedding: [(f: Float32Array, b: number, t: number) => embedBatch(f, b, t, { threads })],
};

interface File {
  uri: string;
  reference: Turn[];
  uem: TimeSpan[];
  durationSec: number;
  /** frame activity before any duration rule (speakers with speech only) */
  raw: FrameActivity;
}

async function diarized(uri: string, samples: Float32Array, reference: Turn[], uem: TimeSpan[]): Promise<File> {
  const r = await overlapAwareDiarization(samples, runners, { minDurations: {} });
  return { uri, reference, uem, durationSec: samples.length / 16000, raw: r.activity };
}

/** Frames of the dropped turns that no speaker is left in go to the most-scored speaker active right beside the turn. */
function withNeighbours(filled: FrameActivity, dropped: FrameActivity): FrameActivity {
  const { frameCount, speakers, scores } = filled;
  const active = dropped.active.slice();
  for (let s = 0; s < speakers; s++) {
    let t = 0;
    while (t < frameCount) {
      if (!filled.active[t * speakers + s] || dropped.active[t * speakers + s]) {
        t++;
        continue;
      }
      let end = t;
      while (end < frameCount && filled.active[end * speakers + s] && !dropped.active[end * speakers + s]) end++;
      for (let f = t; f < end; f++) {
        let free = true;
        for (let k = 0; k < speakers; k++) if (active[f * speakers + k]) free = false;
        if (!free) continue;
        let best = -1;
        for (let k = 0; k < speakers; k++) {
          const beside = (t > 0 && dropped.active[(t - 1) * speakers + k]) || (end < frameCount && dropped.active[end * speakers + k]);
          if (beside && (best < 0 || scores[f * speakers + k]! > scores[f * speakers + best]!)) best = k;
        }
        if (best >= 0) active[f * speakers + best] = 1;
      }
      t = end;
    }
  }
  return { ...filled, active };
}

interface Variant {
  name: string;
  apply: (raw: FrameActivity) => FrameActivity;
  /** frames of the exclusive view's minimum run */
  exclusiveMinOn: number;
}
const frames = (sec: number) => minDurationFrames({ minDurationOnSec: sec }).minOn;
const variants: Variant[] = [{ name: "on 0 (before)", apply: (raw) => withMinDurations(raw, { minDurationOffSec: 0.5 }), exclusiveMinOn: 0 }];
for (const on of toNumbers(values.on, "--on").filter((x) => x > 0)) {
  const drop = (raw: FrameActivity) => withMinDurations(raw, { minDurationOffSec: 0.5, minDurationOnSec: on });
  variants.push({ name: `on ${on}, drop`, apply: drop, exclusiveMinOn: 0 });
  variants.push({ name: `on ${on}, neighbour`, apply: (raw) => withNeighbours(withMinDurations(raw, { minDurationOffSec: 0.5 }), drop(raw)), exclusiveMinOn: 0 });
  variants.push({ name: `on ${on}, drop; exclusive ${on}`, apply: drop, exclusiveMinOn: frames(on) });
}

const turnsOf = (a: FrameActivity, durationSec: number): Turn[] => activityTurns(a, durationSec).map((t) => ({ start: t.start, end: t.end, speaker: `S${t.speaker}` }));

function report(title: string, files: File[], collars: number[]): void {
  console.log(`\n### ${title} (${files.length} files)\n`);
  const head = collars.map((c) => `DER ${c} (missed / FA / conf.)`);
  const exclusiveHead = collars.map((c) => `exclusive DER ${c}`);
  console.log(`| variant | ${head.join(" | ")} | files better / worse (${collars[0]}) | merged turns | < 0.1 s | < 0.25 s | ${exclusiveHead.join(" | ")} | exclusive turns | < 0.1 s | < 0.25 s |`);
  console.log(`|---|${[...head, ...exclusiveHead].map(() => "---").join("|")}|---|---|---|---|---|---|---|`);
  const reference = new Map(files.map((f) => [f.uri, f.reference]));
  const uem = new Map(files.map((f) => [f.uri, f.uem]));
  let baseline: number[] | undefined;
  for (const v of variants) {
    const merged = new Map<string, Turn[]>();
    const exclusive = new Map<string, Turn[]>();
    for (const f of files) {
      const a = v.apply(f.raw);
      merged.set(f.uri, turnsOf(a, f.durationSec));
      exclusive.set(f.uri, turnsOf(exclusiveActivity(a, v.exclusiveMinOn), f.durationSec));
    }
    const cells = collars.map((collar) => {
      const t: DerComponents = scoreFiles(reference, merged, { collar, uem }).total;
      const pct = (x: number) => ((100 * x) / t.total).toFixed(2);
      return `${(100 * t.der).toFixed(2)} (${pct(t.missed)} / ${pct(t.falseAlarm)} / ${pct(t.confusion)})`;
    });
    const exclusiveCells = collars.map((collar) => (100 * scoreFiles(reference, exclusive, { collar, uem }).total.der).toFixed(2));
    const perFile = scoreFiles(reference, merged, { collar: collars[0], uem }).files.map((f) => f.der);
    baseline ??= perFile;
    const better = perFile.filter((d, i) => d < baseline![i]! - 1e-9).length;
    const worse = perFile.filter((d, i) => d > baseline![i]! + 1e-9).length;
    const count = (m: Map<string, Turn[]>, under: number) => [...m.values()].flat().filter((t) => t.end - t.start < under).length;
    const all = (m: Map<string, Turn[]>) => [...m.values()].flat().length;
    console.log(
      `| ${v.name} | ${cells.join(" | ")} | ${better} / ${worse} | ${all(merged)} | ${count(merged, 0.1)} | ${count(merged, 0.25)} | ` +
        `${exclusiveCells.join(" | ")} | ${all(exclusive)} | ${count(exclusive, 0.1)} | ${count(exclusive, 0.25)} |`,
    );
  }
}

console.log(`# overlap-aware minimum turn duration\n${runInfo()}\n${threads} thread(s), load ${loadavg().map((l) => l.toFixed(1)).join(" ")}`);
console.log(`${frames(1)} frames per s; every variant keeps the 0.5 s silence fill`);
const sets = values.sets.split(",");
if (sets.includes("ami")) {
  const ami = loadAmi();
  const files: File[] = [];
  for (const path of ami.files) {
    const audio = await readAudio(path);
    files.push(await diarized(uriOf(path), audio.samples, ami.reference.get(uriOf(path))!, ami.uem.get(uriOf(path))!));
  }
  report("AMI fixtures, fixture UEMs", files, [0.25, 0]);
}
if (sets.includes("simulated")) {
  const files: File[] = [];
  for (const f of await buildSimulatedSet()) {
    const audio = await readAudio(f.wav);
    files.push(await diarized(f.name, audio.samples, f.reference, f.uem));
  }
  report("simulated set of bench:accuracy", files, [0.25, 0]);
}
if (sets.includes("sim")) {
  for (const seed of toNumbers(values.seeds, "--seeds")) {
    const files: File[] = [];
    for (const spec of SIMULATION_SETS.default!) {
      const c = await simulateConversation({ ...spec, seed });
      files.push(await diarized(c.name, c.samples, c.reference, c.uem));
    }
    report(`bench:accuracy:sim default set, seed ${seed}`, files, [0.25, 0]);
  }
}
