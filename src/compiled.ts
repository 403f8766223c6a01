/**
 * @module The body of the `bun build --compile` executables. tools/build-exe.ts writes a small entry per
 * platform that embeds that platform's libsenko and onnxruntime libraries and calls `runExecutable`.
 * The bundler embeds onnxruntime-node's binding itself and loads it from a temporary copy; the onnxruntime
 * library the binding links to must come from a real directory, so the embedded copies are written to the
 * user cache and loaded first: the binding's own dependency then resolves to the library already in the
 * process (by soname on Linux, install name on macOS, module name on Windows).
 */
import { existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { basename, join } from "node:path";
import { oneLine, SenkoError } from "./errors.ts";
import { loadSharedLibrary, setLibraryPath } from "./ffi.ts";
import { setInferenceWorkerUrl } from "./models/lanes.ts";
import { nearestExisting, outputError } from "./output/writers.ts";
import { setDiarizeThreadUrl } from "./queue/diarize-slot.ts";

export interface EmbeddedRuntime {
  /** the file name the binding (or onnxruntime) loads it by */
  name: string;
  /** its path inside the executable */
  path: string;
  /** a symbol it exports, looked up to load it */
  symbol: string;
}

export interface ExecutableFiles {
  /** libsenko inside the executable (bun:ffi loads it from there) */
  libsenko: string;
  /** onnxruntime's libraries, in load order */
  runtime: EmbeddedRuntime[];
  /** entry points of the threads inside the executable: the inference lanes' worker, the queue's diarization thread */
  threads: { inferenceWorker: string; diarizeThread: string };
  /** the content hash of the runtime libraries: their folder in the user cache, shared by builds that embed the same ones */
  runtimeId: string;
}

/** A copy of an embedded file in `dir` (written once per build, atomically). */
function extracted(embedded: string, dir: string, name: string): string {
  const target = join(dir, name);
  if (existsSync(target) && statSync(target).size === Bun.file(embedded).size) return target;
  mkdirSync(dir, { recursive: true });
  const tmp = `${target}.${process.pid}.tmp`;
  // Files inside the executable are readable but not copyable with copyFile.
  writeFileSync(tmp, readFileSync(embedded));
  renameSync(tmp, target);
  return target;
}

export async function runExecutable(files: ExecutableFiles): Promise<void> {
  setLibraryPath(files.libsenko);
  setInferenceWorkerUrl(files.threads.inferenceWorker);
  setDiarizeThreadUrl(files.threads.diarizeThread);
  const cache = process.env.XDG_CACHE_HOME || join(homedir(), ".cache");
  const dir = join(cache, "senko", "runtime", files.runtimeId);
  try {
    // All first, so a library that loads another by name finds it beside itself.
    const paths = files.runtime.map((r) => extracted(r.path, dir, r.name));
    files.runtime.forEach((r, i) => loadSharedLibrary(paths[i]!, r.symbol));
  } catch (error) {
    // A read-only home, or a cache on a noexec mount: one line, as senko says any other failure.
    const problem = error instanceof SenkoError ? error.message : outputError(dir, error, "write onnxruntime's libraries to", nearestExisting(dir)).message;
    process.stderr.write(`senko: ${oneLine(problem)}; XDG_CACHE_HOME names another cache directory\n`);
    process.exitCode = 1;
    return;
  }
  const { main } = await import("./cli.ts");
  // The name the executable was run by (process.argv[1] is the bundle's entry, not the file).
  process.exitCode = await main(process.argv.slice(2), basename(process.execPath).replace(/\.exe$/i, ""));
}
