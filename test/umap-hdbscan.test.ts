import { afterAll, describe, expect, test } from "bun:test";
import { UMAP } from "umap-js";
import { ConfigError } from "../src/errors.ts";
import { ComputeContext } from "../src/compute-context.ts";
import { canonicalLabels, clusterCount, purity, sharedDirectionBlobs, uniform } from "./helpers/synthetic-speakers.ts";
import {
  hdbscanLabels,
  nearestNeighbors,
  umapCurve,
  umapEmbed,
  umapFuzzyGraph,
  umapHdbscanLabels,
} from "../src/cluster/umap-hdbscan.ts";

const oneThread = new ComputeContext({ threads: 1 });
const twoThreads = new ComputeContext({ threads: 2 });
afterAll(async () => {
  await oneThread.close();
  await twoThreads.close();
});

function distance(data: Float32Array, dim: number, i: number, j: number, metric: "cosine" | "euclidean"): number {
  let dot = 0;
  let ni = 0;
  let nj = 0;
  let sq = 0;
  for (let d = 0; d < dim; d++) {
    const a = data[i * dim + d]!;
    const b = data[j * dim + d]!;
    dot += a * b;
    ni += a * a;
    nj += b * b;
    sq += (a - b) * (a - b);
  }
  return metric === "cosine" ? 1 - dot / Math.sqrt(ni * nj) : Math.sqrt(sq);
}

describe("nearestNeighbors", () => {
  for (const metric of ["cosine", "euclidean"] as const) {
    test(`${metric}: the k nearest by brute force in f64`, () => {
      const { data, count } = sharedDirectionBlobs([60, 50, 40], 23, 0.7, 0.3, 0.1, 1);
      const k = 12;
      const { indices, distances } = nearestNeighbors(data, count, 23, k, metric);
      for (let i = 0; i < count; i++) {
        const want = Array.from({ length: count }, (_, j) => j)
          .filter((j) => j !== i)
          .map((j) => distance(data, 23, i, j, metric))
          .sort((a, b) => a - b);
        for (let r = 0; r < k; r++) {
          expect(distances[i * k + r]!).toBeCloseTo(want[r]!, 5);
          expect(distance(data, 23, i, indices[i * k + r]!, metric)).toBeCloseTo(distances[i * k + r]!, 5);
        }
      }
    });
  }
});

describe("UMAP pieces against umap-js", () => {
  test("fuzzy simplicial set: same edges and weights for the same kNN", () => {
    const dim = 16;
    const { data, count } = sharedDirectionBlobs([70, 50, 30], dim, 0.8, 0.2, 0.1, 2);
    const nNeighbors = 15;
    const k = nNeighbors - 1;
    const { indices, distances } = nearestNeighbors(data, count, dim, k, "cosine");
    const ours = umapFuzzyGraph(indices, distances, count, k);

    // umap-js counts the point itself as its first neighbour, at distance 0.
    const knnIndices: number[][] = [];
    const knnDistances: number[][] = [];
    for (let i = 0; i < count; i++) {
      knnIndices.push([i, ...indices.subarray(i * k, (i + 1) * k)]);
      knnDistances.push([0, ...distances.subarray(i * k, (i + 1) * k)]);
    }
    const reference = new UMAP({ nNeighbors, nComponents: 2, random: uniform(3) });
    reference.setPrecomputedKNN(knnIndices, knnDistances);
    const rows: number[][] = Array.from({ length: count }, (_, i) =>
      Array.from({ length: dim }, (_, d) => data[i * dim + d]!),
    );
    reference.initializeFit(rows);
    const graph = (reference as unknown as { graph: { getAll(): { row: number; col: number; value: number }[] } }).graph;
    const want = new Map<string, number>();
    for (const { row, col, value } of graph.getAll()) if (value !== 0) want.set(`${row},${col}`, value);

    expect(ours.weights.length).toBe(want.size);
    for (let e = 0; e < ours.weights.length; e++) {
      const w = want.get(`${ours.rows[e]},${ours.columns[e]}`);
      expect(w).toBeDefined();
      expect(ours.weights[e]!).toBeCloseTo(w!, 5);
    }
  });

  test("curve parameters match umap-learn's fit for min_dist 0 and 0.1", () => {
    // scipy curve_fit results printed by umap.umap_.find_ab_params (umap-learn 0.5.12).
    const zero = umapCurve(1, 0);
    expect(zero.a).toBeCloseTo(1.93280839734315, 4);
    expect(zero.b).toBeCloseTo(0.7904949732233831, 4);
    const tenth = umapCurve(1, 0.1);
    expect(tenth.a).toBeCloseTo(1.5769434602697652, 4);
    expect(tenth.b).toBeCloseTo(0.8950608778515733, 4);
  });
});

