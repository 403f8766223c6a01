/**
 * Cancellation by an AbortSignal (src/abort.ts): diarize, readAudio's ffmpeg and a live session's calls reject
 * with the signal's reason, at once for a signal aborted before the call, else at the next stage or batch;
 * the Diarizer is whole afterwards (its next run gives a fresh Diarizer's result).
 */
import { afterAll, describe, expect, test } from "bun:test";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runBatchLoops } from "../src/abort.ts";
import { readAudio } from "../src/audio/index.ts";
import { Diarizer, type DiarizationResult, type DiarizerOptions } from "../src/diarizer.ts";
import { ConfigError } from "../src/errors.ts";
import { AMI_DIR, withoutAmi } from "./helpers/fixtures.ts";

const DEV00 = join(AMI_DIR, "dev00.wav");
const noAmi = withoutAmi("abort.test.ts");
const turns = (r: DiarizationResult) => JSON.stringify(r.mergedSegments);

/** What `work` settles with: its value, or the error it rejects with, and when (ms after `since`). */
async function outcome(work: Promise<unknown>, since = performance.now()): Promise<{ error: unknown; ms: number }> {
  const error = await work.then(
    () => undefined,
    (e: unknown) => e,
  );
  return { error, ms: performance.now() - since };
}

const isAbortError = (error: unknown) => error instanceof DOMException && error.name === "AbortError";

test("an already aborted signal rejects at once with its reason, before any model loads", async () => {
  const diarizer = new Diarizer({ pipeline: "vad-windows", threads: 1 });
  const started = performance.now();
  const plain = await outcome(diarizer.diarize(DEV00, { signal: AbortSignal.abort() }), started);
  expect(isAbortError(plain.error)).toBe(true);
  const reason = new Error("the user left");
  expect((await outcome(diarizer.diarize(DEV00, { signal: AbortSignal.abort(reason) }))).error).toBe(reason);
  // Loading the models takes far longer than this; nothing was loaded.
  expect(performance.now() - started).toBeLessThan(100);
  expect(await outcome(readAudio(DEV00, { signal: AbortSignal.abort(reason) }))).toMatchObject({ error: reason });
  await diarizer.close();
});

test("a signal that is not an AbortSignal is a ConfigError", async () => {
  const diarizer = new Diarizer({ threads: 1 });
  const { error } = await outcome(diarizer.diarize(DEV00, { signal: "stop" as never }));
  expect(error).toEqual(new ConfigError("signal must be an AbortSignal (new AbortController().signal), got string"));
  await diarizer.close();
});

test("runBatchLoops: a failing loop stops the others after their batch and is thrown once all have ended", async () => {
  let next = 0;
  const done: number[] = [];
  const loop = (fail: boolean) => async () => {
    while (next < 100) {
      const batch = next++;
      await Bun.sleep(5);
      if (fail && batch >= 4) throw new Error(`batch ${batch}`);
      done.push(batch);
    }
  };
  const ended = { last: false };
  const slow = async () => {
    await loop(false)();
    ended.last = true;
  };
  const error = (await outcome(runBatchLoops([loop(true), slow], () => (next = 100)))).error as Error;
  expect(error.message).toMatch(/^batch \d$/);
  // The other loop had ended (its current batch done) by the time the error came; far from all 100 batches ran.
  expect(ended.last).toBe(true);
  expect(done.length).toBeLessThan(10);
});

test("runBatchLoops with a signal: an abort stops the loops as it happens, raises their StopFlag, and is thrown once they have ended", async () => {
  const controller = new AbortController();
  let next = 0;
  let stoppedAt = -1;
  const flags: Int32Array[] = [];
  const loop = async (stopped: Int32Array) => {
    flags.push(stopped);
    while (next < 100) {
      next++;
      // A batch long enough that only the abort, not a batch's end, can have stopped the loops.
      await Bun.sleep(50);
    }
  };
  setTimeout(() => controller.abort(), 20);
  const error = (await outcome(runBatchLoops([loop, loop], () => ((stoppedAt = next), (next = 100)), controller.signal))).error as Error;
  expect(error.name).toBe("AbortError");
  expect(stoppedAt).toBe(2);
  expect(new Set(flags).size).toBe(1);
  expect(Atomics.load(flags[0]!, 0)).toBe(1);
  expect((await outcome(runBatchLoops([loop], () => {}, controller.signal))).error).toBe(controller.signal.reason);
});

