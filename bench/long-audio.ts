/**
 * @module Long benchmark inputs built from real speech: the eleven 30 s AMI meeting fixtures repeated end to
 * end (so an hour holds the same ~40 voices many times over, not 60 minutes of new speakers).
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { defaultCacheDir } from "../models/fetch.ts";
import { readAudio } from "../src/audio/index.ts";
import { AMI_DIR } from "./fixtures.ts";

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

/** Licence texts every Debian system carries: enough prose for about 80 minutes of synthetic speech. */
const MONOLOGUE_TEXTS = ["GPL-3", "GFDL-1.3", "Apache-2.0", "Artistic"].map((name) => `/usr/share/common-licenses/${name}`);

/**
 * `seconds` of 16 kHz mono speech by ONE synthetic voice (espeak-ng, en-us, reading licence texts, so the
 * words never repeat within 80 minutes): a monologue of known speaker count for long-audio tests.
 * espeak-ng's output is kept in the cache (25 minutes take it some 13 s), named by a hash of everything
 * that makes it: its version, its arguments, the texts and the length. Null when espeak-ng or the texts are missing.
 */
export async function synthesizeMonologue(seconds: number): Promise<Float32Array | null> {
  const espeak = Bun.which("espeak-ng");
  const texts = MONOLOGUE_TEXTS.filter((f) => existsSync(f));
  if (!espeak || texts.length === 0) return null;
  const text = texts.map((f) => readFileSync(f, "utf8")).join("\n");
  const args = ["-v", "en-us", "-s", "160", "--stdout"];
  const version = Bun.spawnSync([espeak, "--version"]).stdout.toString();
  const recipe = new Bun.CryptoHasher("sha256").update(JSON.stringify([version, args, seconds, text])).digest("hex").slice(0, 16);
  const cached = join(dirname(defaultCacheDir()), "test-audio", `monologue-${recipe}.wav`);
  let wav: Uint8Array;
  if (existsSync(cached)) wav = readFileSync(cached);
  else {
    wav = await speak([espeak, ...args], text, seconds);
    mkdirSync(dirname(cached), { recursive: true });
    // Renamed into place, so a run stopped half-way leaves no partial file for the next to read.
    writeFileSync(`${cached}.${process.pid}.tmp`, wav);
    renameSync(`${cached}.${process.pid}.tmp`, cached);
  }
  const speech = (await readAudio(wav, { name: "espeak-ng" })).samples;
  const wanted = Math.round(seconds * RATE);
  if (speech.length < wanted) throw new Error(`espeak-ng spoke ${(speech.length / RATE).toFixed(0)} s, fewer than the ${seconds} s asked for`);
  return speech.slice(0, wanted);
}

/** espeak-ng's WAV of `text`, cut one second past `seconds` (a whole number of 16-bit samples). */
async function speak(command: string[], text: string, seconds: number): Promise<Uint8Array> {
  const proc = Bun.spawn(command, { stdin: new TextEncoder().encode(text), stdout: "pipe", stderr: "pipe" });
  // The texts last 80 minutes: read what is asked for and one second more (the resampler's filter reaches past
  // the last sample kept, so the samples kept are those of the whole text), then stop espeak-ng.
  const chunks: Uint8Array[] = [];
  let size = 0;
  let enough = Infinity;
  for await (const chunk of proc.stdout) {
    chunks.push(chunk);
    size += chunk.length;
    // The 44-byte header's byte rate (offset 28).
    if (enough === Infinity && size >= 44) enough = 44 + (seconds + 1) * Buffer.concat(chunks).readUInt32LE(28);
    if (size >= enough) break;
  }
  const stopped = size >= enough;
  if (stopped) proc.kill();
  const code = await proc.exited;
  if (!stopped && code !== 0) throw new Error(`espeak-ng exited with ${code}: ${await new Response(proc.stderr).text()}`);
  // espeak-ng writes a streamed WAV (16-bit mono) whose sizes are left open; readAudio reads it to the end.
  return Buffer.concat(chunks).subarray(0, size - ((size - 44) % 2));
}