/**
 * Straightforward HDBSCAN (the hdbscan library's definitions): all pairwise mutual reachability
 * distances, Kruskal in edge order (weight, smaller end, larger end) for the single-linkage merges,
 * then a recursive condensed tree, stabilities and excess-of-mass selection with the root excluded.
 */
function naiveHdbscan(data: Float32Array, count: number, dim: number, minSamples: number, minClusterSize: number): number[] {
  const d = (i: number, j: number) => distance(data, dim, i, j, "euclidean");
  const k = Math.min(minSamples, count - 1);
  const core = Array.from({ length: count }, (_, i) =>
    Array.from({ length: count }, (_, j) => j)
      .filter((j) => j !== i)
      .map((j) => d(i, j))
      .sort((a, b) => a - b)[k - 1]!,
  );
  const edges: [number, number, number][] = [];
  for (let i = 0; i < count; i++) for (let j = i + 1; j < count; j++) edges.push([Math.max(d(i, j), core[i]!, core[j]!), i, j]);
  edges.sort((x, y) => x[0] - y[0] || x[1] - y[1] || x[2] - y[2]);

  interface Node {
    points: number[];
    distance: number;
    children?: [Node, Node];
  }
  const parent = Array.from({ length: count }, (_, i) => i);
  const find = (x: number): number => (parent[x] === x ? x : (parent[x] = find(parent[x]!)));
  const nodeOf: Node[] = Array.from({ length: count }, (_, i) => ({ points: [i], distance: 0 }));
  let root: Node = nodeOf[0]!;
  for (const [w, a, b] of edges) {
    const ra = find(a);
    const rb = find(b);
    if (ra === rb) continue;
    root = { points: [...nodeOf[ra]!.points, ...nodeOf[rb]!.points], distance: w, children: [nodeOf[ra]!, nodeOf[rb]!] };
    parent[rb] = ra;
    nodeOf[ra] = root;
  }

  interface Cluster {
    birth: number;
    size: number;
    fallen: { point: number; lambda: number }[];
    children: Cluster[];
  }
  const lambdaOf = (dist: number) => (dist > 0 ? 1 / dist : Infinity);
  const walk = (node: Node, cluster: Cluster): void => {
    const lambda = lambdaOf(node.distance);
    const [left, right] = node.children!;
    const bigLeft = left.points.length >= minClusterSize;
    const bigRight = right.points.length >= minClusterSize;
    if (bigLeft && bigRight) {
      for (const side of [left, right]) {
        const child: Cluster = { birth: lambda, size: side.points.length, fallen: [], children: [] };
        cluster.children.push(child);
        walk(side, child);
      }
      return;
    }
    for (const [side, big] of [[left, bigLeft], [right, bigRight]] as const) {
      if (big) walk(side, cluster);
      else for (const point of side.points) cluster.fallen.push({ point, lambda });
    }
  };
  const top: Cluster = { birth: 0, size: count, fallen: [], children: [] };
  walk(root, top);

  const stability = (c: Cluster) =>
    c.fallen.reduce((s, f) => s + f.lambda - c.birth, 0) + c.children.reduce((s, ch) => s + (ch.birth - c.birth) * ch.size, 0);
  const selected = new Set<Cluster>();
  const descendants = (c: Cluster): Cluster[] => c.children.flatMap((ch) => [ch, ...descendants(ch)]);
  const select = (c: Cluster): number => {
    const own = stability(c);
    if (c.children.length === 0) {
      selected.add(c);
      return own;
    }
    const below = c.children.reduce((s, ch) => s + select(ch), 0);
    if (below > own) return below;
    for (const ch of descendants(c)) selected.delete(ch);
    selected.add(c);
    return own;
  };
  for (const ch of top.children) select(ch);

  const labels = new Array<number>(count).fill(-1);
  let next = 0;
  const assign = (c: Cluster, label: number): void => {
    const mine = selected.has(c) ? next++ : label;
    for (const f of c.fallen) labels[f.point] = mine;
    for (const ch of c.children) assign(ch, mine);
  };
  assign(top, -1);
  return labels;
}

