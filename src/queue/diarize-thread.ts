/**
 * @module Thread entry of a queue worker's job slot (diarize-slot.ts). onnxruntime and the native stages
 * run synchronously on the calling JS thread, for seconds at a time on long files; here they cannot delay
 * the main thread, which renews the job's lock in Redis. The thread keeps its Diarizer (and so its
 * loaded models) for the next job with the same options.
 */
import { Diarizer, type DiarizerOptions } from "../diarizer.ts";
import { isUserError } from "../errors.ts";
import { setLibraryPath } from "../ffi.ts";
import { setInferenceWorkerUrl } from "../models/lanes.ts";
import type { SlotReply, SlotRequest } from "./diarize-slot.ts";

declare const self: Worker;

// Bundled (the compiled executable), the lanes' entry is found from here, as compiled.ts finds it.
setInferenceWorkerUrl(new URL("../models/inference-worker.ts", import.meta.url).href);

let current: { key: string; diarizer: Diarizer } | undefined;
/** The request whose progress the Diarizer reports (a slot runs one job at a time). */
let reportTo = 0;

/** The Diarizer for these options: the last one if they are the same, else a new one (the old one closed). */
async function diarizerFor(options: DiarizerOptions): Promise<Diarizer> {
  const key = JSON.stringify(options);
  if (current?.key !== key) {
    const onProgress: DiarizerOptions["onProgress"] = (progress) => reply({ kind: "progress", id: reportTo, progress });
    // Made (and its options checked) before the old one closes: a job whose options cannot work keeps the loaded models.
    const replaced = current;
    current = { key, diarizer: new Diarizer({ ...options, quiet: true, onProgress }) };
    await replaced?.diarizer.close();
  }
  return current.diarizer;
}

function reply(message: SlotReply): void {
  self.postMessage(message);
}

self.onmessage = async (event: MessageEvent<SlotRequest>) => {
  const request = event.data;
  if (request.kind === "init") {
    if (request.libraryPath) setLibraryPath(request.libraryPath);
    return;
  }
  if (request.kind === "close") {
    await current?.diarizer.close().catch(() => {});
    current = undefined;
    return reply({ kind: "closed" });
  }
  reportTo = request.id;
  try {
    const result = await (await diarizerFor(request.options)).diarize(request.file, { name: request.name });
    reply({ kind: "result", id: request.id, result });
  } catch (error) {
    const { name, message } = error instanceof Error ? error : { name: "Error", message: String(error) };
    reply({ kind: "error", id: request.id, name, message, userError: isUserError(error) });
  }
};
