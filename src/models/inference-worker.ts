/**
 * @module Worker entry of the inference lanes (lanes.ts). onnxruntime-node runs a session synchronously
 * on the calling JS thread, so a second core only helps when the work runs in another thread: each
 * worker owns a ComputeContext of its own (its sessions) and answers one request at a time.
 */
import { isStopped } from "../abort.ts";
import { ComputeContext } from "../compute-context.ts";
import { embedBatch } from "./campplus.ts";
import { segmentationScoresBatch } from "./segmentation.ts";
import type { LaneInit, LaneReply, LaneRequest } from "./lanes.ts";
import { sileroStretchProbabilities } from "./silero.ts";

declare const self: Worker;

let context: ComputeContext | undefined;
/** The requests in hand, run one after another: a request waits here (not in a session call) until its turn. */
let queue: Promise<void> = Promise.resolve();

async function handle(request: LaneRequest): Promise<{ reply: LaneReply; transfer: ArrayBuffer[] }> {
  try {
    if (!context) throw new Error("the lane was not initialised");
    if (request.kind === "close") {
      await context.close();
      return { reply: { id: request.id, ok: true, result: [] }, transfer: [] };
    }
    if (request.kind === "silero") {
      const result = await sileroStretchProbabilities(request.stretches, { context });
      return { reply: { id: request.id, ok: true, result }, transfer: result.map((r) => r.buffer as ArrayBuffer) };
    }
    if (request.kind === "segmentation") {
      const result = await segmentationScoresBatch(request.chunks, { context, threads: request.threads });
      return { reply: { id: request.id, ok: true, result }, transfer: result.map((r) => r.buffer as ArrayBuffer) };
    }
    // The output may be a view over onnxruntime's memory: it is small, so it is copied, not transferred.
    const result = await embedBatch(request.features, request.batch, request.frames, { context, threads: request.threads });
    return { reply: { id: request.id, ok: true, result: [result] }, transfer: [] };
  } catch (error) {
    return { reply: { id: request.id, ok: false, error: error instanceof Error ? error.message : String(error) }, transfer: [] };
  }
}

self.onmessage = async (event: MessageEvent<LaneRequest | LaneInit>) => {
  const message = event.data;
  if (message.kind === "init") {
    // The calling thread has fetched and verified the files already (never download from here) and
    // says where each model runs (the worker's sessions run alike).
    context = new ComputeContext({ ...message.options, offline: true, quiet: true, lanes: 1 });
    return;
  }
  queue = queue.then(async () => {
    // Its run was stopped (aborted, or another lane failed) while it waited: dropped, not run for nobody.
    if ("stopped" in message && isStopped(message.stopped)) return self.postMessage({ id: message.id, ok: false, dropped: true } satisfies LaneReply);
    const { reply, transfer } = await handle(message);
    self.postMessage(reply, transfer);
    // The audio of a Silero job (a quarter of an hour's worth of samples is 58 MB) is garbage now; an idle
    // worker would keep it resident through the embedding stage, so it is collected at once.
    if (message.kind === "silero") Bun.gc(true);
  });
};