describe("hdbscanLabels", () => {
  test("matches a naive implementation exactly on blobs with noise", () => {
    const dim = 5;
    for (const [seed, minSamples, minClusterSize] of [
      [1, 5, 5],
      [2, 10, 8],
      [3, 20, 10],
      [4, 3, 15],
    ] as const) {
      const { data, count } = sharedDirectionBlobs([50, 40, 25, 20], dim, 0.45, 0, 0.1, seed);
      const ours = hdbscanLabels(data, count, dim, { minSamples, minClusterSize });
      const want = naiveHdbscan(data, count, dim, minSamples, minClusterSize);
      expect(clusterCount(ours)).toBeGreaterThan(1);
      expect(canonicalLabels(ours)).toEqual(canonicalLabels(want));
    }
  });

  test("matches the naive implementation when most distances tie (integer grid)", () => {
    const u = uniform(9);
    const count = 150;
    const dim = 3;
    const data = new Float32Array(count * dim);
    for (let i = 0; i < count; i++) {
      const offset = i % 3 === 0 ? 0 : i % 3 === 1 ? 20 : 40; // three groups along the first axis
      for (let d = 0; d < dim; d++) data[i * dim + d] = Math.floor(u() * 6) + (d === 0 ? offset : 0);
    }
    for (const [minSamples, minClusterSize] of [
      [5, 5],
      [10, 12],
    ] as const) {
      const ours = hdbscanLabels(data, count, dim, { minSamples, minClusterSize });
      expect(canonicalLabels(ours)).toEqual(canonicalLabels(naiveHdbscan(data, count, dim, minSamples, minClusterSize)));
    }
  });

  test("too few points for two clusters: all noise", () => {
    const { data, count } = sharedDirectionBlobs([9, 9], 4, 0.1, 0, 0, 5);
    expect(Array.from(hdbscanLabels(data, count, 4, { minClusterSize: 10 }))).toEqual(new Array(count).fill(-1));
  });
});

