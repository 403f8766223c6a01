/**
 * Pairs of the overlap-aware clustering's speakers, against the reference: for every two clusters of the
 * default before the continuity fold (src/pipeline/overlap/continuity.ts) whose centroids are within `maxDistance`, what might tell one voice split in two from two voices other
 * than the centroid distance (BENCHMARKS.md, "Long recordings and many speakers", the split voices of seed 6).
 * Used by bench/overlap-clustering.ts --pairs.
 */
import type { ConstrainedClusteringOptions } from "../src/pipeline/overlap/constrained-clustering.ts";
import { continuityLinks } from "../src/pipeline/overlap/continuity.ts";
import { referencedClusters, voiceOfRows, type EmbeddedFile } from "./small-clusters.ts";

export interface VoicePair {
  sizes: [number, number];
  voices: [string, string];
  /** both clusters overlap the same reference voice most */
  same: boolean;
  /** cosine distance of the unit centroids */
  distance: number;
  /** windows with a member of each, against the windows of the cluster with fewer */
  shared: number;
  /** share of the two clusters' windows with a member of the other in the same or the next window either side */
  touch: number;
  /** touch against what it would be if the two clusters' windows were drawn at random from the file's */
  touchRatio: number;
  /** median distance of the smaller cluster's members to their nearest member of the other, over that to their nearest of their own */
  nearestRatio: number;
  /** mean distance between the clusters' members over the mean of the mean distances within each */
  spreadRatio: number;
  /** share of the smaller cluster's members that continue a member of the other (the same frames active where their windows overlap) */
  continued: number;
  /** share of the smaller cluster's members that continue a member of their own */
  continuedOwn: number;
}

const cosineDistance = (x: Float32Array, i: number, j: number, dim: number) => {
  let s = 0;
  for (let d = 0; d < dim; d++) s += x[i * dim + d]! * x[j * dim + d]!;
  return 1 - s;
};

/** At most `max` of the rows, evenly spread. */
const spread = (rows: readonly number[], max: number) =>
  rows.length <= max ? rows : Array.from({ length: max }, (_, j) => rows[Math.floor((j * rows.length) / max)]!);

const median = (v: number[]) => {
  const s = [...v].sort((p, q) => p - q);
  return s.length === 0 ? NaN : s.length % 2 ? s[s.length >> 1]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

export function voicePairs(file: EmbeddedFile, maxDistance: number, options: ConstrainedClusteringOptions = {}): VoicePair[] {
  const { seg, emb } = file;
  const { dim } = emb;
  const clustered = referencedClusters(file, options);
  if (!clustered) return [];
  const { xt, train, final, clusterOf, centroid, names, rows } = clustered;
  const voices = final.map((g) => voiceOfRows(names, rows, g).voice);
  const centroids = final.map(centroid);
  const windows = final.map((g) => new Set(g.map((r) => emb.window[train[r]!]!)));
  const windowCount = seg.windowCount;
  const linked = continuityLinks(seg, emb.window, emb.speaker, train).map((l) => new Set(l));
  const out: VoicePair[] = [];
  for (let a = 0; a < final.length; a++) {
    for (let b = a + 1; b < final.length; b++) {
      let sim = 0;
      for (let d = 0; d < dim; d++) sim += centroids[a]![d]! * centroids[b]![d]!;
      const distance = 1 - sim;
      if (distance > maxDistance) continue;
      const [wa, wb] = [windows[a]!, windows[b]!];
      const shared = [...wa].filter((w) => wb.has(w)).length / Math.min(wa.size, wb.size);
      const touches = (p: Set<number>, q: Set<number>) => [...p].filter((w) => q.has(w - 1) || q.has(w) || q.has(w + 1)).length;
      const touch = (touches(wa, wb) + touches(wb, wa)) / (wa.size + wb.size);
      const chance = (p: Set<number>, q: Set<number>) => p.size * (1 - (1 - q.size / windowCount) ** 3);
      const expected = (chance(wa, wb) + chance(wb, wa)) / (wa.size + wb.size);
      const [small, large] = final[a]!.length <= final[b]!.length ? [final[a]!, final[b]!] : [final[b]!, final[a]!];
      const [s, l] = [spread(small, 300), spread(large, 1000)];
      const nearestOther = s.map((i) => Math.min(...l.map((j) => cosineDistance(xt, i, j, dim))));
      const nearestOwn = s.map((i) => Math.min(...s.filter((j) => j !== i).map((j) => cosineDistance(xt, i, j, dim))));
      const meanDistance = (p: readonly number[], q: readonly number[]) => {
        let [sum, count] = [0, 0];
        for (const i of p) for (const j of q) if (i !== j) [sum, count] = [sum + cosineDistance(xt, i, j, dim), count + 1];
        return count === 0 ? NaN : sum / count;
      };
      const [pa, pb] = [spread(final[a]!, 300), spread(final[b]!, 300)];
      out.push({
        sizes: [final[a]!.length, final[b]!.length],
        voices: [voices[a]!, voices[b]!],
        same: voices[a] !== "none" && voices[a] === voices[b],
        distance,
        shared,
        touch,
        touchRatio: expected > 0 ? touch / expected : NaN,
        nearestRatio: small.length < 2 ? NaN : median(nearestOther) / median(nearestOwn),
        spreadRatio: meanDistance(pa, pb) / ((meanDistance(pa, pa) + meanDistance(pb, pb)) / 2),
        continued: small.filter((r) => [...linked[r]!].some((q) => clusterOf[q] === clusterOf[large[0]!])).length / small.length,
        continuedOwn: small.filter((r) => [...linked[r]!].some((q) => clusterOf[q] === clusterOf[r])).length / small.length,
      });
    }
  }
  return out;
}
