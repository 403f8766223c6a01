/**
 * The simulated conversations of the accuracy benchmarks (bench/simulate.ts): reproducible, and a file made
 * for N speakers holds N voices. Before the redraw rule the 1-minute 8-speaker files held 7, 5 and 5 (seeds
 * 1-3) and the benchmarks counted a right answer as a miss.
 */
import { expect, test } from "bun:test";
import { join } from "node:path";
import { decode, frameEnergiesDb, runsAbove, simulateConversation, speechLevels } from "../bench/simulate.ts";
import { LIBRISPEECH_DIR, withoutLibriSpeech } from "./helpers/fixtures.ts";

const noLibriSpeech = withoutLibriSpeech("simulate.test.ts");
const heard = (reference: { speaker: string }[]) => new Set(reference.map((t) => t.speaker)).size;

test.skipIf(noLibriSpeech)("8 speakers in one minute: every speaker is heard in the reference, inside the file", async () => {
  for (const seed of [1, 2]) {
    const c = await simulateConversation({ speakers: 8, minutes: 1, seed });
    expect(c.speakers).toHaveLength(8);
    expect(heard(c.reference)).toBe(8);
    expect(c.reference.every((t) => 0 <= t.start && t.start < t.end && t.end <= c.durationSec)).toBe(true);
  }
});

test.skipIf(noLibriSpeech)("the same options give the same conversation", async () => {
  const [a, b] = await Promise.all([1, 2].map(() => simulateConversation({ speakers: 3, minutes: 1, seed: 4 })));
  expect(a!.reference).toEqual(b!.reference);
  expect(Buffer.from(a!.samples.buffer).equals(Buffer.from(b!.samples.buffer))).toBe(true);
  expect(heard(a!.reference)).toBe(3);
});

test.skipIf(noLibriSpeech)("speaker tracks: the mix unchanged, each track its speaker's own speech", async () => {
  const plain = await simulateConversation({ speakers: 3, minutes: 1, seed: 4 });
  const c = await simulateConversation({ speakers: 3, minutes: 1, seed: 4, tracks: true });
  expect(plain.tracks).toBeUndefined();
  expect(Buffer.from(c.samples.buffer).equals(Buffer.from(plain.samples.buffer))).toBe(true);
  expect(c.tracks).toHaveLength(3);
  c.tracks!.forEach((track, s) => {
    let [inside, all] = [0, 0];
    const turns = c.reference.filter((t) => t.speaker === c.speakers[s]);
    track.forEach((x, i) => {
      all += x * x;
      if (turns.some((t) => t.start <= i / c.sampleRate && i / c.sampleRate < t.end)) inside += x * x;
    });
    // Pieces are cut at most 0.15 s outside the marked speech: nearly all of a track's energy is in its speaker's turns.
    expect(inside / all).toBeGreaterThan(0.9);
  });
});

/** Seconds in which one speaker's reference turns overlap each other. */
function selfOverlapSec(reference: { speaker: string; start: number; end: number }[]): number {
  let total = 0;
  for (const turns of Map.groupBy(reference, (t) => t.speaker).values()) {
    for (let i = 1; i < turns.length; i++) {
      for (let j = 0; j < i; j++) total += Math.max(0, Math.min(turns[i]!.end, turns[j]!.end) - Math.max(turns[i]!.start, turns[j]!.start));
    }
  }
  return total;
}

