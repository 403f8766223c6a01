/**
 * The overlap-aware pipeline's choices, measured on the AMI fixtures: the window step (accuracy and
 * model CPU time per minute of audio) and the clustering of the local-speaker embeddings (average-linkage
 * agglomerative at several thresholds against the spectral and UMAP + HDBSCAN code of src/cluster, each
 * followed by the same per-window assignment).
 *   bun run bench/overlap-tuning.ts [--steps 1,2,3,4,5] [--center 3] [--thresholds 0.6,0.7,0.8] [--threads 2]
 * DER is over merged segments (the pipeline's minimum durations), fixture UEMs, collars 0.25 and 0.
 */
import { availableParallelism, loadavg } from "node:os";
import { readAudio } from "../src/audio/index.ts";
import { cluster } from "../src/cluster/cluster.ts";
import type { Turn } from "../src/eval/index.ts";
import { extractFbankSync } from "../src/features/fbank.ts";
import { embedBatch, segmentationScoresBatch } from "../src/models/index.ts";
import {
  assignPerWindow,
  averageLinkage,
  clustersFromDendrogram,
  groupsOf,
  trainingSet,
  unitRows,
} from "../src/pipeline/overlap/constrained-clustering.ts";
import { embedLocalSpeakers, planEmbeddings, type LocalEmbeddings } from "../src/pipeline/overlap/local-embeddings.ts";
import { LOCAL_SPEAKERS, localSegmentation, stepFramesOf, type LocalSegmentation } from "../src/pipeline/overlap/local-segmentation.ts";
import { DEFAULT_MIN_DURATIONS } from "../src/pipeline/overlap/overlap-diarization.ts";
import { activityTurns, reconstructActivity, withMinDurations } from "../src/pipeline/overlap/reconstruction.ts";
import { loadAmi, scoreHypotheses, uriOf } from "./ami-eval.ts";
import { runInfo } from "./run-info.ts";
import { benchArgs, toNumber, toNumbers } from "./args.ts";
import { cpuSeconds } from "./measure.ts";

const { values } = benchArgs(import.meta.path, {
  steps: { type: "string", default: "1,2,3,4,5" },
  center: { type: "string", default: "3" },
  thresholds: { type: "string", default: "0.6,0.7,0.8" },
  threads: { type: "string", default: "2" },
});
const threads = toNumber(values.threads, "--threads") || availableParallelism();
const models = { threads };
const set = loadAmi();
const audio = new Map<string, { samples: Float32Array; durationSec: number }>();
for (const file of set.files) audio.set(uriOf(file), await readAudio(file));
const minutes = [...audio.values()].reduce((s, a) => s + a.durationSec, 0) / 60;


type Labeller = (x: Float32Array, n: number, dim: number, durationSec: number) => Promise<number[][]>;
const labellers: [string, Labeller][] = [
  ...toNumbers(values.thresholds, "--thresholds").map((threshold): [string, Labeller] => [
    `agglomerative ${threshold}`,
    async (x, n, dim) => clustersFromDendrogram(x, dim, averageLinkage(x, n, dim), { threshold }),
  ]),
  ...(["spectral", "umap-hdbscan"] as const).map((method): [string, Labeller] => [
    method,
    async (x, n, dim, durationSec) => groupsOf(x, dim, (await cluster({ data: x, count: n, dim }, { audioDurationSec: durationSec, method })).labels),
  ]),
];

/** Turns of one file from its segmentation, embeddings and a way to cluster the training embeddings. */
async function turnsOf(seg: LocalSegmentation, emb: LocalEmbeddings, centerFrames: number, durationSec: number, label: Labeller): Promise<Turn[]> {
  const dim = emb.dim;
  const x = unitRows(emb.data, dim);
  const train = trainingSet(emb.cleanFrames, 50, 6000);
  if (emb.count === 0) return [];
  const xt = new Float32Array(train.length * dim);
  train.forEach((i, r) => xt.set(x.subarray(i * dim, (i + 1) * dim), r * dim));
  const groups = train.length >= 2 ? await label(xt, train.length, dim, durationSec) : [[0]];
  const sums = new Float32Array(groups.length * dim);
  groups.forEach((g, k) => g.forEach((i) => xt.subarray(i * dim, (i + 1) * dim).forEach((v, d) => (sums[k * dim + d]! += v))));
  const labels = assignPerWindow(x, dim, emb.window, unitRows(sums, dim), groups.length);
  const local = new Int32Array(seg.windowCount * LOCAL_SPEAKERS).fill(-1);
  for (let i = 0; i < emb.count; i++) local[emb.window[i]! * LOCAL_SPEAKERS + emb.speaker[i]!] = labels[i]!;
  const activity = withMinDurations(reconstructActivity(seg, local, groups.length, { centerFrames }), DEFAULT_MIN_DURATIONS);
  return activityTurns(activity, durationSec).map((t) => ({ start: t.start, end: t.end, speaker: `S${t.speaker}` }));
}

console.log(`# overlap-aware pipeline tuning, ${runInfo()}, load ${loadavg().map((l) => l.toFixed(1)).join(" ")}, ${threads} threads`);
console.log("| step s | clustering | DER 0.25 | missed | FA | confusion | DER 0 | speakers right | segmentation CPU s / audio min | embeddings CPU s / audio min |");
console.log("|---|---|---|---|---|---|---|---|---|---|");
for (const stepSec of toNumbers(values.steps, "--steps")) {
  const stepFrames = stepFramesOf(stepSec);
  const centerFrames = Math.min(589, Math.max(stepFrames, stepFramesOf(toNumber(values.center, "--center"))));
  const prepared = new Map<string, { seg: LocalSegmentation; emb: LocalEmbeddings; durationSec: number }>();
  let segCpu = 0;
  let embCpu = 0;
  for (const [uri, a] of audio) {
    let c = cpuSeconds();
    const seg = await localSegmentation(a.samples, [(chunks) => segmentationScoresBatch(chunks, models)], { stepFrames });
    segCpu += cpuSeconds() - c;
    c = cpuSeconds();
    const fbank = extractFbankSync(a.samples, [{ start: 0, end: a.durationSec }], { meanNormalize: false });
    const plan = planEmbeddings(seg, fbank.frameCounts[0] ?? 0, { centerFrames });
    const emb = await embedLocalSpeakers(fbank.data, plan, [(f, b, t) => embedBatch(f, b, t, models)]);
    fbank.free();
    embCpu += cpuSeconds() - c;
    prepared.set(uri, { seg, emb, durationSec: a.durationSec });
  }
  for (const [name, label] of labellers) {
    const hypotheses = new Map<string, Turn[]>();
    let right = 0;
    for (const [uri, p] of prepared) {
      const turns = await turnsOf(p.seg, p.emb, centerFrames, p.durationSec, label);
      hypotheses.set(uri, turns);
      if (new Set(turns.map((t) => t.speaker)).size === new Set(set.reference.get(uri)!.map((t) => t.speaker)).size) right++;
    }
    const a = scoreHypotheses(hypotheses, 0.25, set).total;
    const b = scoreHypotheses(hypotheses, 0, set).total;
    const pct = (v: number) => ((100 * v) / a.total).toFixed(1);
    console.log(
      `| ${(stepFrames * 270 / 16000).toFixed(2)} | ${name} | ${(100 * a.der).toFixed(1)} | ${pct(a.missed)} | ${pct(a.falseAlarm)} | ${pct(a.confusion)} | ${(100 * b.der).toFixed(1)} | ${right}/${set.files.length} | ${(segCpu / minutes).toFixed(2)} | ${(embCpu / minutes).toFixed(2)} |`,
    );
  }
}
