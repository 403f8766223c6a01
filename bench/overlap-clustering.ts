/**
 * The overlap-aware pipeline's clustering and reconstruction, measured apart from the models: segmentation and embeddings of
 * each file are computed once (cached in ~/.cache/senko/overlap-embeddings, keyed by file, audio hash and window step),
 * then every clustering variant runs on them with the pipeline's own reconstruction, and prints the speaker
 * count and DER (merged segments, collar 0.25) per file and pooled per set (pooled at collar 0 too).
 *   bun run bench/overlap-clustering.ts [--sets many,default,simulated,ami] [--variants size-only,default,no-ratio,ratio-1.25,ratio-5,no-borrow]
 *                                       [--seeds 1,2] [--speakers 1,4] [--step <s>] [--center <s>] [--threads 2] [--distances]
 * Variants also by pattern: merge-<t> (clusters whose centroids are closer than cosine distance t merge; the default
 * is merge-0.48, no-merge leaves them); continued-<s>-own-<o> (a cluster folds into another when a share s of its members
 * continue that one's across overlapping windows and at most o their own; the default is 0.5 and 0.333,
 * no-continuity turns it off; no-company counts every continuing member and needs three, as before members had to be
 * in windows with another local speaker); apart-<t> (two sides of a merge that are each a voice by the small-cluster rule
 * merge only below average cosine distance t; the default is apart-0.65, no-apart leaves them to the cut); borrow-<s>
 * (votes borrowed up to s seconds away; the default 0.5, Infinity for the whole stretch of speech); min-off-<s> (a
 * speaker's silences under s seconds filled; the default 0.5). Centroid linkage (pyannote 3.1) was measured at commit 0f69413 (BENCHMARKS.md,
 * "overlap-aware: centroid linkage, merging near centroids").
 * --distances prints, per set, the cosine distances between the default's speaker centroids, split by whether the two
 * speakers are the same reference voice (each speaker is the voice it overlaps most).
 * --pairs <d> prints every two speakers of the default whose centroids are within cosine distance d, with what might
 * tell one voice split in two from two voices (bench/voice-pairs.ts) and whether they are one voice by the reference.
 * --exclusive scores the exclusive view (one speaker per frame) as well: a second pooled table.
 * --confusion prints, per set, where the default's confusion comes from (bench/confusion-sources.ts): by distance
 * from the nearest reference boundary, overlap, turn length, pair of voices and the stage that gave the wrong voice.
 * --small-clusters prints every small cluster at the default's cut that its speech alone could keep, with what
 * tells a voice from fragments (bench/small-clusters.ts) and whether it is a voice of its own by the reference.
 * Sets: default = bench:accuracy:sim's 1-20 min x 1-8 speakers, many = its 10/20/40 speakers x 3 turns,
 * long = its 60-min files, 180 = its 180-min files, podcast = 3 speakers x 25 min (the podcast-like file), simulated = bench:accuracy's simulated set, ami = the 11 AMI fixtures.
 * --seeds draws the default, many, long and 180 sets with each of these simulator seeds (default 1); --speakers keeps
 * only their files of these speaker counts.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { homedir, loadavg } from "node:os";
import { join } from "node:path";
import { readAudio } from "../src/audio/index.ts";
import { diarizationErrorRate, type DerComponents, type Turn } from "../src/eval/index.ts";
import { extractFbankSync } from "../src/features/fbank.ts";
import { embedBatch, segmentationScoresBatch } from "../src/models/index.ts";
import { embedLocalSpeakers, planEmbeddings, type LocalEmbeddings } from "../src/pipeline/overlap/local-embeddings.ts";
import { localSegmentation, type LocalSegmentation } from "../src/pipeline/overlap/local-segmentation.ts";
import { clusteredResult, DEFAULT_MIN_DURATIONS, windowFrames, type OverlapPipelineOptions } from "../src/pipeline/overlap/overlap-diarization.ts";
import { FRAME_SPAN_SAMPLES, FRAME_STEP_SAMPLES } from "../src/pipeline/overlap/local-segmentation.ts";
import { SAMPLE_RATE, type TimeSpan } from "../src/types.ts";
import { loadAmi, uriOf } from "./ami-eval.ts";
import { runInfo } from "./run-info.ts";
import { NotDrawable, simulateConversation, simulationName, type SimulationOptions } from "./simulate.ts";
import { SIMULATED_SET } from "./simulated-set.ts";
import { smallClusters, type SmallCluster } from "./small-clusters.ts";
import { confusionReport, confusionSources, type ConfusionSources } from "./confusion-sources.ts";
import { voicePairs, type VoicePair } from "./voice-pairs.ts";
import { benchArgs, toNumber, toNumbers } from "./args.ts";
import { AMI_DIR, needFixture } from "./fixtures.ts";

const { values } = benchArgs(import.meta.path, {
  sets: { type: "string", default: "many,default,simulated,ami" },
  variants: { type: "string", default: "size-only,default" },
  seeds: { type: "string", default: "1" },
  speakers: { type: "string" },
  step: { type: "string" },
  center: { type: "string" },
  threads: { type: "string", default: "2" },
  distances: { type: "boolean", default: false },
  "small-clusters": { type: "boolean", default: false },
  pairs: { type: "string" },
  exclusive: { type: "boolean", default: false },
  confusion: { type: "boolean", default: false },
});

/**
 * Variants by name: the size rule alone (pyannote's fold), the default small-cluster rule (1.5 s heard alone and
 * 2.5 % of the nearest large cluster's such speech), that rule without its ratio (session 4's rule but for its
 * 0.2 % share of the file, which the ratio replaced), and with the ratio halved / doubled; the default without
 * borrowed votes in the reconstruction; the default without merging clusters of near centroids; every two local
 * speakers of a window kept apart (window-apart: the constraint before session 20, pyannote's).
 */
