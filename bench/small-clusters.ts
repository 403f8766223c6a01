/**
 * What the small clusters of the overlap-aware clustering are, against the reference: for every cluster at the cut
 * that is smaller than the size rule's minimum (or full-size but unheard) and whose members made from their speaker
 * alone hold the rule's 1.5 s, its features and whether it is a voice of its own (BENCHMARKS.md, "Held out:
 * simulator seeds 4 and 5", the fragment cluster of sim-8spk-20min-s4). Used by bench/overlap-clustering.ts --small-clusters.
 */
import type { Turn } from "../src/eval/index.ts";
import {
  averageLinkage,
  clustersFromDendrogram,
  cutDendrogram,
  DEFAULT_MERGE_COSINE,
  DEFAULT_VOICES_APART,
  trainingSet,
  unitRows,
  type ConstrainedClusteringOptions,
} from "../src/pipeline/overlap/constrained-clustering.ts";
import { MIN_CLEAN_FRAMES, type LocalEmbeddings } from "../src/pipeline/overlap/local-embeddings.ts";
import { FRAMES_PER_WINDOW, FRAME_SPAN_SAMPLES, FRAME_STEP_SAMPLES, LOCAL_SPEAKERS, usedFrames, type LocalSegmentation } from "../src/pipeline/overlap/local-segmentation.ts";

export interface SmallCluster {
  /** training embeddings */
  size: number;
  /** seconds alone of its members with >= 1.5 s alone (the rule's measure) */
  aloneSec: number;
  /** aloneSec against that of the nearest large cluster */
  ratio: number;
  /** share of members that are not the local speaker with the most frames of their window's central part (the embedded one) */
  notDominant: number;
  /** the same over the whole 10 s window */
  notDominantWindow: number;
  /** mean seconds alone per member (all members) */
  meanAloneSec: number;
  /** share of members whose window holds another local speaker nearest to that same large cluster (the voice split around overlap) */
  withNearest: number;
  /** share of members with no other member in the window before or after (a voice's turn spans consecutive windows) */
  isolated: number;
  /** cosine distance of its centroid to the nearest large cluster's */
  distance: number;
  /** reference voice it overlaps most, and that share of its members' reference speech */
  voice: string;
  purity: number;
  /** true when no large cluster has this voice as its own (and it is the heard-most small cluster of that voice) */
  real: boolean;
  /** the default rule keeps it as a speaker (not folded into a large cluster) */
  kept: boolean;
}

const BIN_SEC = 0.02;

/** Reference speakers active per 20 ms bin. */
function referenceBins(reference: readonly Turn[], durationSec: number): { names: string[]; bins: Uint8Array[] } {
  const names = [...new Set(reference.map((t) => t.speaker))];
  const count = Math.ceil(durationSec / BIN_SEC) + 1;
  const bins = names.map(() => new Uint8Array(count));
  for (const t of reference) {
    const row = bins[names.indexOf(t.speaker)]!;
    for (let b = Math.max(0, Math.floor(t.start / BIN_SEC)); b < Math.min(count, Math.ceil(t.end / BIN_SEC)); b++) row[b] = 1;
  }
  return { names, bins };
}

/** Per training row (window and local speaker of embedding train[r]), with the reference: */
interface RowReference {
  /** seconds of each reference voice in its frames (its alone frames when it is a clean embedding, else all its frames) */
  sec: Float64Array;
  /** it is the local speaker with the most frames of its window's central part (the embedded one) / of the whole window */
  dominant: boolean;
  dominantWindow: boolean;
}

