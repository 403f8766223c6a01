/**
 * onnxruntime's optimised copy of a model in the cache (src/models/optimized-model.ts): built on the first
 * session and used by the next, rebuilt when damaged, unreadable or made under another key, skipped when
 * the cache cannot be written, its parts left by a killed build removed, and never a change in what the
 * models compute.
 */
import { afterAll, expect, test } from "bun:test";
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as ort from "onnxruntime-node";
import { defaultCacheDir, resolveModel } from "../models/fetch.ts";
import { Diarizer, type DiarizationResult } from "../src/diarizer.ts";
import { createCpuSession, OPTIMIZED_DIR } from "../src/models/optimized-model.ts";
import { WRITER_TAG, writerTag } from "../src/stale-parts.ts";
import { AMI_DIR, withoutAmi } from "./helpers/fixtures.ts";

const noAmi = withoutAmi("optimized-model.test.ts");
const dirs: string[] = [];
afterAll(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));
const newDir = () => {
  const dir = mkdtempSync(join(tmpdir(), "senko-optimized-"));
  dirs.push(dir);
  return dir;
};

const OPTIONS: ort.InferenceSession.SessionOptions = { graphOptimizationLevel: "all", intraOpNumThreads: 1, interOpNumThreads: 1, executionMode: "sequential", executionProviders: ["cpu"] };
const chunk = Float32Array.from({ length: 160_000 }, (_, i) => 0.1 * Math.sin(i / 13) * Math.sin(i / 4000));

/** The segmentation model's output on `chunk`, as bytes. */
async function outputOf(session: ort.InferenceSession): Promise<number[]> {
  const out = await session.run({ [session.inputNames[0]!]: new ort.Tensor("float32", chunk, [1, 1, chunk.length]) });
  await session.release();
  return Array.from(new Uint8Array((out[session.outputNames[0]!]!.data as Float32Array).slice().buffer));
}

const copies = (cache: string) => readdirSync(join(cache, OPTIMIZED_DIR));

/** A cache directory whose copies' folder cannot be made: a file in its place (root may write a read-only folder). */
function unwritable(): string {
  const cache = newDir();
  writeFileSync(join(cache, OPTIMIZED_DIR), "");
  return cache;
}

test("the copy is built by the first session, used by the next, rebuilt when damaged or unreadable; the output never changes", async () => {
  const model = await resolveModel("pyannote-segmentation", { offline: true });
  const reference = await outputOf(await ort.InferenceSession.create(model.path, OPTIONS));
  const cache = newDir();
  expect(await outputOf(await createCpuSession(model, OPTIONS, cache))).toEqual(reference);
  const [name] = copies(cache);
  expect(copies(cache)).toEqual([name!]);
  const path = join(cache, OPTIMIZED_DIR, name!);
  const built = statSync(path).ino;

  // Used, not rebuilt: the same file, and for another thread count too (it does not change the graph).
  expect(await outputOf(await createCpuSession(model, { ...OPTIONS, intraOpNumThreads: 2 }, cache))).toEqual(reference);
  expect(statSync(path).ino).toBe(built);
  expect(copies(cache)).toEqual([name!]);

  // Damaged (bytes that no longer match its name): removed and rebuilt, the same bytes as before.
  const bytes = await Bun.file(path).bytes();
  const sound = Bun.hash(bytes);
  bytes[bytes.length >> 1]! ^= 0xff;
  writeFileSync(path, bytes);
  expect(await outputOf(await createCpuSession(model, OPTIONS, cache))).toEqual(reference);
  expect(copies(cache)).toEqual([name!]);
  expect(Bun.hash(await Bun.file(path).bytes())).toBe(sound);

  // Bytes that match their name but are no model (say, written by a broken tool): removed and rebuilt.
  const prefix = name!.slice(0, name!.lastIndexOf("-") + 1);
  const garbage = new TextEncoder().encode("not an onnx model");
  rmSync(path);
  const fake = `${prefix}${Bun.hash.wyhash(garbage).toString(16).padStart(16, "0")}.onnx`;
  writeFileSync(join(cache, OPTIMIZED_DIR, fake), garbage);
  expect(await outputOf(await createCpuSession(model, OPTIONS, cache))).toEqual(reference);
  expect(copies(cache)).toEqual([name!]);
}, 60_000);

