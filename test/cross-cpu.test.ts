/**
 * The same speakers on every CPU (issue 11). libsenko built for this machine's CPU (AVX2 or AVX-512, FMA)
 * and the library the npm package ships, built for the architecture's baseline CPU (x86-64: SSE2, no FMA),
 * cluster the same CAM++ embeddings, of every AMI
 * fixture, the degenerate-audio cases and simulated conversations, in child processes (SENKO_LIB), and
 * must find the same speaker count and at least 99 % of the same labels; both also compute the fbank of
 * the AMI windows, which must be the same bits. onnxruntime's embeddings themselves differ slightly from
 * CPU to CPU (its kernels are chosen per instruction set): the counts must also survive a relative
 * perturbation of 1e-5 of every embedding value.
 */
import { beforeAll, describe, expect, test } from "bun:test";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { loadAmi } from "../bench/ami-eval.ts";
import { simulateConversation, type SimulationOptions } from "../bench/simulate.ts";
import { readAudio } from "../src/audio/index.ts";
import { cluster, type ClusterMethod } from "../src/cluster/cluster.ts";
import { maxWeightAssignment } from "../src/eval/hungarian.ts";
import { embed, extractFbank, prepareModels, subsegment, detectSpeech } from "../src/index.ts";
import type { TimeSpan } from "../src/types.ts";
import type { ChildManifest, ChildOutput } from "./helpers/cluster-child.ts";
import { findPlatform } from "../src/native/platforms.ts";
import { buildLibrary } from "../tools/cross-build.ts";
import { repeatedSpeaker } from "./helpers/repeated-speaker.ts";
import { gaussian, uniform } from "./helpers/synthetic-speakers.ts";
import { skipWithout } from "./helpers/skip.ts";
import { AMI_DIR, AMI_FIXTURES, LIBRISPEECH_DIR, LIBRISPEECH_FIXTURES } from "./helpers/fixtures.ts";

const root = resolve(import.meta.dir, "..");
const ami = loadAmi();
const hasData = ami.files.length === 11 && existsSync(LIBRISPEECH_DIR);
const RATE = 16000;
const ARCH = `${process.arch === "arm64" ? "aarch64" : "x86_64"}-${process.platform}`;
const NATIVE = join(root, "zig-out", "lib", ARCH, "libsenko.so");
const platform = findPlatform();
/** The baseline-CPU library's path, once built. */
let baseline: string;

/** Simulated conversations: one voice, a few speakers with overlap, five, and ten speaking twice each. */
const SIMULATED: SimulationOptions[] = [
  { speakers: 1, minutes: 2, seed: 11 },
  { speakers: 3, minutes: 2, seed: 12, overlap: 0.3 },
  { speakers: 5, minutes: 2, seed: 13 },
  { speakers: 10, turnsPerSpeaker: 2, seed: 14 },
];

interface Set {
  name: string;
  data: Float32Array;
  count: number;
  durationSec: number;
}

let dir: string;
const sets: Set[] = [];
const fbankInputs: ChildManifest["fbank"] = [];
const results: ChildOutput[] = [];

async function embeddingsOf(name: string, audio: Float32Array): Promise<{ set: Set; windows: TimeSpan[] }> {
  const windows = subsegment(await detectSpeech(audio, {}));
  const durationSec = audio.length / RATE;
  if (windows.length === 0) return { set: { name, data: new Float32Array(0), count: 0, durationSec }, windows };
  const features = await extractFbank(audio, windows);
  try {
    const e = await embed(features, {});
    return { set: { name, data: e.data, count: e.count, durationSec }, windows };
  } finally {
    features.free();
  }
}

/** The default (agglomerative), Senko's (spectral at these lengths) and, on sets large enough, UMAP + HDBSCAN. */
function methodsFor(set: Set): ClusterMethod[] {
  return set.count >= 40 ? ["agglomerative", "auto", "umap-hdbscan"] : ["agglomerative", "auto"];
}

/** Share of labels that agree under the best one-to-one matching of the two labelings' clusters. */
function agreement(a: readonly number[], b: readonly number[]): number {
  const ka = Math.max(0, ...a) + 1;
  const kb = Math.max(0, ...b) + 1;
  const table = Array.from({ length: ka }, () => new Array<number>(kb).fill(0));
  for (let i = 0; i < a.length; i++) table[a[i]!]![b[i]!]!++;
  const match = maxWeightAssignment(table);
  let same = 0;
  match.forEach((col, row) => (same += col >= 0 ? table[row]![col]! : 0));
  return a.length === 0 ? 1 : same / a.length;
}

async function runChild(library: string, manifestPath: string, outPath: string): Promise<ChildOutput> {
  const child = Bun.spawn([process.execPath, "run", "test/helpers/cluster-child.ts", manifestPath, outPath], {
    cwd: root,
    env: { ...process.env, SENKO_LIB: library },
    stdout: "ignore",
    stderr: "pipe",
  });
  const [code, err] = await Promise.all([child.exited, new Response(child.stderr).text()]);
  if (code !== 0) throw new Error(`cluster child with ${library} failed (${code}): ${err}`);
  return (await Bun.file(outPath).json()) as ChildOutput;
}

