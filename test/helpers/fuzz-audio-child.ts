/**
 * @module Fuzz loop run as a child process by test/fuzz.test.ts (a Zig panic in the safety-checked
 * library aborts the process, so the parent watches the exit code). Usage:
 *   SENKO_LIB=zig-out/lib/x86_64-linux-safe/libsenko.so bun run test/helpers/fuzz-audio-child.ts <files> <seed> <abiCalls>
 * Mutates valid WAV files (bit flips, truncation, header field corruption, chunk-size lies, random
 * chunk insertion, chunk duplication/reordering), reads each with readAudio (from memory, and every
 * 16th from a file), then calls the native audio entry points with random arguments over honestly
 * sized buffers. Prints one JSON summary line; exits 1 if anything but a SenkoError was thrown or a
 * decoded result is malformed.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { readAudio } from "../../src/audio/index.ts";
import { SenkoError } from "../../src/errors.ts";
import { nativePool } from "../../src/compute-context.ts";
import { lib, libraryPath } from "../../src/ffi.ts";
import { uniform as rng } from "./synthetic-speakers.ts";
import { concatBytes, fmtChunk, pcm16, wavChunk, wavFile } from "./wav.ts";

const files = Number(process.argv[2] ?? 10000);
const seed = Number(process.argv[3] ?? 1);
const abiCalls = Number(process.argv[4] ?? 5000);
const random = rng(seed);
const int = (n: number) => Math.floor(random() * n);
const pick = <T>(items: readonly T[]): T => items[int(items.length)]!;

function tone(n: number): number[] {
  return Array.from({ length: n }, (_, i) => 0.5 * Math.sin(i * 0.05) + 0.1 * Math.sin(i * 0.71));
}
const f32 = (values: number[]) => new Uint8Array(Float32Array.from(values).buffer);
const f64 = (values: number[]) => new Uint8Array(Float64Array.from(values).buffer);
const list = wavChunk("LIST", "INFOISFT\x05\x00\x00\x00lavf\x00");

/** Valid files covering every encoding, container and chunk layout the parser handles. */
const corpus: Uint8Array[] = [
  wavFile([fmtChunk({ tag: 1, channels: 1, rate: 16000, bits: 16 }), wavChunk("data", pcm16(tone(300)))]),
  wavFile([list, fmtChunk({ tag: 1, channels: 2, rate: 44100, bits: 16 }), wavChunk("data", pcm16(tone(600)))]),
  wavFile([fmtChunk({ tag: 1, channels: 6, rate: 48000, bits: 32, extensible: { validBits: 24 } }), wavChunk("fact", "\x10\x00\x00\x00"), wavChunk("data", new Uint8Array(6 * 4 * 120).map((_, i) => i * 37))]),
  wavFile([fmtChunk({ tag: 3, channels: 1, rate: 8000, bits: 32 }), wavChunk("data", f32(tone(200))), list]),
  wavFile([fmtChunk({ tag: 3, channels: 2, rate: 22050, bits: 64 }), wavChunk("data", f64(tone(300)))], "RF64"),
  wavFile([fmtChunk({ tag: 1, channels: 1, rate: 11025, bits: 8 }), wavChunk("data", new Uint8Array(301).map((_, i) => 128 + Math.round(100 * Math.sin(i / 9))))]),
  wavFile([wavChunk("data", pcm16(tone(250))), fmtChunk({ tag: 1, channels: 1, rate: 32000, bits: 16 })]),
  wavFile([fmtChunk({ tag: 1, channels: 3, rate: 96000, bits: 24 }), wavChunk("data", new Uint8Array(9 * 200).map((_, i) => i * 11))]),
];

/** Offsets of the chunk headers of a valid file (for chunk-level mutations). */
function chunkOffsets(bytes: Uint8Array): number[] {
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const at: number[] = [];
  for (let pos = 12; pos + 8 <= bytes.length; ) {
    at.push(pos);
    const size = v.getUint32(pos + 4, true);
    pos += 8 + (size === 0xffffffff ? bytes.length : size + (size & 1));
  }
  return at;
}

const INTERESTING_U32 = [0, 1, 2, 3, 7, 8, 15, 16, 40, 0x7f, 0x80, 0xff, 0x100, 0xffff, 0x10000, 0x7fffffff, 0x80000000, 0xfffffffe, 0xffffffff];

type Mutation = "bitflip" | "truncate" | "field" | "chunk-size" | "insert" | "duplicate" | "swap" | "splice";
const MUTATIONS: readonly Mutation[] = ["bitflip", "truncate", "field", "chunk-size", "insert", "duplicate", "swap", "splice"];

