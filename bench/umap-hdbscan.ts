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
import { ComputeContext } from "../src/compute-context.ts";
import { quality, sharedDirectionBlobs, sizesFor, uniform } from "../test/helpers/synthetic-speakers.ts";
import { benchArgs, toNumber, toNumbers } from "./args.ts";
import { median } from "./measure.ts";

const DIM = 192;
const WEIGHTS = [4, 3, 2, 1];
/** `count` rows (a multiple of 20) of speaker-like clusters in WEIGHTS proportions, 5 % of them background noise. */
export function speakerBlobs(count: number, spread = 1) {
  if (count % 20 !== 0) throw new Error(`sizes must be multiples of 20, got ${count}`);
  return sharedDirectionBlobs(sizesFor(count * 0.95, WEIGHTS), DIM, spread, 0.4, 0.05, 1);
}


function seconds(ms: number): string {
  return (ms / 1000).toFixed(3);
}

async function main(): Promise<void> {
  const { positionals: args } = benchArgs(import.meta.path, {}, { positionals: true });
  const sizes = toNumbers(args[0] ?? "2000,5000,10000", "sizes");
  const threadCounts = toNumbers(args[1] ?? "1,2", "threads");
  const peerSize = toNumber(args[2] ?? "2000", "peerSize");
  const repeats = toNumber(args[3] ?? "1", "repeats");

  console.log(`# UMAP + HDBSCAN, 192-d, clusters ${WEIGHTS.join(":")} + 5% noise; seconds (median of ${repeats})`);
  console.log(
    "| N | threads | kNN | graph | init | layout | UMAP | core dist | MST | tree+labels | HDBSCAN | total | CPU s | clusters | purity | noise |",
  );
  console.log("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|");
  for (const count of sizes) {
    const blobs = speakerBlobs(count);
    for (const threads of threadCounts) {
      const context = new ComputeContext({ threads });
      const runs: { t: UmapHdbscanTimings; wall: number; cpu: number; labels: Int32Array }[] = [];
      for (let r = 0; r < repeats; r++) {
        const t = {} as UmapHdbscanTimings;
        const cpu0 = process.cpuUsage();
        const t0 = performance.now();
        const labels = umapHdbscanLabels(blobs.data, count, DIM, { context }, t);
        const cpu = process.cpuUsage(cpu0);
        runs.push({ t, wall: performance.now() - t0, cpu: (cpu.user + cpu.system) / 1000, labels });
      }
      const pick = (f: (x: (typeof runs)[number]) => number) => seconds(median(runs.map(f)));
      const q = quality(runs[0]!.labels, blobs.truth);
      console.log(
        `| ${count} | ${threads} | ${pick((x) => x.t.knnMs)} | ${pick((x) => x.t.graphMs)} | ${pick((x) => x.t.initMs)} | ` +
          `${pick((x) => x.t.layoutMs)} | ${pick((x) => x.t.knnMs + x.t.graphMs + x.t.initMs + x.t.layoutMs)} | ` +
          `${pick((x) => x.t.coreMs)} | ${pick((x) => x.t.treeMs)} | ${pick((x) => x.t.labelsMs)} | ` +
          `${pick((x) => x.t.coreMs + x.t.treeMs + x.t.labelsMs)} | ${pick((x) => x.wall)} | ${pick((x) => x.cpu)} | ${q.clusters} | ` +
          `${q.purity.toFixed(4)} | ${(100 * q.noise).toFixed(1)}% |`,
      );
    }
  }

  if (peerSize > 0) {
    const blobs = speakerBlobs(peerSize);
    const ours: Record<number, number> = {};
    for (const threads of threadCounts) {
      const context = new ComputeContext({ threads });
      const t = {} as UmapTimings;
      const t0 = performance.now();
      umapEmbed(blobs.data, peerSize, DIM, { context }, t);
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
