/**
 * @module Long benchmark inputs built from real speech: the eleven 30 s AMI meeting fixtures repeated end to
 * end (so an hour holds the same ~40 voices many times over, not 60 minutes of new speakers).
 */
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { readAudio } from "../src/audio/index.ts";

export const AMI_DIR = join(import.meta.dir, "../../shared/fixtures/ami");
const RATE = 16000;

/** `seconds` of 16 kHz mono audio: the AMI fixtures in name order, repeated. */
export async function buildMeetingSignal(seconds: number): Promise<Float32Array> {
  const files = readdirSync(AMI_DIR).filter((f) => f.endsWith(".wav")).sort();
  const clips = await Promise.all(files.map(async (f) => (await readAudio(join(AMI_DIR, f))).samples));
  const signal = new Float32Array(Math.round(seconds * RATE));
  for (let at = 0, i = 0; at < signal.length; i++) {
    const clip = clips[i % clips.length]!;
    const n = Math.min(clip.length, signal.length - at);
    signal.set(clip.subarray(0, n), at);
    at += n;
  }
  return signal;
}

/** A 16 kHz mono float32 WAV file's bytes. */
export function float32Wav(samples: Float32Array): Uint8Array {
  const bytes = new Uint8Array(44 + samples.byteLength);
  const view = new DataView(bytes.buffer);
  const ascii = (at: number, s: string) => [...s].forEach((c, i) => view.setUint8(at + i, c.charCodeAt(0)));
  ascii(0, "RIFF");
  view.setUint32(4, 36 + samples.byteLength, true);
  ascii(8, "WAVE");
  ascii(12, "fmt ");
  view.setUint32(16, 16, true);
  view.setUint16(20, 3, true); // IEEE float
  view.setUint16(22, 1, true);
  view.setUint32(24, RATE, true);
  view.setUint32(28, RATE * 4, true);
  view.setUint16(32, 4, true);
  view.setUint16(34, 32, true);
  ascii(36, "data");
  view.setUint32(40, samples.byteLength, true);
  bytes.set(new Uint8Array(samples.buffer, samples.byteOffset, samples.byteLength), 44);
  return bytes;
}
