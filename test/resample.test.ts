import { describe, expect, test } from "bun:test";
import { readAudio } from "../src/audio/index.ts";

/** Resamples mono samples at `rate` to 16 kHz through the public path. */
async function to16k(samples: Float32Array, rate: number): Promise<Float32Array> {
  return (await readAudio({ samples, sampleRate: rate })).samples;
}

function tone(rate: number, hz: number, seconds: number, amplitude = 0.5, phase = 0): Float32Array {
  return Float32Array.from({ length: Math.round(rate * seconds) }, (_, i) => amplitude * Math.sin((2 * Math.PI * hz * i) / rate + phase));
}

/** The middle of `y`, clear of the filter's run-in at both ends. */
function middle(y: Float32Array): Float32Array {
  return y.subarray(1600, y.length - 1600);
}

/** Amplitude of the `hz` component by a Hann-windowed single-bin DFT (offset = index of y[0] at 16 kHz). */
function amplitudeAt(y: Float32Array, hz: number, offset = 0): number {
  let re = 0;
  let im = 0;
  let wsum = 0;
  for (let i = 0; i < y.length; i++) {
    const w = 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / y.length);
    const a = (2 * Math.PI * hz * (i + offset)) / 16000;
    re += w * y[i]! * Math.cos(a);
    im += w * y[i]! * Math.sin(a);
    wsum += w;
  }
  return (2 * Math.hypot(re, im)) / wsum;
}

const dB = (ratio: number) => 20 * Math.log10(ratio);

/** Largest difference between y (from output index 1600 on) and `expected(i)` for output index i. */
function worstError(y: Float32Array, expected: (i: number) => number): number {
  let worst = 0;
  for (let i = 0; i < y.length; i++) worst = Math.max(worst, Math.abs(y[i]! - expected(i + 1600)));
  return worst;
}

describe("resampler passband", () => {
  for (const rate of [44100, 48000]) {
    test(`1 kHz at ${rate} Hz keeps amplitude (0.1 dB), frequency and timing`, async () => {
      const y = middle(await to16k(tone(rate, 1000, 1), rate));
      expect(Math.abs(dB(amplitudeAt(y, 1000, 1600) / 0.5))).toBeLessThan(0.1);
      // Sample for sample the ideal 1 kHz tone at 16 kHz: right frequency, no delay.
      expect(worstError(y, (i) => 0.5 * Math.sin((2 * Math.PI * 1000 * i) / 16000))).toBeLessThan(1e-4);
    });
  }

  // 97% of 8 kHz, as near the top as ffmpeg's default: a 48 kHz recording's 7.2-7.76 kHz moves CAM++ embeddings
  // (BENCHMARKS.md, "Session 25 new-user try").
  test("tones up to the passband edge (7.76 kHz) pass within 0.1 dB at common rates", async () => {
    for (const rate of [22050, 32000, 44100, 48000, 96000]) {
      for (const hz of [100, 3000, 7000, 7700]) {
        const y = middle(await to16k(tone(rate, hz, 0.5), rate));
        expect(Math.abs(dB(amplitudeAt(y, hz, 1600) / 0.5))).toBeLessThan(0.1);
      }
    }
  });

  test("a 50 Hz - 7 kHz chirp at 44.1 kHz comes out as the same chirp at 16 kHz", async () => {
    const seconds = 1;
    const f0 = 50;
    const f1 = 7000;
    const chirp = (t: number) => 0.5 * Math.sin(2 * Math.PI * (f0 * t + ((f1 - f0) * t * t) / (2 * seconds)));
    const x = Float32Array.from({ length: 44100 * seconds }, (_, i) => chirp(i / 44100));
    const y = middle(await to16k(x, 44100));
    expect(worstError(y, (i) => chirp(i / 16000))).toBeLessThan(3e-3);
  });

  test("a constant stays constant", async () => {
    const y = middle(await to16k(new Float32Array(44100).fill(0.25), 44100));
    expect(worstError(y, () => 0.25)).toBeLessThan(1e-6);
  });
});

describe("resampler stopband", () => {
  test("10 kHz at 48 kHz (above the new Nyquist) is attenuated by at least 60 dB at its alias", async () => {
    const y = middle(await to16k(tone(48000, 10000, 1), 48000));
    const alias = amplitudeAt(y, 6000, 1600); // 16 kHz - 10 kHz
    expect(dB(alias / 0.5)).toBeLessThan(-60);
    // And nothing else is left either.
    expect(dB(Math.max(...y.map(Math.abs)) / 0.5)).toBeLessThan(-60);
  });

  // 8.25 kHz folds to 7.75 kHz, inside the passband; 8-8.24 kHz folds above it and is let through in part.
  test("tones that would fold into the passband (16 kHz - 7.76 kHz = 8.24 kHz up) are attenuated by at least 60 dB at several rates", async () => {
    for (const [rate, hz] of [
      [48000, 8250],
      [44100, 8250],
      [22050, 8250],
      [48000, 15000],
      [48000, 23000],
      [44100, 9000],
      [44100, 20000],
      [32000, 9000],
      [22050, 10000],
    ] as const) {
      const y = middle(await to16k(tone(rate, hz, 0.5), rate));
      const peak = Math.max(...y.map(Math.abs));
      expect(dB(peak / 0.5)).toBeLessThan(-60);
    }
  });
});

describe("resampler: upsampling and odd rates", () => {
  test("8 kHz -> 16 kHz: 1 kHz tone kept, its 7 kHz image removed", async () => {
    const x = tone(8000, 1000, 1);
    const y = await to16k(x, 8000);
    expect(y.length).toBe(16000);
    const m = middle(y);
    expect(worstError(m, (i) => 0.5 * Math.sin((2 * Math.PI * 1000 * i) / 16000))).toBeLessThan(1e-4);
    expect(dB(amplitudeAt(m, 7000, 1600) / 0.5)).toBeLessThan(-60);
    // Every other output sample is an original sample (filtered only by the tiny passband ripple).
    for (let i = 800; i < 7200; i++) expect(Math.abs(y[2 * i]! - x[i]!)).toBeLessThan(1e-4);
  });

  test("rates without a small exact ratio (interpolated filter) and 11025 Hz upsampling", async () => {
    for (const rate of [44101, 47999, 11025, 12345, 96017]) {
      const y = middle(await to16k(tone(rate, 1000, 0.5, 0.5, 0.3), rate));
      expect(worstError(y, (i) => 0.5 * Math.sin((2 * Math.PI * 1000 * i) / 16000 + 0.3))).toBeLessThan(2e-4);
    }
  });
});