describe.skipIf(
  skipWithout("cross-cpu.test.ts", {
    [`${AMI_FIXTURES} (all 11) and ${LIBRISPEECH_FIXTURES}`]: hasData,
    [`a platform senko ships a baseline-CPU library for (${process.platform}-${process.arch})`]: platform,
  }),
)("the same speakers with the native and the portable library", () => {
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "senko-cross-cpu-"));
    // The npm package's library (cached by the content of the Zig sources, in the user cache, with the one
    // test/exe.test.ts and test/package.test.ts check: built once for all three); the native one is setup's.
    const build = buildLibrary(platform!);
    await prepareModels({ warmup: false });
    // Every set at once (kept in this order): one file's Silero pass (one thread) runs beside another's CAM++ batches.
    const noise = uniform(2);
    const amiSets = ami.files.map(async (file) => {
      const name = file.split("/").pop()!.replace(".wav", "");
      const { set, windows } = await embeddingsOf(`ami-${name}`, (await readAudio(file)).samples);
      return { set, fbank: { name, wav: file, windows } };
    });
    const otherSets = [
      repeatedSpeaker(AMI_DIR).then((audio) => embeddingsOf("repeated-voice-3min", audio)),
      embeddingsOf("white-noise-30s", new Float32Array(30 * RATE).map(() => 0.5 * (noise() * 2 - 1))),
      ...SIMULATED.map(async (options) => {
        const c = await simulateConversation(options);
        return embeddingsOf(c.name, c.samples);
      }),
    ];
    for (const { set, fbank } of await Promise.all(amiSets)) {
      sets.push(set);
      fbankInputs.push(fbank);
    }
    for (const { set } of await Promise.all(otherSets)) sets.push(set);
    const manifest: ChildManifest = { sets: [], fbank: fbankInputs };
    for (const set of sets.filter((s) => s.count > 0)) {
      const file = join(dir, `${set.name}.f32`);
      await Bun.write(file, set.data);
      manifest.sets.push({ name: set.name, file, count: set.count, dim: set.data.length / set.count, durationSec: set.durationSec, methods: methodsFor(set) });
    }
    const manifestPath = join(dir, "manifest.json");
    await Bun.write(manifestPath, JSON.stringify(manifest));
    baseline = (await build).path;
    results.push(...(await Promise.all([NATIVE, baseline].map((lib, i) => runChild(lib, manifestPath, join(dir, `out-${i}.json`))))));
    rmSync(dir, { recursive: true, force: true });
  }, 600_000);

  test("each child used its own library", () => {
    expect(results.map((r) => r.library)).toEqual([NATIVE, baseline]);
  });

  test("same speaker count and >= 99 % of labels on every set, both clustering methods", () => {
    const [native, portable] = results as [ChildOutput, ChildOutput];
    const keys = Object.keys(native.clusters);
    expect(keys.length).toBeGreaterThanOrEqual(sets.length);
    const rows = keys.map((key) => {
      const a = native.clusters[key]!;
      const b = portable.clusters[key]!;
      return { key, counts: [a.numClusters, b.numClusters], agreement: agreement(a.labels, b.labels) };
    });
    console.log(rows.map((r) => `${r.key}: ${r.counts.join(" / ")} speakers, ${(100 * r.agreement).toFixed(1)} % same labels`).join("\n"));
    for (const r of rows) {
      expect(r.counts[1], r.key).toBe(r.counts[0]!);
      expect(r.agreement, r.key).toBeGreaterThanOrEqual(0.99);
    }
  });

  test("the fbank features of every AMI fixture are the same bits", () => {
    const [native, portable] = results as [ChildOutput, ChildOutput];
    expect(Object.keys(native.fbank).length).toBe(11);
    expect(portable.fbank).toEqual(native.fbank);
  });

  // The default method and Senko's (spectral at these lengths, its count read from eigengaps with a noise
  // margin). UMAP's stochastic layout amplifies any change of its input (on the 70-embedding ten-speaker
  // set it found 3 and 4 clusters; BENCHMARKS.md, "Speaker count on any CPU"), so it is not held to this.
  test("embeddings perturbed by 1e-5 (relative), as onnxruntime's differ across CPUs: the same counts", async () => {
    const g = gaussian(uniform(7));
    for (const set of sets.filter((s) => s.count > 0)) {
      const perturbed = set.data.map((x) => x * (1 + 1e-5 * g()));
      const dim = set.data.length / set.count;
      for (const method of ["agglomerative", "auto"] as const) {
        const options = { audioDurationSec: set.durationSec, method };
        const a = await cluster({ data: set.data, count: set.count, dim }, options);
        const b = await cluster({ data: perturbed, count: set.count, dim }, options);
        expect(b.numClusters, `${set.name}/${method}`).toBe(a.numClusters);
      }
    }
  });
});
