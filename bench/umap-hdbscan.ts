/**
 * UMAP + HDBSCAN speed: synthetic speaker-like 192-d embeddings (4 clusters of unequal sizes + 5%
 * background noise) at several sizes, on 1 and 2 threads, with the time of each native stage; and
 * umap-js (the JavaScript port, same settings: 40 neighbours, 60 components, min_dist 0, cosine, 500
 * epochs) beside our UMAP on the same data in the same process at the peer size.
 *   bun run bench/umap-hdbscan.ts [sizes=2000,5000,10000] [threads=1,2] [peerSize=2000] [repeats=1]
 */
import { cosine, UMAP } from "umap-js/dist/umap.js";
import {
  umapEmbed,
  umapHdbscanLabels,
  type UmapHdbscanTimings,
  type UmapTimings,
} from "../src/cluster/umap-hdbscan.ts";
import { setNativeThreads } from "../src/ffi.ts";

/** Deterministic uniform [0, 1) (mulberry32). */
function uniform(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface SpeakerBlobs {
  data: Float32Array;
  /** cluster of each row, -1 for background noise */
  truth: Int32Array;
  count: number;
  dim: number;
}

/**
 * `count` rows: clusters with the given relative sizes whose centres share a common direction
 * (cosine between centres ~`shared`), points = centre + `spread` x N(0, I) (cosine to the own centre
 * ~1/sqrt(1 + spread^2)), plus `noiseFraction` isotropic rows in no cluster.
 */
export function speakerBlobs(
  count: number,
  weights: readonly number[],
  options: { dim?: number; spread?: number; shared?: number; noiseFraction?: number; seed?: number } = {},
): SpeakerBlobs {
  const { dim = 192, spread = 1, shared = 0.4, noiseFraction = 0.05, seed = 1 } = options;
  const u = uniform(seed);
  const g = () => Math.sqrt(-2 * Math.log(1 - u())) * Math.cos(2 * Math.PI * u());
  const common = Array.from({ length: dim }, g);
  const centres = weights.map(() => common.map((c) => Math.sqrt(shared) * c + Math.sqrt(1 - shared) * g()));
  const clustered = count - Math.round(count * noiseFraction);
  const total = weights.reduce((a, b) => a + b, 0);
  const data = new Float32Array(count * dim);
  const truth = new Int32Array(count).fill(-1);
  let row = 0;
  weights.forEach((w, c) => {
    const size = c === weights.length - 1 ? clustered - row : Math.round((clustered * w) / total);
    for (let i = 0; i < size; i++, row++) {
      truth[row] = c;
      for (let d = 0; d < dim; d++) data[row * dim + d] = centres[c]![d]! + spread * g();
    }
  });
  for (; row < count; row++) {
    for (let d = 0; d < dim; d++) data[row * dim + d] = Math.sqrt(1 + spread * spread) * g();
  }
  return { data, truth, count, dim };
}

/** Clusters found and the share of clustered rows in their cluster's majority class. */
export function quality(labels: Int32Array, truth: Int32Array): { clusters: number; purity: number; noise: number } {
  const counts = new Map<number, Map<number, number>>();
  let noise = 0;
  for (let i = 0; i < labels.length; i++) {
    if (labels[i]! < 0) noise++;
    if (labels[i]! < 0 || truth[i]! < 0) continue;
    const m = counts.get(labels[i]!) ?? new Map<number, number>();
    m.set(truth[i]!, (m.get(truth[i]!) ?? 0) + 1);
    counts.set(labels[i]!, m);
  }
  let majority = 0;
  let total = 0;
  for (const m of counts.values()) {
    majority += Math.max(...m.values());
    for (const v of m.values()) total += v;
  }
  return { clusters: counts.size, purity: total > 0 ? majority / total : 0, noise: noise / labels.length };
}

const WEIGHTS = [4, 3, 2, 1];

function seconds(ms: number): string {
  return (ms / 1000).toFixed(3);
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

async function main(): Promise<void> {
  const sizes = (process.argv[2] ?? "2000,5000,10000").split(",").map(Number);
  const threadCounts = (process.argv[3] ?? "1,2").split(",").map(Number);
  const peerSize = Number(process.argv[4] ?? 2000);
  const repeats = Number(process.argv[5] ?? 1);

  console.log(`# UMAP + HDBSCAN, 192-d, clusters ${WEIGHTS.join(":")} + 5% noise; seconds (median of ${repeats})`);
  console.log(
    "| N | threads | kNN | graph | init | layout | UMAP | core dist | MST | tree+labels | HDBSCAN | total | clusters | purity | noise |",
  );
  console.log("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|");
  for (const count of sizes) {
    const blobs = speakerBlobs(count, WEIGHTS);
    for (const threads of threadCounts) {
      setNativeThreads(threads);
      const runs: { t: UmapHdbscanTimings; wall: number; labels: Int32Array }[] = [];
      for (let r = 0; r < repeats; r++) {
        const t = {} as UmapHdbscanTimings;
        const t0 = performance.now();
        const labels = umapHdbscanLabels(blobs.data, count, blobs.dim, {}, t);
        runs.push({ t, wall: performance.now() - t0, labels });
      }
      const pick = (f: (x: (typeof runs)[number]) => number) => seconds(median(runs.map(f)));
      const q = quality(runs[0]!.labels, blobs.truth);
      console.log(
        `| ${count} | ${threads} | ${pick((x) => x.t.knnMs)} | ${pick((x) => x.t.graphMs)} | ${pick((x) => x.t.initMs)} | ` +
          `${pick((x) => x.t.layoutMs)} | ${pick((x) => x.t.knnMs + x.t.graphMs + x.t.initMs + x.t.layoutMs)} | ` +
          `${pick((x) => x.t.coreMs)} | ${pick((x) => x.t.treeMs)} | ${pick((x) => x.t.labelsMs)} | ` +
          `${pick((x) => x.t.coreMs + x.t.treeMs + x.t.labelsMs)} | ${pick((x) => x.wall)} | ${q.clusters} | ` +
          `${q.purity.toFixed(4)} | ${(100 * q.noise).toFixed(1)}% |`,
      );
    }
  }

  if (peerSize > 0) {
    const blobs = speakerBlobs(peerSize, WEIGHTS);
    const ours: Record<number, number> = {};
    for (const threads of threadCounts) {
      setNativeThreads(threads);
      const t = {} as UmapTimings;
      const t0 = performance.now();
      umapEmbed(blobs.data, peerSize, blobs.dim, {}, t);
      ours[threads] = performance.now() - t0;
    }
    const rows = Array.from({ length: peerSize }, (_, i) => Array.from(blobs.data.subarray(i * 192, (i + 1) * 192)));
    const t0 = performance.now();
    const reference = new UMAP({ nNeighbors: 40, nComponents: 60, minDist: 0, distanceFn: cosine, random: uniform(42) });
    reference.fit(rows);
    const peer = performance.now() - t0;
    console.log(`\n# UMAP alone at N = ${peerSize} (same data, same process)`);
    console.log("| implementation | seconds | umap-js / this |");
    console.log("|---|---|---|");
    console.log(`| umap-js 1.4.0 (1 thread) | ${seconds(peer)} | 1 |`);
    for (const threads of threadCounts) {
      console.log(`| senko, ${threads} thread${threads > 1 ? "s" : ""} | ${seconds(ours[threads]!)} | ${(peer / ours[threads]!).toFixed(0)}x |`);
    }
  }
}

if (import.meta.main) await main();
