/**
 * @module Finding a verified model file: an explicit path, then a models directory (option or
 * SENKO_MODELS_DIR), then the user cache, then the manifest's sources in order. A download is verified
 * against its SHA-256 (an export made by another PyTorch version, by a functional check instead) and
 * moved into the cache atomically. When nothing works, one ModelLoadError lists every place tried and why.
 */
import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, open, readFile, rename, rm, stat, writeFile } from "node:fs/promises";
import { homedir, tmpdir } from "node:os";
import { dirname, isAbsolute, join, resolve } from "node:path";
import * as ort from "onnxruntime-node";
import { ModelLoadError } from "../src/errors.ts";
import { removeIfInterrupted } from "../src/interrupt.ts";
import { removeStaleParts, WRITER_TAG, writerTag } from "../src/stale-parts.ts";
import { checkCacheDir, checkModelsDir } from "./directories.ts";
import {
  acceptedFiles,
  describeSource,
  expectedFile,
  modelSpec,
  type AcceptedFile,
  type ExportSource,
  type ModelId,
  type ModelSource,
  type ModelSpec,
} from "./manifest.ts";
import { fetchSource, sha256File, torchReferenceEmbeddings, type FetchContext } from "./sources.ts";

export interface ResolveOptions {
  /** this exact file (checked like any other) */
  path?: string;
  /** a directory holding the model files under their manifest names (default: $SENKO_MODELS_DIR) */
  modelsDir?: string;
  /** where downloads go (default: $XDG_CACHE_HOME/senko/models or ~/.cache/senko/models) */
  cacheDir?: string;
  /** never fetch: only the path, the models directory and the cache */
  offline?: boolean;
  /** replaces the manifest's sources */
  sources?: readonly ModelSource[];
  /** a download fails when the server sends nothing for this long (default 15 s) */
  timeoutMs?: number;
  /** progress lines (default: none) */
  log?: (line: string) => void;
  /** bytes received of a download from a URL source, and its length when known (see download-progress.ts) */
  onProgress?: (id: ModelId, receivedBytes: number, totalBytes: number | undefined) => void;
}

export interface ResolvedModel {
  id: ModelId;
  path: string;
  bytes: number;
  sha256: string;
  /** where the file was found */
  origin: "path" | "models-dir" | "cache" | "download";
  /** the source it was fetched from, when origin is "download" */
  source?: string;
  /** "functional": an export whose bytes differ from the manifest's, accepted by comparing it with PyTorch */
  verification: "sha256" | "functional";
  /** tensor names of this file */
  file: AcceptedFile;
  /** wall time of the download, verification included */
  fetchMs?: number;
}

/** Written next to an export accepted by the functional check, so the cache recognises it later. */
interface FunctionalRecord {
  sha256: string;
  bytes: number;
  source: string;
  check: string;
  inputNames: string[];
  outputNames: string[];
}

const sidecarPath = (path: string) => `${path}.verified.json`;

export function defaultCacheDir(): string {
  const xdg = process.env.XDG_CACHE_HOME;
  return join(xdg && isAbsolute(xdg) ? xdg : join(homedir(), ".cache"), "senko", "models");
}

type Checked = { ok: true; sha256: string; bytes: number; file: AcceptedFile; verification: "sha256" | "functional" } | { ok: false; why: string };

/** Whether `path` is one of the files the model may be. */
async function checkFile(spec: ModelSpec, path: string): Promise<Checked> {
  let bytes: number;
  try {
    const info = await stat(path);
    if (!info.isFile()) return { ok: false, why: "not a file" };
    bytes = info.size;
  } catch {
    return { ok: false, why: "not there" };
  }
  const sha256 = await sha256File(path);
  const accepted = acceptedFiles(spec).find((f) => f.sha256 === sha256 && f.bytes === bytes);
  if (accepted) return { ok: true, sha256, bytes, file: accepted, verification: "sha256" };
  try {
    const record = JSON.parse(await readFile(sidecarPath(path), "utf8")) as FunctionalRecord;
    if (record.sha256 === sha256 && record.bytes === bytes) {
      const file = { sha256, bytes, inputNames: record.inputNames, outputNames: record.outputNames };
      return { ok: true, sha256, bytes, file, verification: "functional" };
    }
  } catch {
    // no record: the digest decides
  }
  const expected = acceptedFiles(spec).map((f) => f.sha256).join(" or ");
  return { ok: false, why: `SHA-256 mismatch: ${bytes} bytes with SHA-256 ${sha256}, expected ${expected}` };
}

