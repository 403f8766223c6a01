/**
 * @module Speaker labels of a growing set of embeddings, for live snapshots, at a bounded cost. The full
 * clustering stage (`cluster`, the one batch runs) runs again only when the set has grown by a share
 * since the last run (5 % up to 750 embeddings, rising to 25 % from 3,750 on: a clustering costs more
 * than linearly, UMAP + HDBSCAN from 20 minutes on more still), or sooner (a fifth of that) when a good
 * part of the new embeddings fit no speaker well, as when someone new speaks; in between, each new
 * embedding takes the speaker of the nearest centroid of the last run and the labels of the others are
 * kept. Re-running at a geometric schedule costs a small multiple of one final clustering, however long
 * the session. The schedule counts embeddings only, so the labels do not depend on timing.
 */
import { cluster, type ClusterOptions } from "../cluster/cluster.ts";
import { GrowableArray } from "../growable-array.ts";
import type { Embeddings } from "../types.ts";

export interface SnapshotClusteringOptions {
  /** share of growth that re-clusters, by the number of embeddings clustered last (default: 5 % rising to 25 %) */
  growth?: (clustered: number) => number;
  /** new embeddings below every speaker's usual similarity that bring the re-clustering forward (default 4, and a quarter of the new ones) */
  poorCount?: number;
}

/**
 * 5 % up to 750 embeddings (10 min of speech or so), then rising with the count to 25 % from 3,750 on: the
 * schedule of both pipelines' live snapshots.
 */
export const reclusterGrowth = (clustered: number) => Math.min(0.25, Math.max(0.05, clustered / 15000));

/** Of the similarities of a speaker's embeddings to its centroid, the share below which an embedding fits poorly. */
const POOR_QUANTILE = 0.05;

export class SnapshotClustering {
  readonly #options: Omit<ClusterOptions, "audioDurationSec">;
  readonly #growth: (clustered: number) => number;
  readonly #poorCount: number;
  /** a label for each embedding labelled so far */
  readonly #labels = new GrowableArray(Int32Array, { minCapacity: 256 });
  /** embeddings in the last full clustering */
  #clustered = 0;
  /** unit centroids of the last clustering, speakers x dim */
  #centroids = new Float32Array(0);
  #speakers = 0;
  /** similarity to its centroid under which a new embedding fits poorly */
  #poorBelow = -1;
  #poor = 0;
  /** whether the last `labels` call ran the full clustering */
  reclustered = false;

  constructor(options: Omit<ClusterOptions, "audioDurationSec">, schedule: SnapshotClusteringOptions = {}) {
    this.#options = options;
    this.#growth = schedule.growth ?? reclusterGrowth;
    this.#poorCount = schedule.poorCount ?? 4;
  }

  /** One label per embedding (a view, valid until the next call); labels of earlier embeddings change only when the clustering runs again. */
  async labels(embeddings: Embeddings, audioDurationSec: number): Promise<Int32Array> {
    const { count, dim } = embeddings;
    const labelled = this.#labels.count;
    const labels = this.#labels.resize(count);
    for (let i = labelled; i < count; i++) labels[i] = this.#nearest(embeddings.data, i, dim);
    const fresh = count - this.#clustered;
    const growth = this.#growth(this.#clustered);
    // Poor fits bring the clustering forward when they are many among the new embeddings, not the few any speaker has.
    const newcomer = this.#poor >= Math.max(this.#poorCount, 0.25 * fresh);
    const due =
      fresh > 0 &&
      (this.#clustered === 0 ||
        fresh >= Math.max(2, Math.ceil(growth * this.#clustered)) ||
        (newcomer && fresh >= Math.max(2, Math.ceil((growth / 5) * this.#clustered))));
    this.reclustered = due;
    if (due) await this.#recluster(embeddings, audioDurationSec);
    return this.#labels.view();
  }

  /** The speaker of the nearest centroid (0 before any clustering); counts a poor fit. */
  #nearest(data: Float32Array, i: number, dim: number): number {
    if (this.#speakers === 0) return 0;
    let norm = 0;
    for (let d = 0; d < dim; d++) norm += data[i * dim + d]! ** 2;
    const inv = norm > 0 ? 1 / Math.sqrt(norm) : 0;
    let best = 0;
    let bestSimilarity = -Infinity;
    for (let k = 0; k < this.#speakers; k++) {
      let s = 0;
      for (let d = 0; d < dim; d++) s += data[i * dim + d]! * this.#centroids[k * dim + d]!;
      if (s * inv > bestSimilarity) {
        bestSimilarity = s * inv;
        best = k;
      }
    }
    if (bestSimilarity < this.#poorBelow) this.#poor++;
    return best;
  }

  async #recluster(embeddings: Embeddings, audioDurationSec: number): Promise<void> {
    const { data, count, dim } = embeddings;
    const result = await cluster({ data: data.subarray(0, count * dim), count, dim }, { ...this.#options, audioDurationSec });
    this.#labels.data.set(result.labels);
    this.#clustered = count;
    this.#poor = 0;
    // Unit centroids, and how well the members fit them.
    const k = result.numClusters;
    const sums = new Float64Array(k * dim);
    for (let i = 0; i < count; i++) {
      const label = result.labels[i]!;
      for (let d = 0; d < dim; d++) sums[label * dim + d]! += data[i * dim + d]!;
    }
    const centroids = new Float32Array(k * dim);
    for (let c = 0; c < k; c++) {
      let norm = 0;
      for (let d = 0; d < dim; d++) norm += sums[c * dim + d]! ** 2;
      const inv = norm > 0 ? 1 / Math.sqrt(norm) : 0;
      for (let d = 0; d < dim; d++) centroids[c * dim + d] = sums[c * dim + d]! * inv;
    }
    const fits = new Float32Array(count);
    for (let i = 0; i < count; i++) {
      const c = result.labels[i]!;
      let dot = 0;
      let norm = 0;
      for (let d = 0; d < dim; d++) {
        dot += data[i * dim + d]! * centroids[c * dim + d]!;
        norm += data[i * dim + d]! ** 2;
      }
      fits[i] = norm > 0 ? dot / Math.sqrt(norm) : 0;
    }
    fits.sort();
    this.#centroids = centroids;
    this.#speakers = k;
    this.#poorBelow = count > 0 ? fits[Math.floor(POOR_QUANTILE * (count - 1))]! : -1;
  }
}
