import { describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { ConfigError, NativeLibraryError, SenkoError } from "../src/errors.ts";
import { extractFbank, extractFbankSync } from "../src/features/fbank.ts";
import { ComputeContext, nativePool } from "../src/compute-context.ts";
import { check, lib } from "../src/ffi.ts";
import type { FbankFeatures, TimeSpan } from "../src/types.ts";
import { AMI_DIR, withoutAmi } from "./helpers/fixtures.ts";

const GOLDEN = join(import.meta.dir, "fixtures/fbank");
const RATE = 16000;

/** Samples of the AMI fixtures (IEEE-float mono WAV): the 'data' chunk, found by walking the chunks. */
function readFloatWav(path: string): Float32Array {
  const bytes = readFileSync(path);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let pos = 12;
  while (pos + 8 <= bytes.length) {
    const tag = bytes.toString("latin1", pos, pos + 4);
    const size = view.getUint32(pos + 4, true);
    const body = bytes.byteOffset + pos + 8;
    if (tag === "data") return new Float32Array(bytes.buffer.slice(body, body + (size & ~3)));
    pos += 8 + size + (size & 1);
  }
  throw new Error(`${path}: no data chunk`);
}

interface GoldenSegment {
  file: string;
  startSec: number;
  endSec: number;
  startSample: number;
  endSample: number;
  frames: number;
  frameOffset: number;
}
const golden = JSON.parse(readFileSync(join(GOLDEN, "golden.json"), "utf8")) as {
  melBins: number;
  totalFrames: number;
  segments: GoldenSegment[];
};
const readF32 = (name: string) => {
  const b = readFileSync(join(GOLDEN, name));
  return new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
};
const goldenLogMel = readF32("logmel.f32");
const goldenCmn = readF32("cmn.f32");

/** Rows of subsegment s as one Float32Array (a copy). */
function rows(features: FbankFeatures, s: number): Float32Array {
  const start = features.frameOffsets[s]! * features.melBins;
  return features.data.slice(start, start + features.frameCounts[s]! * features.melBins);
}

function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  expect(a.length).toBe(b.length);
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i]! - b[i]!));
  return worst;
}

/** A small deterministic test signal: a tone plus a little noise. */
function tone(seconds: number): Float32Array {
  const x = new Float32Array(Math.round(seconds * RATE));
  let seed = 12345;
  for (let i = 0; i < x.length; i++) {
    seed = (seed * 1103515245 + 12345) >>> 0;
    x[i] = 0.3 * Math.sin((2 * Math.PI * 440 * i) / RATE) + 0.01 * (seed / 2 ** 32 - 0.5);
  }
  return x;
}

const noAmi = withoutAmi("fbank.test.ts");
describe.skipIf(noAmi)("extractFbank against kaldi-native-fbank on AMI audio", () => {
  const files = noAmi ? [] : [...new Set(golden.segments.map((s) => s.file))];
  const audio = new Map(files.map((f) => [f, readFloatWav(join(AMI_DIR, f))]));

  for (const meanNormalize of [true, false]) {
    test(`${meanNormalize ? "mean-normalised" : "raw log-mel"} features match within 1e-3`, async () => {
      const reference = meanNormalize ? goldenCmn : goldenLogMel;
      expect(reference.length).toBe(golden.totalFrames * golden.melBins);
      let worst = 0;
      for (const file of files) {
        const samples = audio.get(file)!;
        const segs = golden.segments.filter((s) => s.file === file);
        const spans: TimeSpan[] = segs.map((s) => ({ start: s.startSec, end: s.endSec }));
        const features = await extractFbank(samples, spans, { meanNormalize });
        try {
          expect(features.melBins).toBe(golden.melBins);
          expect(features.segmentCount).toBe(segs.length);
          segs.forEach((g, s) => {
            // The golden script rounds seconds the way extractFbank does.
            expect([Math.round(g.startSec * RATE), Math.min(samples.length, Math.round(g.endSec * RATE))]).toEqual([
              g.startSample,
              g.endSample,
            ]);
            expect(features.frameCounts[s]).toBe(g.frames);
            const from = g.frameOffset * golden.melBins;
            const want = reference.subarray(from, from + g.frames * golden.melBins);
            worst = Math.max(worst, maxAbsDiff(rows(features, s), want));
          });
        } finally {
          features.free();
        }
      }
      expect(worst).toBeLessThan(1e-3);
    });
  }

  test("frames are contiguous and ordered like the subsegments", () => {
    const samples = audio.get(files[0]!)!;
    const spans = golden.segments.filter((s) => s.file === files[0]).map((s) => ({ start: s.startSec, end: s.endSec }));
    const features = extractFbankSync(samples, spans);
    let offset = 0;
    for (let s = 0; s < spans.length; s++) {
      expect(features.frameOffsets[s]).toBe(offset);
      offset += features.frameCounts[s]!;
    }
    expect(features.data.length).toBe(offset * 80);
    features.free();
  });
});

