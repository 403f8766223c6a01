/**
 * @module onnxruntime-node sessions: one per model and options per process, CUDA when it is really there
 * (else the CPU), full graph optimisation, intra-op threads sized to the machine.
 */
import { existsSync } from "node:fs";
import { availableParallelism } from "node:os";
import { dirname, join } from "node:path";
import * as ort from "onnxruntime-node";
import { resolveModel, type ResolvedModel } from "../../models/fetch.ts";
import type { ModelId } from "../../models/manifest.ts";
import { ConfigError, ModelLoadError } from "../errors.ts";
import { terminateWorkerLanes } from "./lanes.ts";

export type Device = "auto" | "cpu" | "cuda";

export interface ModelOptions {
  /** "auto" (default) runs on CUDA when onnxruntime-node has it and a GPU is present, else the CPU */
  device?: Device;
  /** directory with the model files (default: $SENKO_MODELS_DIR, then the user cache) */
  modelsDir?: string;
  /** cache directory (default: $XDG_CACHE_HOME/senko/models or ~/.cache/senko/models) */
  cacheDir?: string;
  /** never download: use only files already present */
  offline?: boolean;
  /** intra-op threads (default: one per CPU; Silero always uses 1) */
  threads?: number;
  /** no log lines on stderr */
  quiet?: boolean;
}

export interface LoadedModel {
  session: ort.InferenceSession;
  model: ResolvedModel;
  /** execution provider the session runs on */
  device: "cuda" | "cpu";
  loadMs: number;
}

let defaults: ModelOptions = { quiet: true };

/** Options used by the model functions when a call passes none (the Diarizer sets them once). */
export function configureModels(options: ModelOptions): void {
  defaults = { ...options };
}

export function modelDefaults(): ModelOptions {
  return defaults;
}

/** The defaults with every option `given` sets (undefined values leave the default in place). */
export function withModelDefaults(given: ModelOptions): ModelOptions {
  const options: ModelOptions = { ...defaults };
  for (const [key, value] of Object.entries(given)) if (value !== undefined) Object.assign(options, { [key]: value });
  return options;
}

let cuda: boolean | undefined;

/**
 * Whether CUDA can run: onnxruntime-node was built with it, its CUDA provider library was installed
 * next to the binding (npm install without ONNXRUNTIME_NODE_INSTALL=skip), and an NVIDIA driver is loaded.
 */
export async function cudaAvailable(): Promise<boolean> {
  if (cuda === undefined) {
    let providerInstalled = false;
    try {
      const binding = join(dirname(Bun.resolveSync("onnxruntime-node", import.meta.dir)), "..", "bin", "napi-v6", process.platform, process.arch);
      providerInstalled = existsSync(join(binding, "libonnxruntime_providers_cuda.so"));
    } catch {
      providerInstalled = false;
    }
    cuda =
      providerInstalled &&
      ort.listSupportedBackends().some((b) => b.name === "cuda") &&
      existsSync("/proc/driver/nvidia/version");
  }
  return cuda;
}

const sessions = new Map<string, Promise<LoadedModel>>();

/** The session of model `id` (created on first use, then shared). */
export function loadModel(id: ModelId, options: ModelOptions = defaults): Promise<LoadedModel> {
  const threads = id === "silero-vad" ? 1 : (options.threads ?? availableParallelism());
  const key = JSON.stringify([id, options.device ?? "auto", options.modelsDir, options.cacheDir, threads]);
  let loaded = sessions.get(key);
  if (!loaded) {
    loaded = createSession(id, options, threads);
    sessions.set(key, loaded);
    // A failed load is not cached, so a later call can succeed once the file is there.
    loaded.catch(() => sessions.delete(key));
  }
  return loaded;
}

/** Releases every session and stops the worker lanes (both are recreated on next use). */
export async function releaseModels(): Promise<void> {
  terminateWorkerLanes();
  const all = [...sessions.values()];
  sessions.clear();
  for (const s of await Promise.allSettled(all)) if (s.status === "fulfilled") await s.value.session.release();
}

async function createSession(id: ModelId, options: ModelOptions, threads: number): Promise<LoadedModel> {
  const log = options.quiet ? undefined : (line: string) => console.error(`senko: ${line}`);
  const model = await resolveModel(id, { modelsDir: options.modelsDir, cacheDir: options.cacheDir, offline: options.offline, log });
  const device = options.device ?? "auto";
  const gpu = device !== "cpu" && (await cudaAvailable());
  if (device === "cuda" && !gpu) {
    throw new ConfigError("device \"cuda\" was asked for, but onnxruntime-node has no usable CUDA provider here (or no NVIDIA driver)");
  }
  const base: ort.InferenceSession.SessionOptions = {
    graphOptimizationLevel: "all",
    intraOpNumThreads: threads,
    interOpNumThreads: 1,
    executionMode: "sequential",
    // Idle worker threads sleep instead of spinning, leaving the cores to the native stages that run
    // next; measured as fast as spinning on a quiet machine (BENCHMARKS.md, Models).
    extra: { session: { intra_op: { allow_spinning: "0" } } },
  };
  const started = performance.now();
  let session: ort.InferenceSession | undefined;
  let runsOn: "cuda" | "cpu" = "cpu";
  if (gpu) {
    try {
      session = await ort.InferenceSession.create(model.path, { ...base, executionProviders: ["cuda", "cpu"] });
      runsOn = "cuda";
    } catch (error) {
      if (device === "cuda") throw new ModelLoadError(`${id}: CUDA session failed: ${String(error)}`, id, { cause: error });
      log?.(`${id}: CUDA session failed (${error instanceof Error ? error.message : error}); using the CPU`);
    }
  }
  try {
    session ??= await ort.InferenceSession.create(model.path, { ...base, executionProviders: ["cpu"] });
  } catch (error) {
    throw new ModelLoadError(`${id}: onnxruntime cannot load ${model.path}: ${String(error)}`, id, { cause: error });
  }
  const loadMs = performance.now() - started;
  const same = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((v, i) => v === b[i]);
  if (!same(session.inputNames, model.file.inputNames) || !same(session.outputNames, model.file.outputNames)) {
    await session.release();
    throw new ModelLoadError(
      `${id}: ${model.path} has tensors (${session.inputNames}) -> (${session.outputNames}), expected (${model.file.inputNames}) -> (${model.file.outputNames})`,
      id,
    );
  }
  log?.(`${id} runs on ${runsOn === "cuda" ? "CUDA" : `the CPU (${threads} thread${threads === 1 ? "" : "s"})`}`);
  return { session, model, device: runsOn, loadMs };
}