function mutate(base: Uint8Array, kind: Mutation): Uint8Array {
  let bytes: Uint8Array = base.slice();
  const view = () => new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const chunks = chunkOffsets(base);
  // A file cut inside its first chunk header has none to work on: flip bits instead.
  if (chunks.length === 0 && kind !== "truncate" && kind !== "splice") kind = "bitflip";
  switch (kind) {
    case "bitflip": {
      // Mostly in the first 96 bytes, where the headers are.
      for (let n = 1 + int(8); n > 0; n--) {
        const at = random() < 0.8 ? int(Math.min(96, bytes.length)) : int(bytes.length);
        bytes[at]! ^= 1 << int(8);
      }
      break;
    }
    case "truncate":
      bytes = bytes.slice(0, int(bytes.length));
      break;
    case "field": {
      // A 16- or 32-bit field of the RIFF header or a chunk header/body start.
      const starts = [4, ...chunks.flatMap((c) => [c + 4, c + 8, c + 10, c + 12, c + 16, c + 20, c + 22, c + 24, c + 26, c + 32])];
      const at = pick(starts);
      const value = random() < 0.7 ? pick(INTERESTING_U32) : int(2 ** 32);
      if (at + 4 <= bytes.length && random() < 0.6) view().setUint32(at, value >>> 0, true);
      else if (at + 2 <= bytes.length) view().setUint16(at, value & 0xffff, true);
      break;
    }
    case "chunk-size": {
      const at = pick(chunks) + 4;
      const old = view().getUint32(at, true);
      const lies = [old + 1, old - 1, old * 2, old + 8, Math.max(0, old - 8), 0, 0xffffffff, bytes.length, bytes.length - at, int(2 ** 32)];
      view().setUint32(at, pick(lies) >>> 0, true);
      break;
    }
    case "insert": {
      const id = random() < 0.5 ? pick(["JUNK", "LIST", "fact", "data", "fmt ", "ds64", "bext", "PAD "]) : String.fromCharCode(...Array.from({ length: 4 }, () => int(256)));
      const body = new Uint8Array(int(64)).map(() => int(256));
      const head = new Uint8Array(8);
      head.set(Uint8Array.from(id, (c) => c.charCodeAt(0)));
      new DataView(head.buffer).setUint32(4, random() < 0.7 ? body.length : pick(INTERESTING_U32), true);
      const at = random() < 0.8 ? pick([...chunks, bytes.length]) : int(bytes.length);
      bytes = concatBytes([bytes.subarray(0, at), head, body, bytes.subarray(at)]);
      break;
    }
    case "duplicate": {
      const i = int(chunks.length);
      const from = chunks[i]!;
      const to = chunks[i + 1] ?? bytes.length;
      const at = pick([...chunks, bytes.length]);
      bytes = concatBytes([bytes.subarray(0, at), bytes.slice(from, to), bytes.subarray(at)]);
      break;
    }
    case "swap": {
      if (chunks.length < 2) break;
      const i = int(chunks.length - 1);
      const a = chunks[i]!;
      const b = chunks[i + 1]!;
      const end = chunks[i + 2] ?? bytes.length;
      bytes = concatBytes([bytes.subarray(0, a), bytes.slice(b, end), bytes.slice(a, b), bytes.subarray(end)]);
      break;
    }
    case "splice": {
      // The head of one file on the tail of another.
      const other = pick(corpus);
      const cut = int(Math.min(bytes.length, other.length));
      bytes = concatBytes([bytes.subarray(0, cut), other.subarray(cut)]);
      break;
    }
  }
  return bytes;
}

const failures: string[] = [];
const outcomes: Record<string, number> = {};
const count = (key: string) => (outcomes[key] = (outcomes[key] ?? 0) + 1);
const dir = mkdtempSync(join(tmpdir(), "senko-fuzz-"));
let decoded = 0;
let rejected = 0;
const started = performance.now();