/** The verified file of model `id`, fetched into the cache if needed. */
export async function resolveModel(id: ModelId, options: ResolveOptions = {}): Promise<ResolvedModel> {
  const spec = modelSpec(id);
  const tried: string[] = [];
  const local: [ResolvedModel["origin"], string][] = [];
  if (options.path) local.push(["path", options.path]);
  const cacheDir = options.cacheDir ?? defaultCacheDir();
  await checkCacheDir(cacheDir, options.cacheDir === undefined ? "the cache directory" : "cacheDir");
  const modelsDir = options.modelsDir ?? process.env.SENKO_MODELS_DIR;
  if (modelsDir) {
    await checkModelsDir(modelsDir, options.modelsDir === undefined ? "SENKO_MODELS_DIR" : "modelsDir", cacheDir);
    local.push(["models-dir", join(modelsDir, spec.file)]);
  }
  const cached = join(cacheDir, spec.file);
  local.push(["cache", cached]);

  // --models-dir and --cache-dir may name one directory: each file is checked (and listed) once.
  for (const [origin, path] of local.filter(([, path], i) => local.findIndex(([, other]) => other === path) === i)) {
    const checked = await checkFile(spec, path);
    if (checked.ok) {
      const { sha256, bytes, file, verification } = checked;
      return { id, path, bytes, sha256, origin, verification, file };
    }
    tried.push(`${path}: ${checked.why}`);
    // A file put in a models directory (or named in code) that does not verify is passed over: said, not silently.
    if (origin !== "cache" && checked.why !== "not there") options.log?.(`${id}: ${path} is not used: ${checked.why}`);
    // The models directory holds others of the files, not this one: the model comes from elsewhere, said.
    if (origin === "models-dir" && checked.why === "not there" && resolve(path) !== resolve(cached)) options.log?.(`${id}: ${spec.file} is not in ${modelsDir}: looking in the cache`);
  }

  if (options.offline) {
    tried.push("sources: not tried (offline)");
  } else {
    const log = options.log ?? (() => {});
    let sources = options.sources ?? spec.sources;
    try {
      await mkdir(cacheDir, { recursive: true });
    } catch (error) {
      tried.push(`sources: not tried, the cache directory cannot be created (${error instanceof Error ? error.message : error})`);
      sources = [];
    }
    for (const source of sources) {
      const started = performance.now();
      try {
        log(`${id}: fetching from ${describeSource(source)}`);
        const onProgress = options.onProgress && ((received: number, total: number | undefined) => options.onProgress!(id, received, total));
        const got = await fetchInto(spec, source, cached, { timeoutMs: options.timeoutMs ?? 15_000, log, onProgress });
        const fetchMs = performance.now() - started;
        log(`${id}: ok, ${got.bytes} bytes, ${got.verification === "sha256" ? "SHA-256 verified" : "verified functionally"} (${(fetchMs / 1000).toFixed(1)} s)`);
        return { id, path: cached, origin: "download", source: describeSource(source), fetchMs, ...got };
      } catch (error) {
        // A tool's stderr (npm, pip) may span lines: each place tried is one line.
        const why = (error instanceof Error ? error.message : String(error)).replace(/\s*\n\s*/g, " ");
        log(`${id}: failed (${why})`);
        tried.push(`${describeSource(source)}: ${why}`);
      }
    }
  }
  throw new ModelLoadError(
    `model ${id} (${spec.name}, ${spec.file}) is not available; tried ${tried.join("; ")}. ` +
      `Run \`senko models\` (in a checkout: \`bun run models\`) where a source is reachable, or put the file (SHA-256 ${spec.sha256}) in a directory named by --models-dir or SENKO_MODELS_DIR.`,
    id,
    { tried },
  );
}

/** A download's part in the cache directory (fetchInto's): the model file's name, its writer's tag and a random tag. */
const DOWNLOAD_PART = new RegExp(String.raw`^.+\.(${WRITER_TAG})\.[0-9a-f]{8}\.part$`);

