/**
 * @module Child process of test/cross-cpu.test.ts: clusters saved embeddings (and computes the fbank of
 * saved windows) with whatever libsenko SENKO_LIB names, and writes what it found as JSON.
 *   bun test/helpers/cluster-child.ts <manifest.json> <out.json>
 */
import { readAudio } from "../../src/audio/index.ts";
import { cluster, type ClusterMethod } from "../../src/cluster/cluster.ts";
import { extractFbankSync } from "../../src/features/fbank.ts";
import { libraryPath } from "../../src/ffi.ts";
import type { TimeSpan } from "../../src/types.ts";

export interface ChildManifest {
  sets: { name: string; file: string; count: number; dim: number; durationSec: number; methods: ClusterMethod[] }[];
  fbank: { name: string; wav: string; windows: TimeSpan[] }[];
}

export interface ChildOutput {
  library: string;
  /** by `${set}/${method}` */
  clusters: Record<string, { numClusters: number; labels: number[] }>;
  /** by name: a hash of the fbank features' bytes */
  fbank: Record<string, string>;
}

const [manifestPath, outPath] = process.argv.slice(2);
const manifest = (await Bun.file(manifestPath!).json()) as ChildManifest;
const out: ChildOutput = { library: "", clusters: {}, fbank: {} };
for (const set of manifest.sets) {
  const data = new Float32Array(await Bun.file(set.file).arrayBuffer());
  for (const method of set.methods) {
    const r = await cluster({ data, count: set.count, dim: set.dim }, { audioDurationSec: set.durationSec, method });
    out.clusters[`${set.name}/${method}`] = { numClusters: r.numClusters, labels: Array.from(r.labels) };
  }
}
for (const f of manifest.fbank) {
  const features = extractFbankSync((await readAudio(f.wav)).samples, f.windows);
  out.fbank[f.name] = Bun.hash(features.data).toString(16);
  features.free();
}
out.library = libraryPath();
await Bun.write(outPath!, JSON.stringify(out));
