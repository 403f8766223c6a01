/**
 * @module onnxruntime's optimised copy of a model, kept in the cache directory so that a CPU session
 * starts without optimising the graph again (CAM++: most of its session creation; BENCHMARKS.md, "Short
 * inputs"). The copy holds layouts for this CPU (onnxruntime's NCHWc transform), so its name carries a
 * key of all the optimised graph depends on (the model's SHA-256, onnxruntime's version, the session
 * options but the thread count, the platform and the CPU's features) and a hash of its own bytes, checked
 * on every load: a damaged or unreadable copy is removed and rebuilt. A copy is written to a file of its
 * own and renamed into place, so two processes building it at once each rename a whole file and a reader
 * never sees a part. A cache that cannot be written only means no copy. A part whose writer was killed
 * (SIGKILL, a crash) is removed by the next session made with this cache (../stale-parts.ts).
 */
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { mkdir, readdir, rename, rm, writeFile } from "node:fs/promises";
import { cpus } from "node:os";
import { join } from "node:path";
import * as ort from "onnxruntime-node";
import type { ResolvedModel } from "../../models/fetch.ts";
import { removeIfInterrupted } from "../interrupt.ts";
import { removeStaleParts, WRITER_TAG, writerTag } from "../stale-parts.ts";

/** The copies' folder inside the cache directory. */
export const OPTIMIZED_DIR = "optimized";

/** The CPU as onnxruntime's kernels see it (Linux: its vendor, model and feature flags): a fact about the machine, read once. */
let cpuIdentity: string | undefined;

function cpuFeatures(): string {
  if (cpuIdentity === undefined) {
    let first = "";
    try {
      first = readFileSync("/proc/cpuinfo", "utf8").split("\n\n")[0] ?? "";
    } catch {
      // Not Linux: the model name stands for the features.
    }
    const lines = first.split("\n").filter((line) => /^(vendor_id|model name|flags|Features|CPU implementer|CPU architecture|CPU part)\s*:/.test(line));
    cpuIdentity = lines.length > 0 ? lines.join("\n") : (cpus()[0]?.model ?? "unknown");
  }
  return cpuIdentity;
}

/** The start of the names of `model`'s copies made under `options` (the thread count does not change the graph). */
function copyPrefix(model: ResolvedModel, options: ort.InferenceSession.SessionOptions): string {
  const { intraOpNumThreads: _threads, ...graph } = options;
  const facts = { model: model.sha256, onnxruntime: ort.env.versions.node, options: graph, platform: process.platform, arch: process.arch, cpu: cpuFeatures() };
  return `${model.id}-${new Bun.CryptoHasher("sha256").update(JSON.stringify(facts)).digest("hex").slice(0, 16)}-`;
}

/**
 * A check of the copy's bytes against damage (a full disk, a crash before the data reached it). Not a
 * defence against someone who can write the cache: they could rewrite the name as well.
 */
const contentHash = (bytes: Uint8Array) => Bun.hash.wyhash(bytes).toString(16).padStart(16, "0");

/** A part's name (buildCopy's): the copy's prefix, its writer's tag and a random tag. */
const PART_NAME = new RegExp(String.raw`^.+-[0-9a-f]{16}-(${WRITER_TAG})-[0-9a-f]{8}\.part$`);

/**
 * A CPU session of `model` under `options`: from its optimised copy in `cacheDir` when one is there and
 * sound, else from the model file, writing the copy for the next session.
 */
export async function createCpuSession(model: ResolvedModel, options: ort.InferenceSession.SessionOptions, cacheDir: string): Promise<ort.InferenceSession> {
  const dir = join(cacheDir, OPTIMIZED_DIR);
  const prefix = copyPrefix(model, options);
  await removeStaleParts(dir, PART_NAME);
  const names = await readdir(dir).catch(() => [] as string[]);
  for (const name of names.filter((n) => n.startsWith(prefix) && n.endsWith(".onnx"))) {
    const session = await loadCopy(join(dir, name), name.slice(prefix.length, -".onnx".length), options);
    if (session) return session;
  }
  return buildCopy(model, options, dir, prefix);
}

/** The session of the copy at `path`, or undefined (and the copy removed) when its bytes are not `hash`'s or onnxruntime cannot load them. */
async function loadCopy(path: string, hash: string, options: ort.InferenceSession.SessionOptions): Promise<ort.InferenceSession | undefined> {
  let bytes: Uint8Array;
  try {
    bytes = await Bun.file(path).bytes();
  } catch {
    // Removed by another process since the folder was read.
    return undefined;
  }
  if (contentHash(bytes) === hash) {
    try {
      // The copy is the optimised graph: optimising it again would only take time.
      return await ort.InferenceSession.create(bytes, { ...options, graphOptimizationLevel: "disabled" });
    } catch {
      // Sound bytes this onnxruntime cannot load: rebuilt below.
    }
  }
  await rm(path, { force: true }).catch(() => undefined);
  return undefined;
}

/** The session made from the model file, saving its optimised graph as a copy under `prefix` in `dir` when the folder can be written. */
async function buildCopy(model: ResolvedModel, options: ort.InferenceSession.SessionOptions, dir: string, prefix: string): Promise<ort.InferenceSession> {
  const part = join(dir, `${prefix}${writerTag()}-${randomBytes(4).toString("hex")}.part`);
  try {
    await mkdir(dir, { recursive: true });
    // Made first: onnxruntime fails the whole session when it cannot write the copy.
    await writeFile(part, "");
  } catch {
    return ort.InferenceSession.create(model.path, options);
  }
  const forget = removeIfInterrupted(part);
  try {
    let session: ort.InferenceSession;
    try {
      // Level 3: not onnxruntime's warning that the copy is for this machine only (its key says so).
      session = await ort.InferenceSession.create(model.path, { ...options, optimizedModelFilePath: part, logSeverityLevel: 3 });
    } catch {
      // The copy could not be written (a full disk): the session without one says what else is wrong, if anything.
      return await ort.InferenceSession.create(model.path, options);
    }
    try {
      await rename(part, join(dir, `${prefix}${contentHash(await Bun.file(part).bytes())}.onnx`));
      // Copies of this model under other keys (another onnxruntime, another CPU on a shared cache) are stale.
      for (const name of await readdir(dir)) {
        if (name.startsWith(`${model.id}-`) && name.endsWith(".onnx") && !name.startsWith(prefix)) await rm(join(dir, name), { force: true });
      }
    } catch {
      // The session stands; the next one builds the copy again.
    }
    return session;
  } finally {
    await rm(part, { force: true }).catch(() => undefined);
    forget();
  }
}
