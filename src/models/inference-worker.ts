/**
 * @module Worker entry of the inference lanes (lanes.ts). onnxruntime-node runs a session synchronously
 * on the calling JS thread, so a second core only helps when the work runs in another thread: each
 * worker owns its own sessions and answers one request at a time.
 */
import { embedBatch } from "./campplus.ts";
import type { LaneReply, LaneRequest } from "./lanes.ts";
import { sileroStretchProbabilities } from "./silero.ts";

declare const self: Worker;

async function handle(request: LaneRequest): Promise<{ reply: LaneReply; transfer: ArrayBuffer[] }> {
  // The calling thread has fetched and verified the files already (never download from here) and has
  // said where each model runs (the worker's sessions run alike).
  const options = { ...request.options, offline: true, quiet: true };
  try {
    if (request.kind === "silero") {
      const result = await sileroStretchProbabilities(request.stretches, options);
      return { reply: { id: request.id, ok: true, result }, transfer: result.map((r) => r.buffer as ArrayBuffer) };
    }
    // The output may be a view over onnxruntime's memory: it is small, so it is copied, not transferred.
    const result = await embedBatch(request.features, request.batch, request.frames, options);
    return { reply: { id: request.id, ok: true, result: [result] }, transfer: [] };
  } catch (error) {
    return { reply: { id: request.id, ok: false, error: error instanceof Error ? error.message : String(error) }, transfer: [] };
  }
}

self.onmessage = async (event: MessageEvent<LaneRequest>) => {
  const { reply, transfer } = await handle(event.data);
  self.postMessage(reply, transfer);
  // The audio of a Silero job (a quarter of an hour's worth of samples is 58 MB) is garbage now; an idle
  // worker would keep it resident through the embedding stage, so it is collected at once.
  if (event.data.kind === "silero") Bun.gc(true);
};