type Variant = Pick<OverlapPipelineOptions, "clustering" | "reconstruction" | "minDurations">;
const VARIANTS: Record<string, Variant> = {
  "size-only": { clustering: { minClusterSpeechSec: Infinity } },
  default: {},
  "no-ratio": { clustering: { minClusterSpeechRatio: 0 } },
  "ratio-1.25": { clustering: { minClusterSpeechRatio: 0.0125 } },
  "ratio-5": { clustering: { minClusterSpeechRatio: 0.05 } },
  "no-borrow": { reconstruction: { borrowSec: 0 } },
  "window-apart": { clustering: { cannotLink: "window" } },
  "no-merge": { clustering: { mergeCosine: Infinity } },
  "no-continuity": { clustering: { continuedShare: Infinity } },
  "no-company": { clustering: { continuedInCompany: false } },
  "no-apart": { clustering: { voicesApart: Infinity } },
};

/** A variant by name, or by pattern (see the module comment). */
function variant(name: string): Variant | undefined {
  if (VARIANTS[name]) return VARIANTS[name];
  const m = /^merge-([0-9.]+)$/.exec(name);
  if (m) return { clustering: { mergeCosine: 1 - Number(m[1]) } };
  const a = /^apart-([0-9.]+)$/.exec(name);
  if (a) return { clustering: { voicesApart: Number(a[1]) } };
  const off = /^min-off-([0-9.]+)$/.exec(name);
  if (off) return { minDurations: { ...DEFAULT_MIN_DURATIONS, minDurationOffSec: Number(off[1]) } };
  const b = /^borrow-([0-9.]+|Infinity)$/.exec(name);
  if (b) return { reconstruction: { borrowSec: Number(b[1]) } };
  const c = /^continued-([0-9.]+)-own-([0-9.]+)$/.exec(name);
  return c ? { clustering: { continuedShare: Number(c[1]), continuedOwnShare: Number(c[2]) } } : undefined;
}

/** Seconds each found speaker overlaps each reference speaker. */
function overlapWith(found: readonly Turn[], reference: readonly Turn[]): Map<string, Map<string, number>> {
  const out = new Map<string, Map<string, number>>();
  for (const f of found) {
    const row = out.get(f.speaker) ?? new Map<string, number>();
    out.set(f.speaker, row);
    for (const r of reference) {
      const o = Math.min(f.end, r.end) - Math.max(f.start, r.start);
      if (o > 0) row.set(r.speaker, (row.get(r.speaker) ?? 0) + o);
    }
  }
  return out;
}

