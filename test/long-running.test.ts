/**
 * The library as a long-running process uses it (a server, the queue worker): Diarizers with different
 * options side by side give what each gives alone, and file after file holds no more native memory,
 * threads or descriptors, whether one Diarizer diarizes them all or each file gets a Diarizer closed
 * after it. Native memory is glibc's count of bytes malloc has handed out (onnxruntime's and libsenko's),
 * exact enough for a tight bound; RSS is not (glibc keeps freed memory for reuse: bench/many-files.ts).
 */
import { afterAll, describe, expect, test } from "bun:test";
import { join } from "node:path";
import { Diarizer, readAudio, type DiarizationResult, type DiarizerOptions } from "senko";
import { WORKER_LANES_FROM_SEC } from "../src/compute-context.ts";
import { hasMallocCounters, processMemory, type ProcessMemory } from "./helpers/process-memory.ts";
import { skipWithout } from "./helpers/skip.ts";
import { wav16 } from "./helpers/wav.ts";
import { AMI_DIR, withoutAmi } from "./helpers/fixtures.ts";

const noAmi = withoutAmi("long-running.test.ts");
const meeting = noAmi ? new Float32Array(0) : (await readAudio(join(AMI_DIR, "dev00.wav"))).samples;
/** 15 s of a real meeting as WAV bytes, so every file also goes through the native audio conversion. */
const clip = wav16(meeting.subarray(0, 15 * 16_000));
/** The clip's speech, then silence to the length that starts a Diarizer's worker lanes. */
const longClip = wav16(new Float32Array(WORKER_LANES_FROM_SEC * 16_000).map((_, i) => (i < 15 * 16_000 ? meeting[i]! : 0)));

/** What another Diarizer's options must not change: the turns and counts. */
const turns = (r: DiarizationResult) => ({ merged: r.mergedSegments, raw: r.rawSegments, speakers: r.mergedSpeakersDetected });

/**
 * Three Diarizers with different pipelines, VADs, speaker counts and threads, whose results on the clip
 * differ (2, 3 and 1 speakers; Silero's speech or pyannote's), so a leaked option shows.
 */
const OPTIONS: Record<string, DiarizerOptions> = {
  default: { threads: 2 },
  silero: { pipeline: "vad-windows", vad: "silero", numSpeakers: 3, threads: 1, lanes: 1 },
  pyannote: { pipeline: "vad-windows", vad: "pyannote", numSpeakers: 1, threads: 2 },
};
const diarizers = Object.fromEntries(Object.entries(OPTIONS).map(([name, options]) => [name, new Diarizer(options)]));
/** Files each Diarizer has diarized: onnxruntime's arenas reach their size over the first two. */
const filesDone = new Map<Diarizer, number>();
async function diarize(diarizer: Diarizer): Promise<DiarizationResult> {
  const result = await diarizer.diarize(clip);
  filesDone.set(diarizer, (filesDone.get(diarizer) ?? 0) + 1);
  return result;
}

afterAll(() => Promise.all(Object.values(diarizers).map((d) => d.close())));

test.skipIf(noAmi)("Diarizers with different pipelines, VADs, speaker counts and threads, run at once, give what each gives alone", async () => {
  const together = await Promise.all(Object.values(diarizers).map(diarize));
  const alone: DiarizationResult[] = [];
  for (const d of Object.values(diarizers)) alone.push(await diarize(d));
  expect(together.map(turns)).toEqual(alone.map(turns));
  expect(alone.map((r) => r.mergedSpeakersDetected)).toEqual([2, 3, 1]);
  expect(alone.map((r) => [r.pipeline, r.vad])).toEqual([
    ["overlap-aware", "pyannote"],
    ["vad-windows", "silero"],
    ["vad-windows", "pyannote"],
  ]);
}, 120_000);

/** Native memory (MiB) that may come and go between two counts without anything being held. */
const MALLOC_SLACK_MIB = 0.5;

function expectNothingHeld(before: ProcessMemory, after: ProcessMemory): void {
  // The smallest leak worth catching: the fbank of one 15 s file is 0.46 MiB (onnxruntime sessions left to the
  // garbage collector leave 2.5 MiB per Diarizer; worker lanes left running, 70 MiB).
  const growth = after.mallocMiB - before.mallocMiB;
  const more = (a: number, b: number) => (b <= a ? "none" : `${b - a} (${a} -> ${b})`);
  // One comparison, so that a failure shows every figure.
  expect({
    mallocGrowth: growth < MALLOC_SLACK_MIB ? `under ${MALLOC_SLACK_MIB} MiB` : `${growth.toFixed(2)} MiB`,
    moreThreads: more(before.threads, after.threads),
    moreFds: more(before.fds, after.fds),
  }).toEqual({ mallocGrowth: `under ${MALLOC_SLACK_MIB} MiB`, moreThreads: "none", moreFds: "none" });
}

/** The process's memory once terminated threads (worker lanes, native pools) have gone, up to 5 s. */
async function settled(before: ProcessMemory): Promise<ProcessMemory> {
  for (let waited = 0; ; waited += 50) {
    const now = processMemory();
    if (now.threads <= before.threads || waited >= 5000) return now;
    await Bun.sleep(50);
  }
}

describe.skipIf(noAmi || skipWithout("long-running.test.ts", { "glibc's malloc counters (x86-64 Linux)": hasMallocCounters }))("many files in one process", () => {
  test("each Diarizer diarizes file after file without holding more", async () => {
    for (const d of Object.values(diarizers)) while ((filesDone.get(d) ?? 0) < 2) await diarize(d);
    const before = processMemory();
    for (let i = 0; i < 3; i++) for (const d of Object.values(diarizers)) await diarize(d);
    expectNothingHeld(before, processMemory());
  }, 120_000);

  test("a Diarizer per file, closed after it, leaves nothing behind (its worker lanes too)", async () => {
    const once = async () => {
      const diarizer = new Diarizer({ threads: 2 });
      await diarizer.diarize(longClip);
      expect(diarizer.context.workerLaneCount).toBe(1);
      await diarizer.close();
    };
    await once();
    const before = processMemory();
    for (let i = 0; i < 2; i++) await once();
    expectNothingHeld(before, await settled(before));
  }, 120_000);
});