describe.skipIf(noAmi).each(["overlap-aware", "vad-windows"] as const)("%s: aborted during a run", (pipeline) => {
  const options: DiarizerOptions = { pipeline, threads: 2 };
  let onProgress = (_stage: string) => {};
  const diarizer = new Diarizer({ ...options, onProgress: (p) => onProgress(p.stage) });
  afterAll(() => diarizer.close());

  test("rejects with the reason at the next batch, and the Diarizer's next run gives a fresh Diarizer's result", async () => {
    // Aborted from a progress event, as an embedding batch ends: the run stops at the next batch.
    const controller = new AbortController();
    const seen: string[] = [];
    let abortedAt = 0;
    onProgress = (stage) => {
      seen.push(stage);
      if (stage === "embeddings" && abortedAt === 0) {
        abortedAt = performance.now();
        controller.abort();
      }
    };
    const aborted = await outcome(diarizer.diarize(DEV00, { signal: controller.signal }));
    onProgress = () => {};
    expect(isAbortError(aborted.error)).toBe(true);
    // A batch of embeddings takes well under a second; this margin is for a loaded machine.
    expect(performance.now() - abortedAt).toBeLessThan(3000);
    // Nothing after the first embedding batch was reported: no clustering, no segments.
    expect(seen.filter((s) => s === "embeddings")).toHaveLength(1);
    expect(seen.at(-1)).toBe("embeddings");

    // Aborted by a timer, in whatever stage it falls.
    const timed = new AbortController();
    setTimeout(() => timed.abort(), 150);
    expect(isAbortError((await outcome(diarizer.diarize(DEV00, { signal: timed.signal }))).error)).toBe(true);

    const after = await diarizer.diarize(DEV00);
    await using fresh = new Diarizer(options);
    expect(turns(after)).toBe(turns(await fresh.diarize(DEV00)));
    expect(after.mergedSegments.length).toBeGreaterThan(0);
  });
});

describe.skipIf(noAmi)("live session", () => {
  const diarizer = new Diarizer({ pipeline: "vad-windows", threads: 1 });
  afterAll(() => diarizer.close());

  test("a call with an aborted signal rejects at once and the session goes on; aborted during close(), the session ends", async () => {
    const audio = await readAudio(DEV00);
    const session = diarizer.live({ sampleRate: 16000 });
    const reason = new Error("stop");
    expect((await outcome(session.push(audio.samples.subarray(0, 16000), { signal: AbortSignal.abort(reason) }))).error).toBe(reason);
    const first = await session.push(audio.samples.subarray(0, 10 * 16000));
    expect(first.durationSec).toBe(10);
    const controller = new AbortController();
    const closing = session.close({ signal: controller.signal });
    controller.abort(reason);
    expect((await outcome(closing)).error).toBe(reason);
    // Ended as on a failure: later calls give the same reason.
    expect((await outcome(session.push(audio.samples.subarray(0, 16000)))).error).toBe(reason);

    // Another session on the same Diarizer is whole.
    const next = diarizer.live({ sampleRate: 16000 });
    await next.push(audio.samples.subarray(0, 10 * 16000));
    const result = await next.close();
    expect(result.durationSec).toBe(10);
  });
});

test("readAudio: an abort stops ffmpeg at once", async () => {
  const dir = mkdtempSync(join(tmpdir(), "senko-abort-"));
  try {
    // Ten minutes of noise as FLAC: ffmpeg takes a while to decode it.
    const flac = join(dir, "long.flac");
    const made = spawnSync("ffmpeg", ["-v", "error", "-f", "lavfi", "-i", "anoisesrc=d=600:r=48000", "-ac", "2", flac]);
    expect(made.status).toBe(0);
    const controller = new AbortController();
    const reading = readAudio(flac, { signal: controller.signal });
    await Bun.sleep(100);
    const since = performance.now();
    controller.abort();
    const { error, ms } = await outcome(reading, since);
    expect(isAbortError(error)).toBe(true);
    expect(ms).toBeLessThan(1000);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