/** Per set: cosine distances between speaker centroids of the same reference voice / of two voices. */
const distances = new Map<string, { same: string[]; distinct: { dist: number; label: string }[] }>();

function recordDistances(set: string, name: string, r: { speakers: string[]; speakerCentroids: Record<string, Float32Array>; mergedSegments: Turn[] }, reference: Turn[]) {
  const over = overlapWith(r.mergedSegments, reference);
  const voice = (s: string) => [...(over.get(s) ?? new Map<string, number>())].sort((p, q) => q[1] - p[1])[0]?.[0];
  const d = distances.get(set) ?? { same: [], distinct: [] };
  distances.set(set, d);
  for (let i = 0; i < r.speakers.length; i++) {
    for (let j = i + 1; j < r.speakers.length; j++) {
      const [p, q] = [r.speakerCentroids[r.speakers[i]!]!, r.speakerCentroids[r.speakers[j]!]!];
      let sim = 0;
      for (let k = 0; k < p.length; k++) sim += p[k]! * q[k]!;
      const dist = 1 - sim;
      const [vp, vq] = [voice(r.speakers[i]!), voice(r.speakers[j]!)];
      if (vp !== undefined && vp === vq) d.same.push(`${name} ${r.speakers[i]}/${r.speakers[j]} (${vp}): ${dist.toFixed(3)}`);
      else d.distinct.push({ dist, label: `${name} ${vp}/${vq}` });
    }
  }
}

interface Input {
  set: string;
  name: string;
  reference: Turn[];
  uem: TimeSpan[];
  speakers: number;
  samples: () => Promise<Float32Array>;
}

const sim = (set: string, o: SimulationOptions): Input => {
  let c: Awaited<ReturnType<typeof simulateConversation>> | undefined;
  return {
    set,
    name: simulationName(o),
    reference: [],
    uem: [],
    speakers: o.speakers,
    async samples() {
      c ??= await simulateConversation(o);
      this.reference = c.reference;
      this.uem = c.uem;
      return c.samples;
    },
  };
};

const seeds = toNumbers(values.seeds, "--seeds");
const speakerCounts = values.speakers?.split(",").map(Number);
const seeded = (set: string, specs: Omit<SimulationOptions, "seed">[]) =>
  seeds.flatMap((seed) => specs.filter((o) => !speakerCounts || speakerCounts.includes(o.speakers)).map((o) => sim(set, { ...o, seed })));

function inputs(set: string): Input[] {
  switch (set) {
    case "default":
      return seeded(set, [1, 5, 20].flatMap((minutes) => [1, 2, 4, 8].map((speakers) => ({ speakers, minutes }))));
    case "many":
      return seeded(set, [10, 20, 40].map((speakers) => ({ speakers, turnsPerSpeaker: 3 })));
    case "podcast":
      return seeded(set, [{ speakers: 3, minutes: 25 }]);
    case "long":
      return seeded(set, [1, 4, 8].map((speakers) => ({ speakers, minutes: 60 })));
    case "180":
      return seeded(set, [1, 4, 8].map((speakers) => ({ speakers, minutes: 180 })));
    case "simulated":
      return SIMULATED_SET.map((o) => sim(set, o));
    case "ami": {
      const ami = loadAmi(needFixture(AMI_DIR));
      return ami.files.map((file) => {
        const uri = uriOf(file);
        const reference = ami.reference.get(uri)!;
        return {
          set,
          name: uri,
          reference,
          uem: ami.uem.get(uri)!,
          speakers: new Set(reference.map((t) => t.speaker)).size,
          samples: async () => (await readAudio(file)).samples,
        };
      });
    }
    default:
      throw new Error(`unknown set ${set}`);
  }
}

const CACHE = join(homedir(), ".cache", "senko", "overlap-embeddings");
const models = { threads: toNumber(values.threads, "--threads") };
const stepSec = values.step === undefined ? undefined : toNumber(values.step, "--step");
const centerSec = values.center === undefined ? undefined : toNumber(values.center, "--center");
const { stepFrames, centerFrames } = windowFrames({ stepSec, centerSec });
const defaultCenter = centerFrames === windowFrames({ stepSec }).centerFrames;

