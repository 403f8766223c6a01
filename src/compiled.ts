/**
 * @module Entry point of the `bun build --compile` executable. It carries libsenko (portable build) and
 * onnxruntime's shared library inside itself; onnxruntime's Node binding needs `libonnxruntime.so.1` from
 * a real directory, so that copy is written to the user cache and loaded before onnxruntime-node is imported.
 */
import { dlopen } from "bun:ffi";
import { existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import libsenko from "../zig-out/lib/x86_64-linux-portable/libsenko.so" with { type: "file" };
import libonnxruntime from "../node_modules/onnxruntime-node/bin/napi-v6/linux/x64/libonnxruntime.so.1" with { type: "file" };
import { setLibraryPath } from "./ffi.ts";
import { setInferenceWorkerUrl } from "./models/lanes.ts";
import { setDiarizeThreadUrl } from "./queue/diarize-slot.ts";
import { VERSION } from "./version.ts";

function cachedCopy(embedded: string, name: string): string {
  const dir = join(process.env.XDG_CACHE_HOME || join(homedir(), ".cache"), "senko", "lib", VERSION);
  const target = join(dir, name);
  if (existsSync(target) && statSync(target).size === Bun.file(embedded).size) return target;
  mkdirSync(dir, { recursive: true });
  const tmp = `${target}.${process.pid}.tmp`;
  // Files inside the executable are readable but not copyable with copyFile.
  writeFileSync(tmp, readFileSync(embedded));
  renameSync(tmp, target);
  return target;
}

setLibraryPath(libsenko);
// The threads' entry points (tools/build-exe.sh) are kept at their paths under src/.
setInferenceWorkerUrl(new URL("./models/inference-worker.ts", import.meta.url).href);
setDiarizeThreadUrl(new URL("./queue/diarize-thread.ts", import.meta.url).href);
// Loaded once by soname, the binding's own dependency on libonnxruntime.so.1 resolves to this copy.
dlopen(cachedCopy(libonnxruntime, "libonnxruntime.so.1"), { OrtGetApiBase: { args: [], returns: "ptr" } });
const { main } = await import("./cli.ts");
process.exitCode = await main(process.argv.slice(2));
