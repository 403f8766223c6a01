/**
 * @module Three minutes of ONE real voice: an AMI speaker's solo turns repeated at other gains over other
 * noise. Repetition splits the similarity graph into many components, the case where a speaker count was
 * read from eigengaps of rounding noise (issue 11); shared by the edge-case and cross-CPU tests.
 */
import { join } from "node:path";
import { readAudio } from "../../src/audio/index.ts";
import { readRttm } from "../../src/eval/rttm.ts";
import { uniform } from "./synthetic-speakers.ts";

const RATE = 16000;

/** 180 s at 16 kHz of FEE078's turns in trn05 with nobody else talking (21 s in all), repeated. */
export async function repeatedSpeaker(fixtures: string): Promise<Float32Array> {
  const rttm = readRttm(await Bun.file(join(fixtures, "train.rttm")).text()).get("trn05")!;
  const source = (await readAudio(join(fixtures, "trn05.wav"))).samples;
  const others = rttm.filter((t) => t.speaker !== "FEE078");
  const solo: Float32Array[] = [];
  for (const t of rttm.filter((t) => t.speaker === "FEE078")) {
    let pieces = [[t.start, t.end] as [number, number]];
    for (const o of others) pieces = pieces.flatMap(([a, b]): [number, number][] => (o.end <= a || o.start >= b ? [[a, b]] : [[a, Math.min(b, o.start)], [Math.max(a, o.end), b]]));
    for (const [a, b] of pieces) if (b - a >= 1) solo.push(source.subarray(Math.round(a * RATE), Math.round(b * RATE)));
  }
  const random = uniform(3);
  const audio = new Float32Array(180 * RATE);
  for (let at = 0, k = 0; at < audio.length; k++) {
    const piece = solo[k % solo.length]!;
    const gain = 0.5 + random();
    const n = Math.min(piece.length, audio.length - at);
    for (let i = 0; i < n; i++) audio[at + i] = gain * piece[i]! + 0.002 * (random() - 0.5);
    at += n;
  }
  return audio;
}