function readCache(path: string): { seg: LocalSegmentation; emb: LocalEmbeddings } {
  const j = JSON.parse(readFileSync(path, "utf8"));
  const seg: LocalSegmentation = { ...j.seg, activity: Uint8Array.from(j.seg.activity) };
  const emb = {
    ...j.emb,
    window: Uint32Array.from(j.emb.window),
    speaker: Uint8Array.from(j.emb.speaker),
    cleanFrames: Uint32Array.from(j.emb.cleanFrames),
    data: Float32Array.from(j.emb.data),
    indices: new Uint32Array(0),
    offsets: new Uint32Array(0),
    lengths: new Uint32Array(0),
  } as LocalEmbeddings;
  return { seg, emb };
}

async function prepared(input: Input): Promise<{ seg: LocalSegmentation; emb: LocalEmbeddings }> {
  const samples = await input.samples();
  // Keyed by the audio itself, so a changed simulator never serves another file's embeddings.
  const audio = new Bun.CryptoHasher("sha256").update(samples).digest("hex").slice(0, 12);
  const base = join(CACHE, `${input.name}-${audio}-step${stepFrames}`);
  const path = defaultCenter ? `${base}.json` : `${base}-center${centerFrames}.json`;
  if (existsSync(path)) return readCache(path);
  // Segmentation does not depend on the embedded centre: reuse the default centre's when cached.
  const seg = !defaultCenter && existsSync(`${base}.json`)
    ? readCache(`${base}.json`).seg
    : await localSegmentation(samples, [(chunks) => segmentationScoresBatch(chunks, models)], { stepFrames });
  const fbank = extractFbankSync(samples, [{ start: 0, end: samples.length / 16000 }], { meanNormalize: false });
  const emb = await embedLocalSpeakers(fbank.data, planEmbeddings(seg, fbank.frameCounts[0] ?? 0, { centerFrames }), [(f, b, t) => embedBatch(f, b, t, models)]);
  fbank.free();
  mkdirSync(CACHE, { recursive: true });
  const plain = (a: ArrayLike<number>) => Array.from(a);
  writeFileSync(
    path,
    JSON.stringify({
      seg: { windowCount: seg.windowCount, stepFrames: seg.stepFrames, sampleCount: seg.sampleCount, activity: plain(seg.activity) },
      emb: { count: emb.count, dim: emb.dim, window: plain(emb.window), speaker: plain(emb.speaker), cleanFrames: plain(emb.cleanFrames), data: plain(emb.data) },
    }),
  );
  return { seg, emb };
}