describe("umapHdbscanLabels", () => {
  const cases = [
    { name: "3 clusters", sizes: [500, 250, 120], seed: 11 },
    { name: "5 clusters", sizes: [400, 300, 200, 100, 60], seed: 12 },
    { name: "8 clusters", sizes: [300, 250, 200, 150, 100, 80, 60, 40], seed: 13 },
  ];
  for (const { name, sizes, seed } of cases) {
    test(`192-d blobs, ${name} of unequal sizes + 5% noise: right count, purity > 0.98`, () => {
      const { data, truth, count } = sharedDirectionBlobs(sizes, 192, 1, 0.4, 0.05, seed);
      const labels = umapHdbscanLabels(data, count, 192);
      expect(clusterCount(labels)).toBe(sizes.length);
      expect(purity(labels, truth)).toBeGreaterThan(0.98);
      // Most cluster points get a cluster, not noise.
      let clusteredAsNoise = 0;
      for (let i = 0; i < count; i++) if (truth[i]! >= 0 && labels[i]! < 0) clusteredAsNoise++;
      expect(clusteredAsNoise / (count * 0.95)).toBeLessThan(0.05);
    });
  }

  test("borderline data: neighbouring clusters stay apart (a layout that moved both ends at once merged them)", () => {
    for (const seed of [1, 2, 3]) {
      const { data, truth, count } = sharedDirectionBlobs([760, 570, 380, 190], 192, 1, 0.4, 0.05, seed);
      const labels = umapHdbscanLabels(data, count, 192);
      expect(clusterCount(labels)).toBe(4);
      expect(purity(labels, truth)).toBeGreaterThan(0.98);
    }
  });

  test("the same result on 1 and 2 threads, and again for the same seed", () => {
    const { data, count } = sharedDirectionBlobs([300, 200, 100], 192, 1, 0.4, 0.05, 21);
    const one = umapEmbed(data, count, 192, { nEpochs: 100, context: oneThread });
    const two = umapEmbed(data, count, 192, { nEpochs: 100, context: twoThreads });
    expect(Buffer.from(two.buffer).equals(Buffer.from(one.buffer))).toBe(true);
    const again = umapEmbed(data, count, 192, { nEpochs: 100 });
    expect(Buffer.from(again.buffer).equals(Buffer.from(one.buffer))).toBe(true);
    const otherSeed = umapEmbed(data, count, 192, { nEpochs: 100, seed: 7 });
    expect(Buffer.from(otherSeed.buffer).equals(Buffer.from(one.buffer))).toBe(false);
  });

  test("fewer points than two minimum clusters: all noise; caps nNeighbors and nComponents", () => {
    const small = sharedDirectionBlobs([8, 8], 192, 1, 0.4, 0, 31);
    expect(Array.from(umapHdbscanLabels(small.data, small.count, 192))).toEqual(new Array(16).fill(-1));
    // 30 points: 40 neighbours and 60 components are capped at 29 and 28 (and 20 min samples would
    // reach across both clusters, so 5).
    const tiny = sharedDirectionBlobs([15, 15], 192, 0.5, 0.2, 0, 32);
    const labels = umapHdbscanLabels(tiny.data, tiny.count, 192, { minSamples: 5 });
    expect(labels.length).toBe(30);
    expect(canonicalLabels(labels)).toEqual([...new Array(15).fill(0), ...new Array(15).fill(1)]);
  });

  test("rejects bad input: ConfigError from the options and data, invalid argument from native", () => {
    const { data, count } = sharedDirectionBlobs([30, 30], 8, 0.5, 0, 0, 41);
    expect(() => umapHdbscanLabels(data, count + 1, 8)).toThrow(ConfigError);
    expect(() => umapHdbscanLabels(data, count, 8, { minClusterSize: 1 })).toThrow(ConfigError);
    expect(() => umapHdbscanLabels(data, count, 8, { nNeighbors: 1.5 })).toThrow(ConfigError);
    expect(() => umapEmbed(data, count, 8, { nComponents: count - 1 })).toThrow(ConfigError);
    expect(() => umapEmbed(data, count, 8, { metric: "manhattan" as "cosine" })).toThrow(ConfigError);
    // Names every object inherits are no metric or init either.
    expect(() => umapEmbed(data, count, 8, { nComponents: 2, metric: "toString" as "cosine" })).toThrow("metric must be cosine or euclidean, got toString");
    expect(() => umapEmbed(data, count, 8, { nComponents: 2, init: "constructor" as "random" })).toThrow("init must be spectral or random, got constructor");
    const knn = nearestNeighbors(data, count, 8, 5);
    knn.indices[7] = 1; // row 1 listing itself
    expect(() => umapFuzzyGraph(knn.indices, knn.distances, count, 5)).toThrow(/invalid argument/);
    const broken = data.slice();
    broken[17] = Number.NaN;
    expect(() => umapHdbscanLabels(broken, count, 8)).toThrow(ConfigError);
  });
});
