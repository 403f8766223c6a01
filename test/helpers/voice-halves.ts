/**
 * @module Known voices from the LibriSpeech fixtures (one read utterance per speaker): each utterance cut in
 * two at its quietest 50 ms near the middle, the first half to enroll the speaker, the second for a
 * conversation in which its turns alternate with the other speakers' (a simulated conversation, not a
 * recording of one). Shared by test/voices.test.ts and bench/voice-prints.ts.
 */
import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { readAudio } from "../../src/audio/index.ts";
import { SAMPLE_RATE } from "../../src/types.ts";
import { LIBRISPEECH_DIR } from "./fixtures.ts";


export interface VoiceHalves {
  /** "spk<LibriSpeech speaker id>" */
  speaker: string;
  enrollment: Float32Array;
  conversation: Float32Array;
}

/** Utterances of about 12 s or more (halves of 6 s), sorted by name. */
export function longUtterances(dir = LIBRISPEECH_DIR): string[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith(".flac") && statSync(join(dir, f)).size >= 200_000)
    .sort()
    .map((f) => join(dir, f));
}

/** The utterance at `path` cut at the quietest 50 ms frame within 2 s of its middle. */
export async function voiceHalves(path: string): Promise<VoiceHalves> {
  const { samples } = await readAudio(path);
  const frame = SAMPLE_RATE / 20;
  let cut = samples.length >> 1;
  let quietest = Infinity;
  for (let at = cut - 2 * SAMPLE_RATE; at + frame <= cut + 2 * SAMPLE_RATE; at += frame / 2) {
    let energy = 0;
    for (let i = Math.max(0, at); i < at + frame; i++) energy += samples[i]! ** 2;
    if (energy < quietest) [quietest, cut] = [energy, at + frame / 2];
  }
  const speaker = `spk${path.split("/").at(-1)!.split("-")[0]}`;
  return { speaker, enrollment: samples.slice(0, cut), conversation: samples.slice(cut) };
}

/**
 * A conversation of the speakers' second halves: each half cut in `turns` equal pieces, the pieces taken in
 * rounds (A B C A B C), 0.6 s of silence between turns. Returns the samples and the reference turns.
 */
export function conversation(voices: readonly VoiceHalves[], turns = 2): { samples: Float32Array; reference: { start: number; end: number; speaker: string }[] } {
  const gap = Math.round(0.6 * SAMPLE_RATE);
  const pieces: { speaker: string; samples: Float32Array }[] = [];
  for (let t = 0; t < turns; t++) {
    for (const v of voices) {
      const size = Math.floor(v.conversation.length / turns);
      pieces.push({ speaker: v.speaker, samples: v.conversation.subarray(t * size, (t + 1) * size) });
    }
  }
  const samples = new Float32Array(pieces.reduce((n, p) => n + p.samples.length + gap, 0));
  const reference = [];
  let at = 0;
  for (const p of pieces) {
    samples.set(p.samples, at);
    reference.push({ start: at / SAMPLE_RATE, end: (at + p.samples.length) / SAMPLE_RATE, speaker: p.speaker });
    at += p.samples.length + gap;
  }
  return { samples, reference };
}

/** The reference speaker each result speaker overlaps most (undefined for none). */
export function referenceOf(
  segments: readonly { start: number; end: number; speaker: string }[],
  reference: readonly { start: number; end: number; speaker: string }[],
): Map<string, string | undefined> {
  const overlap = new Map<string, Map<string, number>>();
  for (const s of segments) {
    const row = overlap.get(s.speaker) ?? overlap.set(s.speaker, new Map()).get(s.speaker)!;
    for (const r of reference) {
      const shared = Math.min(s.end, r.end) - Math.max(s.start, r.start);
      if (shared > 0) row.set(r.speaker, (row.get(r.speaker) ?? 0) + shared);
    }
  }
  return new Map([...overlap].map(([speaker, row]) => [speaker, [...row].sort((a, b) => b[1] - a[1])[0]?.[0]]));
}
