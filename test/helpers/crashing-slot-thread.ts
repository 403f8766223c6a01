/**
 * A stand-in for src/queue/diarize-thread.ts whose job on "crash.wav" throws out of the message handler (an
 * uncaught error, which ends the thread); any other job answers with an empty result.
 */
import type { SlotReply, SlotRequest } from "../../src/queue/diarize-slot.ts";

declare const self: Worker;

self.onmessage = (event: MessageEvent<SlotRequest>) => {
  const request = event.data;
  if (request.kind === "close") return self.postMessage({ kind: "closed" } satisfies SlotReply);
  if (request.kind !== "diarize") return;
  if (request.file === "crash.wav") throw new Error("the thread crashed");
  self.postMessage({ kind: "result", id: request.id, result: { mergedSegments: [] } } as unknown as SlotReply);
};
