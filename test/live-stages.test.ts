/**
 * The pieces a live session is built from give, for audio cut anywhere, what the whole-file stages give:
 * the 16 kHz conversion, Silero's probabilities, and the speech regions (where the regions the tracker
 * calls settled never change afterwards). And the property batch equality rests on: with one intra-op
 * thread, a CAM++ row depends on its own frames and the padded length only.
 */
import { describe, expect, test } from "bun:test";
import { join } from "node:path";
import { Mono16kStream } from "../src/audio/stream.ts";
import { toMono16k } from "../src/audio/convert.ts";
import { readAudio } from "../src/audio/index.ts";
import { AMI_DIR, withoutAmi } from "./helpers/fixtures.ts";
import { ComputeContext } from "../src/compute-context.ts";
import { ConfigError } from "../src/errors.ts";
import { embedBatch, FBANK_BINS, sileroSpeechProbabilities, SileroStream, SILERO_FRAME_SAMPLES } from "../src/models/index.ts";
import { SileroRegionTracker, sileroRegions } from "../src/pipeline/vad-postprocess.ts";
import { uniform } from "./helpers/synthetic-speakers.ts";
import { concatBytes } from "./helpers/wav.ts";

/** Random cut points: pieces of 1 to `max` units. */
function cuts(length: number, max: number, seed: number): number[] {
  const next = uniform(seed);
  const points = [0];
  while (points.at(-1)! < length) points.push(Math.min(length, points.at(-1)! + 1 + Math.floor(next() * max)));
  return points;
}

function concat(parts: Float32Array[]): Float32Array {
  return new Float32Array(concatBytes(parts.map((p) => new Uint8Array(p.buffer, p.byteOffset, p.byteLength))).buffer);
}

describe("Mono16kStream", () => {
  const formats = [
    { sampleRate: 16000, channels: 1, encoding: "float32" as const },
    { sampleRate: 44100, channels: 2, encoding: "pcm_s16" as const },
    { sampleRate: 8000, channels: 1, encoding: "pcm_s16" as const },
    { sampleRate: 48000, channels: 3, encoding: "float32" as const },
  ];
  test.each(formats)("cut anywhere, it converts $sampleRate Hz x $channels $encoding to the same bits as the whole", (format) => {
    const next = uniform(format.sampleRate + format.channels);
    const frames = format.sampleRate * 3 + 17;
    const values = frames * format.channels;
    const bytes =
      format.encoding === "float32"
        ? new Uint8Array(Float32Array.from({ length: values }, () => next() * 2 - 1).buffer)
        : new Uint8Array(Int16Array.from({ length: values }, () => Math.floor(next() * 65536) - 32768).buffer);
    const whole = toMono16k(bytes, format.encoding, format.channels, frames, format.sampleRate);
    for (const seed of [1, 2]) {
      const stream = new Mono16kStream(format);
      const points = cuts(bytes.length, seed === 1 ? 40000 : 997, seed);
      const parts = points.slice(1).map((to, i) => stream.push(bytes.subarray(points[i]!, to)));
      parts.push(stream.finish());
      const streamed = concat(parts);
      expect(streamed.length).toBe(whole.length);
      expect(Buffer.from(streamed.buffer).equals(Buffer.from(whole.buffer))).toBe(true);
    }
  });

  test("rejects a bad format and use after finish", () => {
    expect(() => new Mono16kStream({ sampleRate: 10 })).toThrow("sampleRate must be");
    expect(() => new Mono16kStream({ sampleRate: 16000, channels: 0 })).toThrow("channels must be");
    // diarizer.live() without its options: the ConfigError, not a TypeError from destructuring.
    expect(() => new Mono16kStream(undefined as unknown as { sampleRate: number })).toThrow(new ConfigError("sampleRate must be a whole number of Hz from 1000 to 1000000, got undefined"));
    const stream = new Mono16kStream({ sampleRate: 16000 });
    stream.finish();
    expect(() => stream.push(new Uint8Array(4))).toThrow("push after finish");
  });
});

