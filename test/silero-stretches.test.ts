/**
 * Silero over independent stretches (batched, in several lanes) against the sequential pass it replaces
 * on long files, on real AMI audio.
 */
import { describe, expect, test } from "bun:test";
import { join } from "node:path";
import { readAudio } from "../src/audio/index.ts";
import { ComputeContext } from "../src/compute-context.ts";
import {
  campplusEmbeddings,
  planSileroStretches,
  sileroSpeechProbabilities,
  sileroSpeechProbabilitiesParallel,
  sileroStretchProbabilities,
  SILERO_FRAME_SAMPLES,
} from "../src/models/index.ts";
import { extractFbank } from "../src/features/fbank.ts";
import { sileroRegions } from "../src/pipeline/vad-postprocess.ts";
import { AMI_DIR, withoutAmi } from "./helpers/fixtures.ts";

const NAMES = ["dev00", "dev01", "trn03", "trn04", "trn05", "trn06"];
const SR = 16000;
const noAmi = withoutAmi("silero-stretches.test.ts");

async function meeting(): Promise<Float32Array> {
  const clips = await Promise.all(NAMES.map(async (n) => (await readAudio(join(AMI_DIR, `${n}.wav`))).samples));
  const out = new Float32Array(clips.reduce((n, c) => n + c.length, 0));
  let at = 0;
  for (const c of clips) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

/** 10 ms speech mask after Silero's post-processing. */
function speechMask(p: Float32Array, samples: number): Uint8Array {
  const mask = new Uint8Array(Math.ceil(samples / 160));
  for (const r of sileroRegions(p, SILERO_FRAME_SAMPLES, samples, SR)) mask.fill(1, Math.round(r.start * 100), Math.round(r.end * 100));
  return mask;
}

describe("Silero stretches", () => {
  test.skipIf(noAmi)("a batch of stretches gives each stretch exactly what a pass over it alone gives", async () => {
    const audio = await meeting();
    // Different lengths, the last ones ending mid-frame, so ended rows must not disturb the others.
    const stretches = [audio.subarray(0, 20 * SR), audio.subarray(40 * SR, 52 * SR + 100), audio.subarray(90 * SR, 95 * SR + 7)];
    const batched = await sileroStretchProbabilities(stretches);
    for (let i = 0; i < stretches.length; i++) {
      const alone = await sileroSpeechProbabilities(stretches[i]!);
      expect(batched[i]!.length).toBe(alone.length);
      let worst = 0;
      for (let f = 0; f < alone.length; f++) worst = Math.max(worst, Math.abs(alone[f]! - batched[i]![f]!));
      expect(worst).toBeLessThan(1e-5);
    }
  });

  test("cuts fall on frame boundaries, near their even positions, in the quietest stretch of audio", () => {
    const n = 600 * SR;
    const noise = new Float32Array(n);
    let seed = 7;
    for (let i = 0; i < n; i++) {
      seed = (seed * 1103515245 + 12345) >>> 0;
      noise[i] = (seed / 2 ** 32 - 0.5) * 0.2;
    }
    // A 0.5 s silence 1.3 s after the first even cut (120 s): the cut must move into it.
    noise.fill(0, Math.round(121.3 * SR), Math.round(121.8 * SR));
    const starts = planSileroStretches(noise, 5);
    expect(starts.length).toBe(5);
    expect(starts[0]).toBe(0);
    for (let k = 1; k < starts.length; k++) {
      expect(starts[k]! % SILERO_FRAME_SAMPLES).toBe(0);
      expect(Math.abs(starts[k]! / SR - k * 120)).toBeLessThanOrEqual(2.1);
    }
    expect(starts[1]! / SR).toBeGreaterThan(121.3);
    expect(starts[1]! / SR).toBeLessThan(121.8);
    expect(planSileroStretches(new Float32Array(SR), 8)).toEqual([0]);
  });

  test.skipIf(noAmi)("a file shorter than two stretches gives exactly the sequential result", async () => {
    const audio = (await readAudio(join(AMI_DIR, "dev00.wav"))).samples;
    const sequential = await sileroSpeechProbabilities(audio);
    const twoLanes = new ComputeContext({ lanes: 2 });
    const parallel = await sileroSpeechProbabilitiesParallel(audio, { context: twoLanes });
    await twoLanes.close();
    expect(Array.from(parallel)).toEqual(Array.from(sequential));
  });

  test.skipIf(noAmi)("in 2 lanes: the same as 1 lane, and the speech found agrees with the sequential pass", async () => {
    const audio = await meeting();
    const [oneLane, twoLanes] = [new ComputeContext({ lanes: 1 }), new ComputeContext({ lanes: 2 })];
    const [one, two, sequential] = [
      await sileroSpeechProbabilitiesParallel(audio, { minStretchSec: 30, context: oneLane }),
      await sileroSpeechProbabilitiesParallel(audio, { minStretchSec: 30, context: twoLanes }),
      await sileroSpeechProbabilities(audio),
    ];
    await Promise.all([oneLane.close(), twoLanes.close()]);
    expect(two.length).toBe(Math.ceil(audio.length / SILERO_FRAME_SAMPLES));
    let worst = 0;
    for (let f = 0; f < one.length; f++) worst = Math.max(worst, Math.abs(one[f]! - two[f]!));
    expect(worst).toBeLessThan(1e-5);
    // 6 stretches of 30 s, each from a fresh state; Silero's state has minutes of memory, so frames differ,
    // but speech vs non-speech must agree on nearly all of the audio.
    const a = speechMask(two, audio.length);
    const b = speechMask(sequential, audio.length);
    let agree = 0;
    for (let i = 0; i < a.length; i++) agree += Number(a[i] === b[i]);
    expect(agree / a.length).toBeGreaterThan(0.9);
  }, 30_000);
});

describe.skipIf(noAmi)("CAM++ lanes", () => {
  test("one lane per thread gives the embeddings of one lane with every thread", async () => {
    const audio = await meeting();
    const windows = Array.from({ length: 96 }, (_, i) => ({ start: i * 1.7, end: i * 1.7 + (i % 3 === 0 ? 0.9 : 1.5) }));
    const features = await extractFbank(audio, windows);
    const [oneLane, twoLanes] = [new ComputeContext({ lanes: 1, threads: 2 }), new ComputeContext({ lanes: 2, threads: 2 })];
    try {
      const one = await campplusEmbeddings(features, { context: oneLane, batchSize: 16 });
      const two = await campplusEmbeddings(features, { context: twoLanes, batchSize: 16 });
      expect(two.count).toBe(96);
      let worst = 0;
      for (let i = 0; i < one.data.length; i++) worst = Math.max(worst, Math.abs(one.data[i]! - two.data[i]!));
      expect(worst).toBeLessThan(1e-5);
    } finally {
      features.free();
      await Promise.all([oneLane.close(), twoLanes.close()]);
    }
  });
});
