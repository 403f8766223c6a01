/** A queue worker's job slot (src/queue/diarize-slot.ts) outlives a thread that dies: the next job gets a new one. */
import { afterAll, expect, test } from "bun:test";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { DiarizeSlot, setDiarizeThreadUrl } from "../src/queue/diarize-slot.ts";

afterAll(() => setDiarizeThreadUrl(new URL("../src/queue/diarize-thread.ts", import.meta.url).href));

test("a thread that dies fails its job, and the next job runs in a new thread, not on the dead one", async () => {
  setDiarizeThreadUrl(pathToFileURL(join(import.meta.dir, "helpers", "crashing-slot-thread.ts")).href);
  const slot = new DiarizeSlot();
  const settled = (job: Promise<unknown>) =>
    Promise.race([job.then(() => "done", (error: Error) => `failed: ${error.message.split("\n")[0]}`), Bun.sleep(5000).then(() => "no answer in 5 s")]);
  expect(await settled(slot.diarize("crash.wav", {}, () => {}))).toStartWith("failed: diarization thread failed");
  expect(await settled(slot.diarize("next.wav", {}, () => {}))).toBe("done");
  expect(await settled(slot.diarize("crash.wav", {}, () => {}))).toStartWith("failed: diarization thread failed");
  expect(await settled(slot.close())).toBe("done");
}, 30_000);