describe("SileroRegionTracker", () => {
  /** Probabilities in runs: speech, pauses of every length around the 100 ms and 60 ms (two pads) limits, short bursts. */
  function probabilities(seed: number, frames: number): Float32Array {
    const next = uniform(seed);
    const p = new Float32Array(frames);
    let f = 0;
    while (f < frames) {
      const speech = next() < 0.5;
      const run = speech ? 1 + Math.floor(next() * 60) : 1 + Math.floor(next() * 12);
      for (let i = 0; i < run && f < frames; i++, f++) p[f] = speech ? 0.56 + 0.4 * next() : next() < 0.2 ? 0.45 : 0.3 * next();
    }
    return p;
  }

  test.each([1, 2, 3, 4, 5])("regions equal sileroRegions at every length, and what is settled stays (seed %i)", (seed) => {
    const frames = 3000;
    const p = probabilities(seed, frames);
    const rate = 16000;
    const tracker = new SileroRegionTracker(SILERO_FRAME_SAMPLES, rate, { speechPadMs: seed === 5 ? 200 : 30, minSilenceMs: seed === 4 ? 32 : 100 });
    const options = { speechPadMs: seed === 5 ? 200 : 30, minSilenceMs: seed === 4 ? 32 : 100 };
    const total = frames * SILERO_FRAME_SAMPLES + 100;
    const final = sileroRegions(p, SILERO_FRAME_SAMPLES, total, rate, options);
    const points = cuts(frames, 50, seed);
    for (let i = 1; i < points.length; i++) {
      tracker.push(p.subarray(points[i - 1]!, points[i]!));
      const soFar = points[i]! * SILERO_FRAME_SAMPLES;
      expect(tracker.regions(soFar)).toEqual(sileroRegions(p.subarray(0, points[i]!), SILERO_FRAME_SAMPLES, soFar, rate, options));
      if (points[i] === frames) break;
      const settled = tracker.settled(soFar);
      expect(settled.regions.slice(0, settled.final)).toEqual(final.slice(0, settled.final));
      settled.endAtLeast.forEach((end, k) => {
        const region = settled.regions[settled.final + k]!;
        const later = final.find((r) => r.start === region.start);
        if (end >= 0) {
          expect(later).toBeDefined();
          expect(later!.end).toBeGreaterThanOrEqual(end);
        }
      });
      const unseen = final.filter((r) => !settled.regions.some((s) => s.start === r.start));
      for (const r of unseen) expect(r.start).toBeGreaterThanOrEqual(settled.nextStartAtLeast - 1e-12);
    }
    expect(tracker.regions(total)).toEqual(final);
  });
});

describe("live model stages", () => {
  test.skipIf(withoutAmi("live-stages.test.ts"))("SileroStream gives the whole-file probabilities however the audio is cut", async () => {
    const context = new ComputeContext({ threads: 1 });
    try {
      const { samples } = await readAudio(join(AMI_DIR, "dev00.wav"));
      const audio = samples.subarray(0, 10 * 16000 + 300);
      const whole = await sileroSpeechProbabilities(audio, undefined, { context });
      const stream = new SileroStream({ context });
      const points = cuts(audio.length, 3000, 7);
      const parts: Float32Array[] = [];
      for (let i = 1; i < points.length; i++) parts.push(await stream.push(audio.subarray(points[i - 1]!, points[i]!)));
      parts.push(await stream.finish());
      expect(Array.from(concat(parts))).toEqual(Array.from(whole));
    } finally {
      await context.close();
    }
  });

  test("with one intra-op thread, a CAM++ row depends on its frames and the padded length, not on the batch", async () => {
    const context = new ComputeContext({ threads: 1 });
    try {
      const next = uniform(3);
      const frames = 120;
      const rows = 5;
      const features = Float32Array.from({ length: rows * frames * FBANK_BINS }, () => next() * 4 - 2);
      const together = await embedBatch(features.slice(), rows, frames, { context, threads: 1 });
      for (let r = 0; r < rows; r++) {
        const alone = await embedBatch(features.slice(r * frames * FBANK_BINS, (r + 1) * frames * FBANK_BINS), 1, frames, { context, threads: 1 });
        expect(Array.from(alone)).toEqual(Array.from(together.subarray(r * 192, (r + 1) * 192)));
      }
    } finally {
      await context.close();
    }
  });
});
