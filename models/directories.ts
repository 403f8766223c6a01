/**
 * @module The folders models come from (a models directory: --models-dir, SENKO_MODELS_DIR, the `modelsDir`
 * option) and go to (the cache), checked so that a mistake is one line saying what is wrong with which folder:
 * missing, a file, unreadable, or holding none of the model files (whose models would otherwise be fetched from
 * the network past the folder the user named).
 */
import { constants, type Stats } from "node:fs";
import { access, readdir, stat } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import { ConfigError } from "../src/errors.ts";
import { MODEL_IDS, modelSpec } from "./manifest.ts";

/** What an existing path is, for a message: "a file", "a FIFO"... */
function kindOf(info: Stats): string {
  if (info.isFile()) return "a file";
  if (info.isFIFO()) return "a FIFO";
  if (info.isSocket()) return "a socket";
  if (info.isCharacterDevice() || info.isBlockDevice()) return "a device";
  return "another kind of file";
}

const errorCode = (error: unknown) => (error as NodeJS.ErrnoException).code;

/** The nearest ancestor of a missing `dir` that exists, and what it is (undefined when it is a directory). */
async function missingBecause(dir: string): Promise<string | undefined> {
  for (let parent = dirname(resolve(dir)); ; parent = dirname(parent)) {
    const info = await stat(parent).catch(() => undefined);
    if (info) return info.isDirectory() ? undefined : `${parent} is ${kindOf(info)}`;
    if (dirname(parent) === parent) return undefined;
  }
}

/** Why `dir` cannot serve as a directory to read (undefined when it can): what a message puts after its name. */
async function readProblem(dir: string): Promise<string | undefined> {
  let info;
  try {
    info = await stat(dir);
  } catch (error) {
    const code = errorCode(error);
    if (code === "EACCES") return "cannot be reached: permission denied";
    const because = await missingBecause(dir);
    return because ? `does not exist (${because}, not a directory)` : "does not exist";
  }
  if (!info.isDirectory()) return `is ${kindOf(info)}, not a directory`;
  try {
    await access(dir, constants.R_OK | constants.X_OK);
  } catch {
    return "cannot be read: permission denied";
  }
  return undefined;
}

/**
 * Refuses a models directory that is not a readable directory, or that holds none of the model files (a
 * wrong folder, or files under other names: the models would be fetched past it). `named` says where it was
 * given (`--models-dir`, `SENKO_MODELS_DIR`); the cache directory may hold nothing yet, so one that is also
 * the cache is not held to the files.
 */
export async function checkModelsDir(dir: string, named: string, cacheDir?: string): Promise<void> {
  if (dir === "") throw new ConfigError(`${named} needs a directory's path, got an empty one`);
  const problem = await readProblem(dir);
  if (problem) throw new ConfigError(`${named} ${dir} ${problem}`);
  if (cacheDir !== undefined && resolve(cacheDir) === resolve(dir)) return;
  const files = MODEL_IDS.map((id) => modelSpec(id).file);
  const names = await readdir(dir);
  if (files.some((file) => names.includes(file))) return;
  const onnx = names.filter((name) => name.endsWith(".onnx")).sort();
  const listed = onnx.length > 5 ? `${onnx.slice(0, 5).join(", ")} and ${onnx.length - 5} more` : onnx.join(", ");
  const holds = onnx.length > 0 ? `it holds ${listed}` : names.length > 0 ? "it holds no .onnx file" : "it is empty";
  throw new ConfigError(`${named} ${dir} holds none of the model files senko looks for there (${files.join(", ")}): ${holds}`);
}

/**
 * Refuses a cache directory that cannot be one: a file, or under one. A missing one is made when a model is
 * downloaded, so only a path that can never become a directory is an error here.
 */
export async function checkCacheDir(dir: string, named: string): Promise<void> {
  // "" would be the working directory: downloads would land there.
  if (dir === "") throw new ConfigError(`${named} needs a directory's path, got an empty one`);
  const info = await stat(dir).catch(() => undefined);
  if (info && !info.isDirectory()) throw new ConfigError(`${named} ${dir} is ${kindOf(info)}, not a directory`);
  if (info) return;
  const because = await missingBecause(dir);
  if (because) throw new ConfigError(`${named} ${dir} cannot be created: ${because}, not a directory`);
}