try {
  for (let i = 0; i < files; i++) {
    const kind = MUTATIONS[i % MUTATIONS.length]!;
    let bytes = mutate(pick(corpus), kind);
    if (random() < 0.3) bytes = mutate(bytes, pick(MUTATIONS));
    let input: string | Uint8Array = bytes;
    if (i % 16 === 0) {
      input = join(dir, `f${i % 64}.wav`);
      writeFileSync(input, bytes);
    }
    try {
      const audio = await readAudio(input, { ffmpeg: false, name: "fuzz.wav" });
      decoded++;
      count(`decoded:${kind}`);
      const samples = audio.samples;
      if (!(samples instanceof Float32Array) || audio.durationSec !== samples.length / 16000) failures.push(`#${i} ${kind}: malformed result`);
      for (let k = 0; k < samples.length; k++) {
        // Decoded PCM is in [-1, 1); float input is passed through the resampler, which may ring a little above.
        if (!Number.isFinite(samples[k]!)) {
          failures.push(`#${i} ${kind}: sample ${k} is ${samples[k]}`);
          break;
        }
      }
    } catch (error) {
      if (!(error instanceof SenkoError) || !error.message.startsWith("fuzz.wav: ") || error.message.includes("\n")) {
        failures.push(`#${i} ${kind}: ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`);
        continue;
      }
      rejected++;
      // Group by the message up to the first number, so the summary shows which checks fired.
      count(`error:${error.message.slice(10).replace(/[\d"'{(].*$/, "").trim()}`);
    }
  }

  // Direct calls into the entry points: random arguments, buffers exactly as large as the call says.
  const native = lib();
  const rates = [0, 1, 999, 1000, 7999, 8000, 11025, 16000, 44100, 48000, 96000, 999_999, 1_000_000, 1_000_001, 0xffffffff];
  const plausibleRates = [1000, 7999, 8000, 11025, 16000, 44100, 48000, 96000, 1_000_000];
  const bigFrames = [0, 1, 2, 3, 100, 4095, 2 ** 32, 2 ** 40, 2 ** 40 + 1, 2 ** 53 - 1];
  let accepted = 0;
  const range = new BigUint64Array(2);
  const bytesPer = [0, 1, 2, 3, 4, 4, 8];
  for (let i = 0; i < abiCalls; i++) {
    // Half the calls are plausible (a valid signal and output range, the data the range asks for,
    // random bytes as samples) so that they get past validation into the conversion; the other
    // half are arbitrary.
    const plausible = random() < 0.5;
    // (999_999 Hz is left out of the plausible calls: its filter takes 0.5 s to design, once per rate change)
    const rate = plausible ? pick(plausibleRates) : random() < 0.8 ? pick(rates) : int(2 ** 32);
    const total = plausible ? 1 + int(3000) : random() < 0.7 ? int(3000) : pick(bigFrames);
    const encoding = plausible ? 1 + int(6) : int(8);
    const channels = plausible ? 1 + int(8) : random() < 0.9 ? int(9) : pick([65535, 0xffffffff]);
    const length = plausible ? Math.ceil((total * 16000) / rate) : 0;
    const outFirst = plausible ? int(length) : random() < 0.5 ? 0 : random() < 0.8 ? int(4000) : pick(bigFrames);
    // Rates far above 16 kHz need long filters: few outputs there keep the loop fast.
    const outCount = plausible ? 1 + int(Math.min(length - outFirst, rate > 100_000 ? 32 : 1024)) : random() < 0.1 ? pick(bigFrames) : int(2000);
    const noRange = random() < 0.02;
    const status1 = native.senko_audio_input_range(rate, total, outFirst, outCount, noRange ? null : range);
    if (status1 > 0 || !Number.isInteger(status1)) failures.push(`input_range status ${status1}`);
    if (plausible && !noRange && status1 !== 0) failures.push(`input_range refused a valid range (${rate} Hz, ${total} frames, ${outFirst}+${outCount})`);
    // Honest buffers: the data really holds byteCount bytes and the output really holds outCount floats.
    const frameBytes = channels * (bytesPer[encoding] ?? 1);
    const byteCount =
      plausible && status1 === 0 ? (Number(range[1]) - Number(range[0])) * frameBytes + (random() < 0.2 ? int(frameBytes + 1) : 0) : int(8192);
    const dataFirst = status1 === 0 && random() < 0.7 ? Number(range[0]) : int(3000);
    const data = new Uint8Array(Math.max(1, byteCount)).map(() => int(256));
    const outLen = Math.min(outCount, 4096);
    const out = new Float32Array(Math.max(1, outLen));
    // Now and then a capacity below the count, which must be refused.
    const capacity = random() < 0.05 ? int(out.length) : out.length;
    const status2 = native.senko_audio_to_mono16k(nativePool(undefined), data, byteCount, encoding, channels, rate, total, dataFirst, out, capacity, outFirst, outLen);
    if (status2 > 0 || !Number.isInteger(status2)) failures.push(`to_mono16k status ${status2}`);
    if (capacity < outLen && status2 !== -1) failures.push(`to_mono16k accepted capacity ${capacity} for ${outLen} outputs`);
    if (status2 === 0) {
      accepted++;
      if (!out.subarray(0, outLen).every(Number.isFinite)) failures.push(`to_mono16k #${i}: non-finite output`);
    }
  }
  outcomes["abi:accepted"] = accepted;
} finally {
  rmSync(dir, { recursive: true, force: true });
}

console.log(
  JSON.stringify({
    library: libraryPath(),
    files,
    decoded,
    rejected,
    abiCalls,
    seconds: +((performance.now() - started) / 1000).toFixed(2),
    outcomes,
    failures: failures.slice(0, 20),
    failureCount: failures.length,
  }),
);
process.exitCode = failures.length === 0 ? 0 : 1;
