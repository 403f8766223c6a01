/**
 * Each Diarizer owns a ComputeContext (sessions, worker lanes, native threads): two with different
 * options in one process do not touch each other, close() releases everything and later use throws,
 * and stage functions called alone run in the standalone context, which no Diarizer ever uses.
 */
import { afterAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import * as ort from "onnxruntime-node";
import { resolveModel } from "../models/fetch.ts";
import { readAudio } from "../src/audio/index.ts";
import { cluster } from "../src/cluster/cluster.ts";
import { ComputeContext, defaultContext, hasDefaultContext, releaseModels, WORKER_LANES_FROM_SEC } from "../src/compute-context.ts";
import { Diarizer, type DiarizationResult } from "../src/diarizer.ts";
import { ConfigError, ModelLoadError, SenkoError } from "../src/errors.ts";
import { extractFbank } from "../src/features/fbank.ts";
import { embed } from "../src/pipeline/embed.ts";
import { embedBatch, segmentationScoresBatch } from "../src/models/index.ts";
import { detectSpeech } from "../src/pipeline/speech.ts";
import { subsegment } from "../src/pipeline/subsegment.ts";
import { AMI_DIR, withoutAmi } from "./helpers/fixtures.ts";

const fileA = join(AMI_DIR, "dev00.wav");
const fileB = join(AMI_DIR, "trn09.wav");
const noAmi = withoutAmi("compute-context.test.ts");

/** What must not change with threads, lanes or a neighbour: the turns and speaker counts. */
const turns = (r: DiarizationResult) => ({ merged: r.mergedSegments, raw: r.rawSegments, speakers: r.mergedSpeakersDetected });

describe("ComputeContext", () => {
  test("options are validated and resolved", async () => {
    expect(() => new ComputeContext({ threads: -1 })).toThrow(ConfigError);
    expect(() => new ComputeContext({ lanes: 0 })).toThrow(ConfigError);
    // Each lane is a worker with its own sessions: 99,999 of them exhausted memory.
    expect(() => new ComputeContext({ threads: 99_999 })).toThrow("threads must be a whole number from 0 to 256, got 99999");
    expect(() => new ComputeContext({ lanes: 257 })).toThrow(ConfigError);
    expect(() => new ComputeContext({ device: "tpu" as "cpu" })).toThrow(ConfigError);
    const context = new ComputeContext({ threads: 3, lanes: 2 });
    expect([context.threads, context.lanes, context.threadsPerLane(2), context.threadsPerLane(5)]).toEqual([3, 2, 1, 1]);
    expect(new ComputeContext({ threads: 2 }).lanes).toBe(2);
    // The GPU is the parallelism on CUDA: one lane whatever was asked.
    expect(new ComputeContext({ device: "cuda", threads: 4, lanes: 4 }).lanes).toBe(1);
    await context.close();
  });

  test("device and vad in any case, as the Diarizer takes them; an unknown one is a ConfigError naming the choices", async () => {
    const context = new ComputeContext({ device: "CPU" as "cpu", threads: 1 });
    expect(context.device).toBe("cpu");
    expect(() => new ComputeContext({ device: "tpu" as "cpu" })).toThrow(new ConfigError('device must be one of auto, cpu, cuda, coreml, directml, got "tpu"'));
    expect(() => new ComputeContext({ device: 1 as never })).toThrow(new ConfigError("device must be one of auto, cpu, cuda, coreml, directml, got 1"));
    // One second of silence: Silero runs and finds no speech.
    const silence = new Float32Array(16000);
    expect(await detectSpeech(silence, { vad: "SILERO" as "silero", context })).toEqual([]);
    expect(detectSpeech(silence, { vad: "webrtc" as "silero", context })).rejects.toThrow(new ConfigError('vad must be one of silero, pyannote, auto, got "webrtc"'));
    await context.close();
  });

  test("close() releases sessions, lanes and threads, is idempotent, and later use throws", async () => {
    const context = new ComputeContext({ threads: 2, lanes: 2, quiet: true });
    const { session } = await context.session("campplus", 1);
    const [lane] = context.workerLanes(1);
    const pool = context.pool;
    expect(pool.threadCount).toBe(2);
    expect(lane!.failed).toBe(false);
    const closing = context.close();
    expect(context.close()).toBe(closing);
    await closing;
    expect(context.closed).toBe(true);
    expect(pool.destroyed).toBe(true);
    expect(lane!.failed).toBe(true);
    const input = new ort.Tensor("float32", new Float32Array(150 * 80), [1, 150, 80]);
    expect(session.run({ [session.inputNames[0]!]: input })).rejects.toThrow();
    expect(() => context.pool).toThrow(SenkoError);
    expect(() => context.session("campplus")).toThrow("compute context used after close()");
    expect(() => context.workerLanes(1)).toThrow(SenkoError);
  });
});

test.skipIf(noAmi)("a worker lane answers segmentation and CAM++ requests as the calling thread does", async () => {
  const context = new ComputeContext({ threads: 2, lanes: 2 });
  try {
    const audio = await readAudio(fileA, { context });
    const chunks = [audio.samples.subarray(0, 160_000), audio.samples.subarray(80_000, 200_000)];
    const [lane] = context.workerLanes(1);
    const remote = await lane!.request({ kind: "segmentation", chunks: chunks.map((c) => c.slice()), threads: 1 });
    const local = await segmentationScoresBatch(chunks, { context, threads: 1 });
    expect(remote).toHaveLength(2);
    remote.forEach((r, i) => expect(Array.from(r)).toEqual(Array.from(local[i]!)));
    const features = new Float32Array(2 * 150 * 80).map((_, i) => Math.sin(i / 9));
    const [embedded] = await lane!.request({ kind: "campplus", features: features.slice(), batch: 2, frames: 150, threads: 1 });
    expect(Array.from(embedded!)).toEqual(Array.from(await embedBatch(features, 2, 150, { context, threads: 1 })));
    // A request whose loops stop while it waits behind another is dropped, not run (src/abort.ts, StopFlag).
    const stopped = new Int32Array(new SharedArrayBuffer(4));
    const running = lane!.request({ kind: "campplus", features: new Float32Array(8 * 400 * 80).map((_, i) => Math.sin(i / 7)), batch: 8, frames: 400, threads: 1 });
    const waiting = lane!.request({ kind: "campplus", features: features.slice(), batch: 2, frames: 150, threads: 1, stopped });
    Atomics.store(stopped, 0, 1);
    expect(await running).toHaveLength(1);
    expect(await waiting.then(() => "ran", (error: Error) => error.message)).toBe("inference request dropped: its batch loops had stopped");
    expect(lane!.failed).toBe(false);
  } finally {
    await context.close();
  }
});

describe("Diarizer ownership", () => {
  const diarizers: Diarizer[] = [];
  afterAll(() => Promise.all(diarizers.map((d) => d.close())));

  test.skipIf(noAmi)("two Diarizers with different threads, lanes and devices in one process give what each gives alone", async () => {
    await releaseModels();
    const small = new Diarizer({ threads: 1, lanes: 1, device: "cpu" });
    const large = new Diarizer({ threads: 2, lanes: 2, device: "auto" });
    diarizers.push(small, large);
    expect(small.context).not.toBe(large.context);
    // Side by side, interleaving their stages on the event loop.
    const [a1, b1, a2, b2] = await Promise.all([small.diarize(fileA), large.diarize(fileA), small.diarize(fileB), large.diarize(fileB)]);
    expect(small.context.pool.threadCount).toBe(1);
    expect(large.context.pool.threadCount).toBe(2);
    const [smallCampplus, largeCampplus] = await Promise.all([small.context.session("campplus", 1), large.context.session("campplus", 1)]);
    expect(smallCampplus.session).not.toBe(largeCampplus.session);
    // Alone, one after the other: the same turns.
    expect(turns(await small.diarize(fileA))).toEqual(turns(a1!));
    expect(turns(await large.diarize(fileB))).toEqual(turns(b2!));
    expect(a2!.mergedSpeakersDetected).toBeGreaterThan(0);
    expect(b1!.mergedSpeakersDetected).toBeGreaterThan(0);
    // The fbank and clustering are the same on one and two native threads (bit for bit); CAM++ with
    // other intra-op threads may differ in the last bits, which must not move a turn on these files.
    expect(turns(b1!)).toEqual(turns(a1!));
    // Closing one leaves the other working.
    await small.close();
    expect(turns(await large.diarize(fileA))).toEqual(turns(b1!));
    // Neither ever used the standalone context.
    expect(hasDefaultContext()).toBe(false);
  }, 180_000);

  test.skipIf(noAmi)(`worker lanes start for an input of ${WORKER_LANES_FROM_SEC} s or more, not at ready() nor for a shorter one`, async () => {
    const speech = (await readAudio(fileA)).samples.subarray(0, 10 * 16000);
    // The same 10 s of speech, then silence to the length (the length counts, not the speech).
    const long = new Float32Array(WORKER_LANES_FROM_SEC * 16000);
    long.set(speech);
    for (const pipeline of ["overlap-aware", "vad-windows"] as const) {
      await using diarizer = new Diarizer({ threads: 2, lanes: 2, pipeline });
      await diarizer.ready();
      expect(diarizer.context.workerLaneCount, pipeline).toBe(0);
      await diarizer.diarize(speech, { sampleRate: 16000 });
      expect(diarizer.context.workerLaneCount, pipeline).toBe(0);
      await diarizer.diarize(long, { sampleRate: 16000 });
      expect(diarizer.context.workerLaneCount, pipeline).toBe(1);
    }
  }, 120_000);

  test.skipIf(noAmi)("close() waits for a running diarize, releases the context, and later calls throw", async () => {
    const diarizer = new Diarizer({ threads: 1 });
    diarizers.push(diarizer);
    const running = diarizer.diarize(fileA);
    const closed = diarizer.close();
    expect((await running).mergedSpeakersDetected).toBeGreaterThan(0);
    await closed;
    expect(diarizer.close()).toBe(closed);
    expect(diarizer.context.closed).toBe(true);
    // Rejected promises, not throws: `diarizer.diarize(x).catch(...)` catches them.
    const later = [diarizer.diarize(fileA), diarizer.ready(), diarizer.voicePrint(fileA)];
    for (const call of later) await expect(call).rejects.toThrow(new SenkoError("Diarizer used after close()"));
    expect(() => diarizer.live({ sampleRate: 16000 })).toThrow("Diarizer used after close()");
  }, 120_000);

  test.skipIf(noAmi)("a failed ready() is not kept: once the model files are there, the same Diarizer loads them", async () => {
    // A queue worker keeps its Diarizer for every later job with the same options: one failed first load
    // (a download that timed out, a volume not yet mounted) must not fail them all.
    const dir = mkdtempSync(join(tmpdir(), "senko-ready-"));
    const diarizer = new Diarizer({ modelsDir: dir, cacheDir: dir, offline: true, threads: 1, pipeline: "vad-windows", vad: "silero", warmup: false });
    diarizers.push(diarizer);
    try {
      await expect(diarizer.ready()).rejects.toThrow(ModelLoadError);
      for (const id of ["silero-vad", "campplus"] as const) {
        const { path } = await resolveModel(id, { offline: true });
        symlinkSync(path, join(dir, basename(path)));
      }
      await diarizer.ready();
      expect((await diarizer.diarize(fileA)).mergedSpeakersDetected).toBeGreaterThan(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);

  test("close() right after ready() waits for the models to load and warm up before releasing them", async () => {
    const diarizer = new Diarizer({ threads: 1 });
    diarizers.push(diarizer);
    const ready = diarizer.ready();
    const closed = diarizer.close();
    // Released under a running warm-up, ready() would fail ("compute context used after close()").
    await ready;
    await closed;
    expect(diarizer.context.closed).toBe(true);
  }, 120_000);
});

describe.skipIf(noAmi)("stages imported alone", () => {
  test("run in the standalone context without being given one, which releaseModels() closes", async () => {
    await releaseModels();
    expect(hasDefaultContext()).toBe(false);
    const audio = await readAudio(fileA);
    const regions = await detectSpeech(audio.samples, { vad: "silero" });
    expect(regions.length).toBeGreaterThan(0);
    const windows = subsegment(regions);
    const features = await extractFbank(audio.samples, windows);
    const fromFeatures = await embed(features);
    features.free();
    const fromSpans = await embed({ samples: audio.samples, segments: windows });
    expect(fromSpans.data).toEqual(fromFeatures.data);
    const { numClusters } = await cluster(fromSpans, { audioDurationSec: audio.durationSec });
    expect(numClusters).toBeGreaterThanOrEqual(1);
    expect(hasDefaultContext()).toBe(true);
    const standalone = defaultContext();
    await releaseModels();
    expect(standalone.closed).toBe(true);
    // The next standalone call starts a new one.
    expect((await embed({ samples: audio.samples, segments: windows.slice(0, 4) })).count).toBe(4);
    expect(defaultContext()).not.toBe(standalone);
  }, 120_000);

  test("run in a context given to them, with its threads", async () => {
    const context = new ComputeContext({ threads: 1, lanes: 1 });
    const other = new ComputeContext({ threads: 2, lanes: 1 });
    const audio = await readAudio(fileA, { context });
    const windows = subsegment(await detectSpeech(audio.samples, { vad: "silero", context }));
    const mine = await embed({ samples: audio.samples, segments: windows }, { context });
    // Same lanes, so the same batches and padding; only CAM++'s intra-op threads differ.
    const theirs = await embed({ samples: audio.samples, segments: windows }, { context: other });
    expect(mine.count).toBe(theirs.count);
    let worst = 0;
    for (let i = 0; i < mine.data.length; i++) worst = Math.max(worst, Math.abs(mine.data[i]! - theirs.data[i]!));
    expect(worst).toBeLessThan(1e-4);
    await Promise.all([context.close(), other.close()]);
    expect(() => extractFbank(audio.samples, windows, { context })).toThrow(SenkoError);
  }, 120_000);
});