/** The reference voices heard in each training row's frames. */
function rowReference(
  seg: LocalSegmentation,
  emb: LocalEmbeddings,
  train: readonly number[],
  reference: readonly Turn[],
  centerFrames: number,
): { names: string[]; rows: RowReference[] } {
  const { names, bins } = referenceBins(reference, seg.sampleCount / 16000);
  const frameSec = FRAME_STEP_SAMPLES / 16000;
  const rows = train.map((i) => {
    const [w, k] = [emb.window[i]!, emb.speaker[i]!];
    const [lo, hi] = usedFrames(seg, w, centerFrames);
    const clean = emb.cleanFrames[i]! >= MIN_CLEAN_FRAMES;
    const sec = new Float64Array(names.length);
    const active = new Float64Array(LOCAL_SPEAKERS);
    const activeWindow = new Float64Array(LOCAL_SPEAKERS);
    for (let f = 0; f < FRAMES_PER_WINDOW; f++) {
      const mask = seg.activity[w * FRAMES_PER_WINDOW + f]!;
      for (let s = 0; s < LOCAL_SPEAKERS; s++) if ((mask >> s) & 1) activeWindow[s]!++;
      if (f < lo || f >= hi) continue;
      for (let s = 0; s < LOCAL_SPEAKERS; s++) if ((mask >> s) & 1) active[s]!++;
      if (!((mask >> k) & 1) || (clean && mask !== 1 << k)) continue;
      const b = Math.floor(((w * seg.stepFrames + f) * FRAME_STEP_SAMPLES + FRAME_SPAN_SAMPLES / 2) / 16000 / BIN_SEC);
      names.forEach((_, v) => (sec[v]! += bins[v]![b] ?? 0 ? frameSec : 0));
    }
    return { sec, dominant: active.indexOf(Math.max(...active)) === k, dominantWindow: activeWindow.indexOf(Math.max(...activeWindow)) === k };
  });
  return { names, rows };
}

/** The reference voice a group of training rows overlaps most, and that share of their reference speech. */
export function voiceOfRows(names: readonly string[], rows: readonly RowReference[], g: readonly number[]): { voice: string; purity: number } {
  const sec = new Float64Array(names.length);
  for (const r of g) rows[r]!.sec.forEach((s, v) => (sec[v]! += s));
  const total = sec.reduce((a, b) => a + b, 0);
  const best = sec.indexOf(Math.max(...sec));
  return { voice: total > 0 ? names[best]! : "none", purity: total > 0 ? sec[best]! / total : 0 };
}

/**
 * The default's clusters of a file's training embeddings (rows of `xt`, embeddings `train`), before the fold of
 * continued clusters (it needs the segmentation): the dendrogram and the clusters after the cut, folds and merge.
 */
function trainingClusters(emb: LocalEmbeddings, options: ConstrainedClusteringOptions = {}) {
  const { dim } = emb;
  const x = unitRows(emb.data, dim);
  const train = trainingSet(emb.cleanFrames, options.minTrainCleanFrames ?? 50, options.maxTrain ?? 6000);
  const n = train.length;
  if (n < 2) return undefined;
  const xt = new Float32Array(n * dim);
  train.forEach((i, r) => xt.set(x.subarray(i * dim, (i + 1) * dim), r * dim));
  const aloneSec = train.map((i) => (emb.cleanFrames[i]! >= MIN_CLEAN_FRAMES ? emb.cleanFrames[i]! / 100 : 0));
  const tree = averageLinkage(xt, n, dim);
  const final = clustersFromDendrogram(xt, dim, tree, { ...options, mergeCosine: options.mergeCosine ?? DEFAULT_MERGE_COSINE, voicesApart: options.voicesApart ?? DEFAULT_VOICES_APART }, aloneSec);
  return { x, xt, train, aloneSec, tree, final };
}

/** A file's segmentation and embeddings (as the pipeline made them) with its reference. */
export interface EmbeddedFile {
  seg: LocalSegmentation;
  emb: LocalEmbeddings;
  reference: readonly Turn[];
  centerFrames: number;
}

/**
 * trainingClusters of a file against its reference: besides them, each training row's cluster (`clusterOf`), the
 * reference voices of each row (rowReference) and the unit centroid of any rows.
 */
export function referencedClusters({ seg, emb, reference, centerFrames }: EmbeddedFile, options: ConstrainedClusteringOptions = {}) {
  const clustered = trainingClusters(emb, options);
  if (!clustered) return undefined;
  const { xt, train, final } = clustered;
  const { dim } = emb;
  const clusterOf = new Int32Array(train.length);
  final.forEach((g, k) => g.forEach((r) => (clusterOf[r] = k)));
  const centroid = (g: readonly number[]) => {
    const c = new Float64Array(dim);
    for (const r of g) for (let d = 0; d < dim; d++) c[d]! += xt[r * dim + d]!;
    return unitRows(Float32Array.from(c), dim);
  };
  return { ...clustered, clusterOf, centroid, ...rowReference(seg, emb, train, reference, centerFrames) };
}

