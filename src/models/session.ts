/**
 * @module How one onnxruntime-node session is made: on the platform's accelerator when it is really there
 * (./execution-provider.ts: CoreML, DirectML, CUDA), else the CPU, full graph optimisation (on the CPU
 * kept as an optimised copy in the cache, ./optimized-model.ts), the intra-op threads asked for.
 * Sessions are owned and cached by a ComputeContext (../compute-context.ts), never by this module.
 */
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import * as ort from "onnxruntime-node";
import { defaultCacheDir, resolveModel, type ResolvedModel } from "../../models/fetch.ts";
import type { ModelId } from "../../models/manifest.ts";
import { defaultContext, type InContext } from "../compute-context.ts";
import { ModelLoadError } from "../errors.ts";
import { chooseExecution, deviceName, sessionFailureRemedy, type Accelerator, type Device, type ExecutionChoice, type Installed } from "./execution-provider.ts";
import { createCpuSession } from "./optimized-model.ts";
import { spellChoice } from "../option-names.ts";

export type { Device } from "./execution-provider.ts";

/** Where the models come from and where they run: fixed for the life of a ComputeContext. */
export interface SessionOptions {
  /**
   * "auto" (default) runs on the platform's accelerator when onnxruntime-node can use it (CoreML on macOS,
   * DirectML on Windows, CUDA on Linux x64 with its provider and an NVIDIA driver), else the CPU
   */
  device?: Device;
  /** directory with the model files (default: $SENKO_MODELS_DIR, then the user cache) */
  modelsDir?: string;
  /** cache directory of downloads and of onnxruntime's optimised copies (default: $XDG_CACHE_HOME/senko/models or ~/.cache/senko/models) */
  cacheDir?: string;
  /** never download: use only files already present */
  offline?: boolean;
  /** no log lines on stderr */
  quiet?: boolean;
}

/** How a model function runs: in which context (default: the standalone one) and with how many intra-op threads (default: the context's). */
export interface ModelCall extends InContext {
  threads?: number;
}

/** The session of model `id` in the call's context (created on first use, then kept by the context). */
export function loadModel(id: ModelId, call: ModelCall = {}): Promise<LoadedModel> {
  return (call.context ?? defaultContext()).session(id, call.threads);
}

/**
 * Loads several models at once and fails, with the first failure, only once every load has ended: no load
 * goes on (downloading, logging) after the caller has seen the error.
 */
export async function loadModels<const L extends readonly (readonly [ModelId, ModelCall])[]>(loads: L): Promise<{ [K in keyof L]: LoadedModel }> {
  const settled = await Promise.allSettled(loads.map(([id, call]) => loadModel(id, call)));
  const failure = settled.find((s) => s.status === "rejected");
  if (failure) throw failure.reason;
  return settled.map((s) => (s as PromiseFulfilledResult<LoadedModel>).value) as { [K in keyof L]: LoadedModel };
}

export interface LoadedModel {
  session: ort.InferenceSession;
  model: ResolvedModel;
  /** execution provider the session runs on */
  device: Accelerator | "cpu";
  loadMs: number;
}

/** What onnxruntime-node has here: a fact about the machine, read once. */
let installed: Installed | undefined;

function installedProviders(): Installed {
  if (!installed) {
    let cudaProvider = false;
    try {
      const binding = join(dirname(Bun.resolveSync("onnxruntime-node", import.meta.dir)), "..", "bin", "napi-v6", process.platform, process.arch);
      cudaProvider = existsSync(join(binding, "libonnxruntime_providers_cuda.so"));
    } catch {
      // A single-file executable has no onnxruntime-node directory: no CUDA provider beside it.
      cudaProvider = false;
    }
    installed = { backends: ort.listSupportedBackends(), cudaProvider, nvidiaDriver: existsSync("/proc/driver/nvidia/version") };
  }
  return installed;
}

/** Where sessions of `device` run on this machine (a named accelerator that cannot run is a ConfigError). */
export function executionChoice(device: Device = "auto"): ExecutionChoice {
  return chooseExecution(process.platform, process.arch, installedProviders(), device);
}

/** The voice activity detector: Silero, pyannote segmentation-3.0, or "auto" (pyannote on CUDA, else Silero). */
export type VadChoice = "auto" | "silero" | "pyannote";
export const VAD_CHOICES: readonly VadChoice[] = ["silero", "pyannote", "auto"];

/** Resolves "auto" to the VAD that will run: pyannote where CUDA runs (not on `device` "cpu"), else Silero. */
export function resolveVad(given: VadChoice, device: Device = "auto"): "silero" | "pyannote" {
  // In any case, as the Diarizer and the CLI take it.
  const vad = spellChoice("vad", given, VAD_CHOICES);
  if (vad !== "auto") return vad;
  return cudaAvailable() && (device === "auto" || device === "cuda") ? "pyannote" : "silero";
}

/**
 * Whether CUDA can run: onnxruntime-node was built with it, its CUDA provider library was installed
 * next to the binding (npm install without ONNXRUNTIME_NODE_INSTALL=skip), and an NVIDIA driver is loaded.
 */
function cudaAvailable(): boolean {
  return process.platform === "linux" && process.arch === "x64" && executionChoice("auto").device === "cuda";
}

/** The session options (one object per ComputeContext) whose CPU fallback has been logged: one line each. */
const fallbackLogged = new WeakSet<SessionOptions>();

/** A new session of model `id` with `threads` intra-op threads. */
export async function createSession(id: ModelId, options: SessionOptions, threads: number): Promise<LoadedModel> {
  // Not console.error: Bun draws it in red on a terminal, and these lines say what runs, not what failed.
  const log = options.quiet ? undefined : (line: string) => void process.stderr.write(`senko: ${line}\n`);
  // A device that cannot run here is said before any model is looked for or downloaded.
  const device = options.device ?? "auto";
  const choice = executionChoice(device);
  const model = await resolveModel(id, { modelsDir: options.modelsDir, cacheDir: options.cacheDir, offline: options.offline, log });
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
  let runsOn: Accelerator | "cpu" = "cpu";
  if (choice.device !== "cpu") {
    const name = deviceName(choice.device);
    try {
      session = await ort.InferenceSession.create(model.path, { ...base, executionProviders: choice.providers });
      runsOn = choice.device;
    } catch (error) {
      if (device !== "auto") throw new ModelLoadError(`${id}: ${name} session failed: ${String(error)}: ${sessionFailureRemedy(choice.device)}`, id, { cause: error });
      log?.(`${id}: ${name} session failed (${error instanceof Error ? error.message : error}); using the CPU`);
    }
  } else if (choice.fallback && !fallbackLogged.has(options)) {
    fallbackLogged.add(options);
    log?.(`models run on the CPU: ${choice.fallback}`);
  }
  try {
    // From onnxruntime's optimised copy in the cache (./optimized-model.ts): an accelerator's graph is its own.
    session ??= await createCpuSession(model, { ...base, executionProviders: ["cpu"] }, options.cacheDir ?? defaultCacheDir());
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
  log?.(`${id} runs on ${runsOn === "cpu" ? `the CPU (${threads} thread${threads === 1 ? "" : "s"})` : deviceName(runsOn)}`);
  return { session, model, device: runsOn, loadMs };
}