const variants = values.variants.split(",");
for (const v of variants) if (!variant(v)) throw new Error(`unknown variant ${v} (${Object.keys(VARIANTS).join(", ")})`);
console.log(`# overlap-aware clustering variants, ${runInfo()}, load ${loadavg()[0]!.toFixed(1)}, step ${stepFrames} frames, centre ${centerFrames} frames`);
console.log(`| file [speakers] | ${variants.join(" | ")} |`);
console.log(`|---|${variants.map(() => "---").join("|")}|`);
/** Per set and variant, and per variant over every set ("all"): files, exact counts, DER parts, frames counted as speech and those left without a speaker. */
const pooled = new Map<string, { files: number; right: number; parts: DerComponents[]; noCollar: DerComponents[]; counted: number; unassigned: number; unassignedRaw: number; unassignedSpeech: number }>();
const clusterSec = new Map<string, number>();
/** The same for the exclusive view (--exclusive): its DER parts per set and variant. */
const exclusivePooled = new Map<string, DerComponents[]>();
const confusions = new Map<string, ConfusionSources[]>();
const small: (SmallCluster & { file: string; set: string })[] = [];
const pairs: (VoicePair & { file: string; set: string })[] = [];
const identity = async <T>(_: unknown, run: () => T | Promise<T>) => run();
for (const set of values.sets.split(",")) {
  for (const input of inputs(set)) {
    const ready = await prepared(input).catch((error) => {
      if (!(error instanceof NotDrawable)) throw error;
      console.log(`| ${input.name} [${input.speakers}] | not drawn: ${error.message} |`);
    });
    if (!ready) continue;
    const { seg, emb } = ready;
    const file = { seg, emb, reference: input.reference, centerFrames };
    if (values.confusion) confusions.set(set, [...(confusions.get(set) ?? []), confusionSources(seg, emb, input.reference, input.uem)]);
    if (values["small-clusters"]) small.push(...smallClusters(file).map((c) => ({ ...c, file: input.name, set })));
    if (values.pairs) pairs.push(...voicePairs(file, toNumber(values.pairs, "--pairs")).map((p) => ({ ...p, file: input.name, set })));
    const cells: string[] = [];
    for (const v of variants) {
      const started = performance.now();
      const r = await clusteredResult(seg, emb, { stepSec, centerSec, ...variant(v) }, identity);
      clusterSec.set(v, (clusterSec.get(v) ?? 0) + (performance.now() - started) / 1000);
      if (values.distances && v === "default") recordDistances(set, input.name, r, input.reference);
      const found = r.speakers.length;
      const der = diarizationErrorRate(input.reference, r.mergedSegments, { collar: 0.25, uem: input.uem });
      const noCollar = diarizationErrorRate(input.reference, r.mergedSegments, { collar: 0, uem: input.uem });
      cells.push(`${found}, ${(100 * der.der).toFixed(1)}`);
      if (values.exclusive) {
        const exclusive = diarizationErrorRate(input.reference, r.exclusiveSegments, { collar: 0.25, uem: input.uem });
        cells[cells.length - 1] += ` (excl. ${(100 * exclusive.der).toFixed(1)})`;
        for (const key of [`${set} ${v}`, `all ${v}`]) exclusivePooled.set(key, [...(exclusivePooled.get(key) ?? []), exclusive]);
      }
      const { frameCount, speakers, active, count } = r.activity;
      // Frames of speech the windows count that no merged turn covers; of those, the ones no raw turn covers
      // either (before the duration rules) and the ones in the reference's speech.
      const [rawCovered, referenceSpeech] = [framesCovered(r.rawSegments, frameCount), framesCovered(input.reference, frameCount)];
      let [counted, unassigned, unassignedRaw, unassignedSpeech] = [0, 0, 0, 0];
      for (let t = 0; t < frameCount; t++) {
        if (count[t] === 0) continue;
        counted++;
        if (active.subarray(t * speakers, (t + 1) * speakers).some((a) => a)) continue;
        unassigned++;
        if (!rawCovered[t]) unassignedRaw++;
        unassignedSpeech += referenceSpeech[t]!;
      }
      for (const key of [`${set} ${v}`, `all ${v}`]) {
        const p = pooled.get(key) ?? { files: 0, right: 0, parts: [], noCollar: [], counted: 0, unassigned: 0, unassignedRaw: 0, unassignedSpeech: 0 };
        p.files++;
        if (found === input.speakers) p.right++;
        p.parts.push(der);
        p.noCollar.push(noCollar);
        p.counted += counted;
        p.unassigned += unassigned;
        p.unassignedRaw += unassignedRaw;
        p.unassignedSpeech += unassignedSpeech;
        pooled.set(key, p);
      }
    }
    console.log(`| ${input.name} [${input.speakers}] | ${cells.join(" | ")} |`);
  }
}
/** 1 for each of the first `frameCount` segmentation frames whose centre lies in one of `turns`. */
function framesCovered(turns: readonly Turn[], frameCount: number): Uint8Array {
  const covered = new Uint8Array(frameCount);
  const frameAt = (sec: number) => (sec * SAMPLE_RATE - FRAME_SPAN_SAMPLES / 2) / FRAME_STEP_SAMPLES;
  for (const turn of turns) covered.fill(1, Math.max(0, Math.ceil(frameAt(turn.start))), Math.min(frameCount, Math.floor(frameAt(turn.end)) + 1));
  return covered;
}
/** Pooled DER, missed, false alarm and confusion, % of the reference speech. */
function pooledPercent(parts: readonly DerComponents[]): string[] {
  const sum = (part: (c: DerComponents) => number) => parts.reduce((s, c) => s + part(c), 0);
  const pct = (part: (c: DerComponents) => number) => ((100 * sum(part)) / sum((c) => c.total)).toFixed(2);
  return [pct((c) => c.missed + c.falseAlarm + c.confusion), pct((c) => c.missed), pct((c) => c.falseAlarm), pct((c) => c.confusion)];
}
const setsFirst = <T>(rows: Map<string, T>) => [...rows].sort(([a], [b]) => Number(a.startsWith("all ")) - Number(b.startsWith("all ")));
console.log("\n| set, variant | count exact | pooled DER % | missed % | false alarm % | confusion % | collar 0: DER % | confusion % | speech counted, no speaker % | of it, before the duration rules % | of it, in the reference's speech % |\n|---|---|---|---|---|---|---|---|---|---|---|");
for (const [key, p] of setsFirst(pooled)) {
  const [der0, , , confusion0] = pooledPercent(p.noCollar);
  console.log(`| ${key} | ${p.right}/${p.files} | ${pooledPercent(p.parts).join(" | ")} | ${der0} | ${confusion0} | ${((100 * p.unassigned) / Math.max(1, p.counted)).toFixed(2)} | ${((100 * p.unassignedRaw) / Math.max(1, p.counted)).toFixed(2)} | ${((100 * p.unassignedSpeech) / Math.max(1, p.counted)).toFixed(2)} |`);
}
if (values.exclusive) {
  console.log("\n| set, variant | exclusive view: pooled DER % | missed % | false alarm % | confusion % |\n|---|---|---|---|---|");
  for (const [key, parts] of setsFirst(exclusivePooled)) console.log(`| ${key} | ${pooledPercent(parts).join(" | ")} |`);
}
console.log(`\nclustering + reconstruction seconds per variant: ${[...clusterSec].map(([v, t]) => `${v} ${t.toFixed(1)}`).join(", ")}`);
if (values.distances) {
  console.log("\n| set | centroid pairs of two voices | smallest cosine distances between two voices | pairs of one voice (cosine distance) |\n|---|---|---|---|");
  for (const [set, d] of distances) {
    const low = [...d.distinct].sort((p, q) => p.dist - q.dist).slice(0, 5).map((x) => `${x.dist.toFixed(3)} (${x.label})`);
    console.log(`| ${set} | ${d.distinct.length} | ${low.join(", ")} | ${d.same.join("; ") || "none"} |`);
  }
}
for (const [set, files] of confusions) console.log(confusionReport(set, files));
if (values["small-clusters"]) {
  console.log("\n| set | file | size | alone s | % of nearest large | not dominant (centre / window) | mean alone s | with its nearest | isolated | distance | voice (purity) | voice of its own | default |\n|---|---|---|---|---|---|---|---|---|---|---|---|---|");
  for (const c of small) {
    const cells = [c.set, c.file, c.size, c.aloneSec.toFixed(1), (100 * c.ratio).toFixed(2), `${c.notDominant.toFixed(2)} / ${c.notDominantWindow.toFixed(2)}`, c.meanAloneSec.toFixed(2), c.withNearest.toFixed(2), c.isolated.toFixed(2), c.distance.toFixed(3)];
    console.log(`| ${cells.join(" | ")} | ${c.voice} (${c.purity.toFixed(2)}) | ${c.real ? "yes" : "no"} | ${c.kept ? "kept" : "folded"} |`);
  }
}
if (values.pairs) {
  console.log("\n| set | file | sizes | voices | one voice | distance | shared | touch | touch / chance | nearest ratio | spread ratio | continued | continued own |\n|---|---|---|---|---|---|---|---|---|---|---|---|---|");
  for (const p of pairs) {
    const f = (v: number) => v.toFixed(3);
    console.log(`| ${[p.set, p.file, p.sizes.join("/"), p.voices.join("/"), p.same ? "yes" : "no", f(p.distance), f(p.shared), f(p.touch), f(p.touchRatio), f(p.nearestRatio), f(p.spreadRatio), f(p.continued), f(p.continuedOwn)].join(" | ")} |`);
  }
}