test.skipIf(noLibriSpeech)("a voice never overlaps itself, and an interjection lasts at most 2 s", async () => {
  // Much overlap and many interjections; the simulator before session 25 put 13-29 s of one voice over itself in
  // each of these files, and its interjections took whole speech stretches of up to 13 s.
  let interjections = 0;
  for (const seed of [1, 4, 5]) {
    const c = await simulateConversation({ speakers: 3, minutes: 5, seed, overlap: 0.3, interruptions: 0.3 });
    expect(selfOverlapSec(c.reference)).toBe(0);
    for (const [speaker, pieces] of Map.groupBy(c.pieces, (p) => p.speaker)) {
      const sorted = pieces.toSorted((a, b) => a.start - b.start);
      sorted.slice(1).forEach((p, i) => expect(p.start, speaker).toBeGreaterThanOrEqual(sorted[i]!.end - 1e-9));
    }
    for (const p of c.pieces.filter((p) => p.interjection)) {
      interjections++;
      expect(p.end - p.start).toBeLessThanOrEqual(2 + 1e-9);
      expect(p.end - p.start).toBeGreaterThan(0);
    }
  }
  expect(interjections).toBeGreaterThan(5);
}, 60_000);

/** Seconds of `samples` the reference would mark, and of it inside [from, to) windows. */
function markedSec(samples: Float32Array, threshold: number, inside: (t: number) => boolean): { all: number; inside: number } {
  const frames = frameEnergiesDb(samples);
  let all = 0;
  let within = 0;
  for (const [a, b] of runsAbove(frames, threshold)) {
    for (let i = a; i < b; i += 160) {
      all += 0.01;
      if (inside(i / 16000)) within += 0.01;
    }
  }
  return { all, inside: within };
}

/** 0.5 s tone bursts every second (the "speech") over white noise `noiseDb` under them, for 20 s. */
function bursts(noiseDb: number, softDb = 0): Float32Array {
  const out = new Float32Array(20 * 16000);
  let seed = 7;
  const noise = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648 - 0.5) * 2 * Math.sqrt(3);
  for (let i = 0; i < out.length; i++) {
    const t = i / 16000;
    const level = Math.floor(t) % 4 === 3 ? 10 ** (softDb / 20) : 1;
    out[i] = 0.01 * 10 ** (noiseDb / 20) * noise() + (t % 1 < 0.5 ? 0.3 * level * Math.sin(2 * Math.PI * 220 * t) : 0);
  }
  return out;
}

test("reference marking: pauses over a high noise floor are not speech; soft speech over a quiet floor is", () => {
  const inBurst = (t: number) => t % 1 < 0.5 + 0.03;
  // Noise 25 dB under the tone: the 35 dB rule alone marked the pauses too (the whole signal).
  const noisy = bursts(20);
  const levels = speechLevels(frameEnergiesDb(noisy));
  expect(levels.peak - levels.floor).toBeLessThan(30);
  const before = markedSec(noisy, levels.peak - 35, inBurst);
  expect(before.all).toBeGreaterThan(19);
  const now = markedSec(noisy, levels.threshold, inBurst);
  expect(now.all - now.inside).toBeLessThan(0.5);
  expect(now.inside).toBeGreaterThan(9.5);
  // Quiet floor, every fourth burst 25 dB softer: the soft bursts stay speech.
  const quiet = bursts(-40, -25);
  const q = speechLevels(frameEnergiesDb(quiet));
  expect(q.threshold).toBe(q.peak - 35);
  const marked = markedSec(quiet, q.threshold, inBurst);
  expect(marked.inside).toBeGreaterThan(9.5);
  expect(marked.all - marked.inside).toBeLessThan(0.5);
});

test.skipIf(noLibriSpeech)("reference marking on a LibriSpeech recording with a high noise floor: its pauses are left out", async () => {
  // 233-134440-0000 (session 20): its quietest frames lie 22-23 dB under its loudest, so the 35 dB rule marked all of it.
  const samples = await decode(join(LIBRISPEECH_DIR, "233-134440-0000.flac"), 1);
  const frames = frameEnergiesDb(samples);
  const levels = speechLevels(frames);
  const share = (threshold: number) => frames.filter((e) => e >= threshold).length / frames.length;
  expect(share(levels.peak - 35)).toBeGreaterThan(0.99);
  expect(share(levels.threshold)).toBeLessThan(0.9);
  expect(share(levels.threshold)).toBeGreaterThan(0.3);
});