/** Fetches one source into a temp file in the cache directory, verifies it, renames it into place. */
async function fetchInto(
  spec: ModelSpec,
  source: ModelSource,
  target: string,
  options: Omit<FetchContext, "workDir">,
): Promise<{ sha256: string; bytes: number; file: AcceptedFile; verification: "sha256" | "functional" }> {
  // A download killed with SIGKILL (or a crash) left its part: removed now, when its writer is gone.
  await removeStaleParts(dirname(target), DOWNLOAD_PART);
  const workDir = await mkdtemp(join(tmpdir(), "senko-model-"));
  const part = `${target}.${writerTag()}.${randomBytes(4).toString("hex")}.part`;
  const ctx: FetchContext = { workDir, ...options };
  const log = ctx.log;
  // Ctrl-C in `senko models` or a first run leaves no partial download in the cache (see src/interrupt.ts).
  const forget = removeIfInterrupted(part, workDir);
  try {
    await fetchSource(source, part, ctx);
    const bytes = (await stat(part)).size;
    const sha256 = await sha256File(part);
    const expected = expectedFile(spec, source);
    let verification: "sha256" | "functional" = "sha256";
    let file = expected;
    if (sha256 !== expected.sha256 || bytes !== expected.bytes) {
      if (source.kind !== "export") {
        throw new Error(`SHA-256 mismatch: got ${bytes} bytes with SHA-256 ${sha256}, expected ${expected.bytes} bytes with ${expected.sha256}`);
      }
      log(`${spec.id}: the export differs from the recorded bytes (another PyTorch version?); checking it against PyTorch`);
      const check = await checkExportFunctionally(spec, source, part, ctx);
      verification = "functional";
      file = { ...expected, sha256, bytes };
      const record: FunctionalRecord = { sha256, bytes, source: describeSource(source), check, inputNames: file.inputNames, outputNames: file.outputNames };
      await writeFile(sidecarPath(target), `${JSON.stringify(record, null, 2)}\n`);
    } else if (existsSync(sidecarPath(target))) {
      await rm(sidecarPath(target));
    }
    const handle = await open(part, "r+");
    await handle.sync();
    await handle.close();
    await rename(part, target);
    return { sha256, bytes, file, verification };
  } finally {
    await rm(part, { force: true });
    await rm(workDir, { recursive: true, force: true });
    forget();
  }
}

/** Deterministic pseudo-random numbers (mulberry32), so the check is the same on every machine. */
function seededNormal(count: number, seed: number): Float32Array {
  let state = seed >>> 0;
  const uniform = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (((t ^ (t >>> 14)) >>> 0) + 0.5) / 4294967296;
  };
  const out = new Float32Array(count);
  for (let i = 0; i < count; i++) out[i] = Math.sqrt(-2 * Math.log(uniform())) * Math.cos(2 * Math.PI * uniform());
  return out;
}

const FUNCTIONAL_MIN_COSINE = 0.9999;

/**
 * Runs the exported ONNX and the PyTorch model on the same features (4 x 150 frames of fixed
 * pseudo-random fbank-scaled values) and requires every embedding pair to have cosine >= 0.9999.
 */
async function checkExportFunctionally(spec: ModelSpec, source: ExportSource, onnxPath: string, ctx: FetchContext): Promise<string> {
  const n = 4;
  const frames = 150;
  const features = seededNormal(n * frames * 80, 20261126).map((v) => 3 * v);
  const reference = await torchReferenceEmbeddings(source, features, n, frames, ctx);
  const session = await ort.InferenceSession.create(onnxPath);
  const [input] = session.inputNames;
  const [output] = session.outputNames;
  const result = await session.run({ [input!]: new ort.Tensor("float32", features, [n, frames, 80]) });
  const onnx = result[output!]!.data as Float32Array;
  await session.release();
  const dim = spec.outputs[0]!.shape[1] as number;
  if (onnx.length !== n * dim || reference.length !== n * dim) {
    throw new Error(`export check: got ${onnx.length} and ${reference.length} floats, expected ${n * dim}`);
  }
  let worst = 1;
  for (let i = 0; i < n; i++) {
    let dot = 0;
    let na = 0;
    let nb = 0;
    for (let d = 0; d < dim; d++) {
      const a = onnx[i * dim + d]!;
      const b = reference[i * dim + d]!;
      dot += a * b;
      na += a * a;
      nb += b * b;
    }
    worst = Math.min(worst, dot / Math.sqrt(na * nb));
  }
  if (!(worst >= FUNCTIONAL_MIN_COSINE)) {
    throw new Error(`export check failed: ONNX and PyTorch embeddings differ (worst cosine ${worst})`);
  }
  return `ONNX vs PyTorch on ${n}x${frames} frames: worst cosine 1 - ${(1 - worst).toExponential(2)}`;
}