describe("extractFbank behaviour", () => {
  const x = tone(6);
  const spans: TimeSpan[] = [];
  for (let s = 0; s + 1.5 <= 6; s += 0.6) spans.push({ start: s, end: s + 1.5 });
  spans.push({ start: 4.4321, end: 5.9 }, { start: 2, end: 2.02 });

  test("shared frames, separate frames and 1 vs 2 threads give identical output", async () => {
    const shared = extractFbankSync(x, spans);
    const separate = extractFbankSync(x, spans, { shareFrames: false });
    const oneThread = new ComputeContext({ threads: 1 });
    const single = extractFbankSync(x, spans, { context: oneThread });
    await oneThread.close();
    try {
      expect(separate.data).toEqual(shared.data);
      expect(single.data).toEqual(shared.data);
      expect(separate.frameCounts).toEqual(shared.frameCounts);
    } finally {
      shared.free();
      separate.free();
      single.free();
    }
  });

  test("each mean-normalised subsegment has zero mean per bin", () => {
    const features = extractFbankSync(x, spans);
    for (let s = 0; s < spans.length; s++) {
      const r = rows(features, s);
      const n = features.frameCounts[s]!;
      for (let b = 0; b < 80 && n > 0; b++) {
        let sum = 0;
        for (let f = 0; f < n; f++) sum += r[f * 80 + b]!;
        expect(Math.abs(sum / n)).toBeLessThan(1e-4);
      }
    }
    features.free();
  });

  test("empty segment lists, an empty signal and subsegments under 400 samples give no frames", async () => {
    const none = await extractFbank(x, []);
    expect(none.segmentCount).toBe(0);
    expect(none.data.length).toBe(0);
    none.free();
    const empty = await extractFbank(new Float32Array(0), [{ start: 0, end: 0 }]);
    expect([...empty.frameCounts]).toEqual([0]);
    empty.free();
    const short = await extractFbank(x, [
      { start: 1, end: 1 + 399 / RATE },
      { start: 1, end: 1 + 400 / RATE },
      { start: 1, end: 1 + 559 / RATE },
      { start: 1, end: 1 + 560 / RATE },
    ]);
    expect([...short.frameCounts]).toEqual([0, 1, 1, 2]);
    expect(short.data.length).toBe(4 * 80);
    short.free();
  });

  test("an end just past the signal is clamped to it", () => {
    const exact = extractFbankSync(x, [{ start: 4.5, end: 6 }]);
    const past = extractFbankSync(x, [{ start: 4.5, end: 6.2 }]);
    expect(past.frameCounts[0]).toBe(148);
    expect(past.data).toEqual(exact.data);
    exact.free();
    past.free();
  });

  test("bad subsegments are typed errors, not crashes", () => {
    expect(() => extractFbankSync(x, [{ start: 2, end: 1 }])).toThrow(ConfigError);
    expect(() => extractFbankSync(x, [{ start: 7, end: 8 }])).toThrow(ConfigError);
    expect(() => extractFbankSync(x, [{ start: -2, end: -1 }])).toThrow(ConfigError);
    expect(() => extractFbankSync(x, [{ start: Number.NaN, end: 1 }])).toThrow(ConfigError);
    // The native entry point validates on its own too.
    const slot = new BigUint64Array(1);
    const native = lib();
    const call = (pairs: number[], flags = 3) =>
      check(native.senko_fbank_compute(nativePool(undefined), x, x.length, new Uint32Array(pairs), pairs.length, pairs.length / 2, flags, slot), "fbank");
    expect(() => call([10, 5])).toThrow(NativeLibraryError);
    expect(() => call([0, x.length + 1])).toThrow(NativeLibraryError);
    expect(() => call([0, 400], 8)).toThrow(NativeLibraryError);
    expect(slot[0]).toBe(0n);
  });

  test("views throw after free(), and free() is idempotent", () => {
    const features = extractFbankSync(x, spans.slice(0, 2));
    expect(features.data.length).toBe(2 * 148 * 80);
    features.free();
    features.free();
    expect(() => features.data).toThrow(SenkoError);
    expect(() => features.frameCounts).toThrow(SenkoError);
    expect(() => features.frameOffsets).toThrow(SenkoError);
  });

  test("10,000 extract+free calls do not grow RSS", () => {
    // ~290 KB of native memory per call: a leak would add ~2.9 GB.
    const leakSpans = spans.slice(0, 5);
    const round = () => {
      const f = extractFbankSync(x, leakSpans);
      f.free();
    };
    for (let i = 0; i < 500; i++) round();
    Bun.gc(true);
    const before = process.memoryUsage().rss;
    for (let i = 0; i < 10_000; i++) round();
    Bun.gc(true);
    const growth = process.memoryUsage().rss - before;
    expect(growth).toBeLessThan(64 * 1024 * 1024);
  });
});