test("a copy made under another key (another onnxruntime, another CPU) is replaced; copies built at once leave one file", async () => {
  const model = await resolveModel("pyannote-segmentation", { offline: true });
  const cache = newDir();
  expect(await outputOf(await createCpuSession(model, OPTIONS, cache))).toHaveLength(589 * 7 * 4);
  const [name] = copies(cache);
  const stale = `pyannote-segmentation-0000000000000000-${name!.slice(name!.lastIndexOf("-") + 1)}`;
  writeFileSync(join(cache, OPTIMIZED_DIR, stale), "stale");
  rmSync(join(cache, OPTIMIZED_DIR, name!));
  // Two sessions built at once, each writing its own part and renaming it: one copy, no part left.
  const outputs = await Promise.all([createCpuSession(model, OPTIONS, cache), createCpuSession(model, OPTIONS, cache)].map(async (s) => outputOf(await s)));
  expect(outputs[1]).toEqual(outputs[0]!);
  expect(copies(cache)).toEqual([name!]);
}, 60_000);

test("a part left by a build killed with SIGKILL is removed by the next session; one a running process writes (or another machine's) stays", async () => {
  const cache = newDir();
  const dir = join(cache, OPTIMIZED_DIR);
  const root = join(import.meta.dir, "..");
  const build = `import { resolveModel } from ${JSON.stringify(join(root, "models", "fetch.ts"))};
import { createCpuSession } from ${JSON.stringify(join(root, "src", "models", "optimized-model.ts"))};
await createCpuSession(await resolveModel("campplus", { offline: true }), ${JSON.stringify(OPTIONS)}, ${JSON.stringify(cache)});`;
  const child = Bun.spawn([process.execPath, "-e", build], { stdout: "ignore", stderr: "inherit" });
  // Killed as soon as its part is there: CAM++'s graph takes a few hundred ms to optimise.
  let part: string | undefined;
  for (const deadline = performance.now() + 30_000; part === undefined && child.exitCode === null && performance.now() < deadline; await Bun.sleep(2)) {
    part = existsSync(dir) ? readdirSync(dir).find((name) => name.endsWith(".part")) : undefined;
  }
  child.kill("SIGKILL");
  await child.exited;
  expect(part).toBeDefined();
  expect(copies(cache)).toEqual([part!]);

  // Beside it, parts of a process that runs (this one): a fresh one stays, one untouched for 11 minutes goes;
  // and one of the killed pid on another machine sharing the cache, fresh: its writer may well run there.
  const prefix = part!.replace(new RegExp(String.raw`${WRITER_TAG}-[0-9a-f]{8}\.part$`), "");
  expect(part).toStartWith(`${prefix}${child.pid}@`);
  const writing = `${prefix}${writerTag()}-0badcafe.part`;
  const abandoned = `${prefix}${writerTag()}-deadbeef.part`;
  const elsewhere = `${prefix}${child.pid}@another-machine-cafe0123.part`;
  for (const name of [writing, abandoned, elsewhere]) writeFileSync(join(dir, name), "");
  const elevenMinutesAgo = new Date(Date.now() - 11 * 60_000);
  utimesSync(join(dir, abandoned), elevenMinutesAgo, elevenMinutesAgo);

  const model = await resolveModel("campplus", { offline: true });
  await (await createCpuSession(model, OPTIONS, cache)).release();
  const left = copies(cache);
  expect(left.filter((name) => name.endsWith(".part")).sort()).toEqual([elsewhere, writing].sort());
  expect(left.filter((name) => name.startsWith(prefix) && name.endsWith(".onnx"))).toHaveLength(1);
}, 60_000);

test("a cache that cannot be written gives a session without a copy", async () => {
  const model = await resolveModel("pyannote-segmentation", { offline: true });
  const reference = await outputOf(await ort.InferenceSession.create(model.path, OPTIONS));
  expect(await outputOf(await createCpuSession(model, OPTIONS, unwritable()))).toEqual(reference);
}, 60_000);

test.skipIf(noAmi)("a Diarizer gives the same result from the model files, building the copies, and from the copies", async () => {
  const input = join(AMI_DIR, "dev00.wav");
  const blocked = unwritable();
  const cache = newDir();
  const result = async (cacheDir: string) => {
    await using diarizer = new Diarizer({ modelsDir: defaultCacheDir(), cacheDir, offline: true, warmup: false });
    const { mergedSegments, exclusiveSegments, speakerCentroids } = (await diarizer.diarize(input)) as DiarizationResult;
    return { mergedSegments, exclusiveSegments, centroids: Object.values(speakerCentroids).map((c) => Array.from(c)) };
  };
  const plain = await result(blocked);
  expect(await result(cache)).toEqual(plain);
  expect(copies(cache).map((n) => n.replace(/-[0-9a-f]{16}-[0-9a-f]{16}\.onnx$/, "")).sort()).toEqual(["campplus", "pyannote-segmentation"]);
  expect(await result(cache)).toEqual(plain);
}, 120_000);