export function smallClusters(file: EmbeddedFile, options: ConstrainedClusteringOptions = {}): SmallCluster[] {
  const { emb } = file;
  const { dim } = emb;
  const clustered = referencedClusters(file, options);
  if (!clustered) return [];
  const { x, train, aloneSec, tree, final, clusterOf: finalOf, centroid, names, rows: rowVoices } = clustered;
  const n = train.length;
  let applied = 0;
  while (applied < n - 1 && tree.distance[applied]! <= (options.threshold ?? 0.7)) applied++;
  const cut = cutDendrogram(tree, applied);
  const groups: number[][] = [];
  cut.forEach((l, r) => (groups[l] ??= []).push(r));
  const minSize = Math.min(options.minClusterSize ?? 12, Math.max(1, Math.round(0.1 * n)));
  const speech = (g: number[]) => g.reduce((s, r) => s + aloneSec[r]!, 0);
  const need = options.minClusterSpeechSec ?? MIN_CLEAN_FRAMES / 100;
  // As the rule: full-size clusters stay unless they are fragments nobody is heard alone in.
  const large = groups.filter((g) => g.length >= minSize && !(g.length >= (options.minClusterSize ?? 12) && speech(g) < need));
  const largeCentroids = large.map(centroid);
  const cosine = (p: Float32Array, q: Float32Array) => {
    let s = 0;
    for (let d = 0; d < dim; d++) s += p[d]! * q[d]!;
    return s;
  };

  const voiceOf = (g: number[]) => voiceOfRows(names, rowVoices, g);
  // Nearest large cluster of every embedding of the file (for the other local speakers of a member's window).
  const nearestLarge = Array.from({ length: emb.count }, (_, i) => {
    const e = x.subarray(i * dim, (i + 1) * dim);
    return largeCentroids.length === 0 ? -1 : largeCentroids.reduce((b, q, j) => (cosine(e, q) > cosine(e, largeCentroids[b]!) ? j : b), 0);
  });
  const windowMates = (i: number) => {
    const out: number[] = [];
    for (let j = i - 1; j >= 0 && emb.window[j] === emb.window[i]; j--) out.push(j);
    for (let j = i + 1; j < emb.count && emb.window[j] === emb.window[i]; j++) out.push(j);
    return out;
  };
  const largeVoices = new Set(large.map((g) => voiceOf(g).voice));
  const largeRows = new Set(large.flat());

  const out: (SmallCluster & { key: number })[] = [];
  for (const g of groups) {
    if (large.includes(g) || speech(g) < need) continue;
    const c = centroid(g);
    const near = largeCentroids.length === 0 ? -1 : largeCentroids.reduce((b, q, j) => (cosine(c, q) > cosine(c, largeCentroids[b]!) ? j : b), 0);
    const { voice, purity } = voiceOf(g);
    out.push({
      key: speech(g),
      size: g.length,
      aloneSec: speech(g),
      ratio: near < 0 ? Infinity : speech(g) / speech(large[near]!),
      notDominant: g.filter((r) => !rowVoices[r]!.dominant).length / g.length,
      notDominantWindow: g.filter((r) => !rowVoices[r]!.dominantWindow).length / g.length,
      meanAloneSec: g.reduce((s, r) => s + emb.cleanFrames[train[r]!]! / 100, 0) / g.length,
      withNearest: g.filter((r) => windowMates(train[r]!).some((j) => nearestLarge[j] === near)).length / g.length,
      isolated: g.filter((r) => !g.some((q) => Math.abs(emb.window[train[q]!]! - emb.window[train[r]!]!) === 1)).length / g.length,
      distance: near < 0 ? NaN : 1 - cosine(c, largeCentroids[near]!),
      voice,
      purity,
      real: voice !== "none" && !largeVoices.has(voice),
      kept: !final[finalOf[g[0]!]!]!.some((r) => largeRows.has(r)),
    });
  }
  // A voice with no large cluster but several small ones: only its heard-most small cluster is that voice.
  for (const s of out) if (s.real && out.some((o) => o !== s && o.voice === s.voice && o.key > s.key)) s.real = false;
  return out.map(({ key: _, ...s }) => s);
}
