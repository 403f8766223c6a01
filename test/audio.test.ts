import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { probeAudio, readAudio, parseWav, type AudioData } from "../src/audio/index.ts";
import { SampleSink } from "../src/audio/ffmpeg.ts";
import { readAudioStream } from "../src/audio/read-stream.ts";
import { convertToMono16k } from "../src/audio/convert.ts";
import { AudioFormatError } from "../src/errors.ts";
import { concatBytes as concat, fmtChunk, wavChunk as chunk, wavFile, type WavChunk } from "./helpers/wav.ts";
import { AMI_DIR, withoutAmi } from "./helpers/fixtures.ts";

// ---------------------------------------------------------------- synthetic WAV files

type Encoding = "u8" | "s16" | "s24" | "s32" | "f32" | "f64";
const SIZE: Record<Encoding, number> = { u8: 1, s16: 2, s24: 3, s32: 4, f32: 4, f64: 8 };

/** Encodes frames (arrays of per-channel values in [-1, 1]) and returns the bytes and the values as stored. */
function encode(frames: number[][], enc: Encoding): { bytes: Uint8Array; stored: number[][] } {
  const channels = frames[0]!.length;
  const bytes = new Uint8Array(frames.length * channels * SIZE[enc]);
  const view = new DataView(bytes.buffer);
  const stored: number[][] = [];
  let at = 0;
  const int = (v: number, bits: number) => {
    const full = 2 ** (bits - 1);
    return Math.max(-full, Math.min(full - 1, Math.round(v * full)));
  };
  for (const frame of frames) {
    const row: number[] = [];
    for (const v of frame) {
      switch (enc) {
        case "u8": {
          const q = Math.max(0, Math.min(255, Math.round(v * 128 + 128)));
          view.setUint8(at, q);
          row.push((q - 128) / 128);
          break;
        }
        case "s16":
          view.setInt16(at, int(v, 16), true);
          row.push(int(v, 16) / 32768);
          break;
        case "s24": {
          const q = int(v, 24);
          view.setUint8(at, q & 0xff);
          view.setUint8(at + 1, (q >> 8) & 0xff);
          view.setUint8(at + 2, (q >> 16) & 0xff);
          row.push(q / 8388608);
          break;
        }
        case "s32":
          view.setInt32(at, int(v, 32), true);
          row.push(int(v, 32) / 2 ** 31);
          break;
        case "f32":
          view.setFloat32(at, v, true);
          row.push(Math.fround(v));
          break;
        case "f64":
          view.setFloat64(at, v, true);
          row.push(v);
          break;
      }
      at += SIZE[enc];
    }
    stored.push(row);
  }
  return { bytes, stored };
}

/** A simple WAV: fmt then data. */
function simpleWav(frames: number[][], enc: Encoding, rate = 16000, container: "RIFF" | "RF64" | "BW64" = "RIFF") {
  const { bytes, stored } = encode(frames, enc);
  const tag = enc === "f32" || enc === "f64" ? 3 : 1;
  const fmt = fmtChunk({ tag, channels: frames[0]!.length, rate, bits: SIZE[enc] * 8 });
  return { wav: wavFile([fmt, chunk("data", bytes)], container), stored };
}

/** Deterministic test signal: frame i, channel c. */
function signal(frameCount: number, channels: number): number[][] {
  return Array.from({ length: frameCount }, (_, i) =>
    Array.from({ length: channels }, (_, c) => 0.9 * Math.sin(0.013 * (i + 1) * (c + 1) + c) * Math.cos(0.0007 * i)),
  );
}

function mean(stored: number[][]): number[] {
  return stored.map((row) => row.reduce((a, b) => a + b, 0) / row.length);
}

function expectClose(actual: Float32Array, expected: number[], tolerance: number): void {
  expect(actual.length).toBe(expected.length);
  let worst = 0;
  for (let i = 0; i < expected.length; i++) worst = Math.max(worst, Math.abs(actual[i]! - expected[i]!));
  expect(worst).toBeLessThanOrEqual(tolerance);
}

async function formatError(run: () => Promise<unknown>): Promise<AudioFormatError> {
  try {
    await run();
  } catch (error) {
    if (error instanceof AudioFormatError) return error;
    throw new Error(`expected an AudioFormatError, got ${String(error)}`);
  }
  throw new Error("expected an AudioFormatError, got a result");
}

const noFfmpeg = { ffmpeg: false } as const;
const ffmpegPath = Bun.which("ffmpeg");

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "senko-audio-test-"));
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

function writeTemp(name: string, bytes: Uint8Array): string {
  const path = join(dir, name);
  writeFileSync(path, bytes);
  return path;
}

// ---------------------------------------------------------------- tests

describe("readAudio: WAV encodings", () => {
  // Mono at 16 kHz: no filtering, so the output is exactly the decoded samples.
  const cases: [Encoding, number][] = [
    ["u8", 0],
    ["s16", 0],
    ["s24", 0],
    ["s32", 1e-7], // 32-bit integers round to f32
    ["f32", 0],
    ["f64", 1e-7], // f64 rounds to f32
  ];
  for (const [enc, tolerance] of cases) {
    test(`${enc} mono decodes to the stored values`, async () => {
      const { wav, stored } = simpleWav(signal(1001, 1), enc);
      const audio = await readAudio(wav, noFfmpeg);
      expectClose(audio.samples, mean(stored), tolerance);
      expect(audio.sampleRate).toBe(16000);
      expect(audio.durationSec).toBeCloseTo(1001 / 16000, 9);
      expect(audio.warnings).toEqual([]);
    });
  }

  test("stereo and 6-channel frames are averaged", async () => {
    for (const [channels, enc] of [
      [2, "s16"],
      [6, "s24"],
      [6, "f32"],
      [3, "u8"],
    ] as const) {
      const { wav, stored } = simpleWav(signal(777, channels), enc);
      const audio = await readAudio(wav, noFfmpeg);
      expectClose(audio.samples, mean(stored), 2e-7);
      expect(audio.source.channels).toBe(channels);
    }
  });

  test("source describes the input", async () => {
    const { wav } = simpleWav(signal(4410, 2), "s24", 44100);
    const audio = await readAudio(wav, { name: "meeting.wav" });
    expect(audio.source).toEqual({ name: "meeting.wav", sampleRate: 44100, channels: 2, encoding: "pcm_s24", decoder: "wav" });
    expect(audio.samples.length).toBe(1600);
  });

  test("WAVE_FORMAT_EXTENSIBLE: PCM, 24 valid bits in 32-bit containers, float", async () => {
    const frames = signal(500, 2);
    const s16 = encode(frames, "s16");
    const pcm = wavFile([fmtChunk({ tag: 1, channels: 2, rate: 16000, bits: 16, extensible: { validBits: 16 } }), chunk("data", s16.bytes)]);
    expectClose((await readAudio(pcm)).samples, mean(s16.stored), 0);

    // 24 significant bits left-aligned in 32-bit containers read as 32-bit integers.
    const s32 = encode(frames, "s32");
    for (let i = 0; i < s32.bytes.length; i += 4) s32.bytes[i] = 0;
    const padded = wavFile([fmtChunk({ tag: 1, channels: 2, rate: 16000, bits: 32, extensible: { validBits: 24 } }), chunk("data", s32.bytes)]);
    const p = parseWav(padded, "p");
    expect(p.encoding).toBe("pcm_s32");
    expect(p.codec).toBe("24-bit PCM");
    expectClose((await readAudio(padded)).samples, mean(s32.stored), 2e-7);

    const f32 = encode(frames, "f32");
    const float = wavFile([fmtChunk({ tag: 3, channels: 2, rate: 16000, bits: 32, extensible: { validBits: 32 } }), chunk("data", f32.bytes)]);
    expectClose((await readAudio(float)).samples, mean(f32.stored), 1e-7);
  });

  test("RF64 and BW64 with a ds64 chunk", async () => {
    for (const container of ["RF64", "BW64"] as const) {
      const { wav, stored } = simpleWav(signal(999, 2), "s16", 16000, container);
      expect(parseWav(wav, "x").container).toBe(container);
      const audio = await readAudio(wav);
      expectClose(audio.samples, mean(stored), 0);
    }
  });

  test("odd layouts: LIST/fact before and after data, odd chunk padding, fmt after data", async () => {
    const { bytes, stored } = encode(signal(321, 1), "s16");
    const fmt = fmtChunk({ tag: 1, channels: 1, rate: 16000, bits: 16 });
    const fact = chunk("fact", new Uint8Array([65, 1, 0, 0]));
    const list = chunk("LIST", "INFOISFT\x05\x00\x00\x00test\x00"); // 17 bytes: padded
    const layouts: WavChunk[][] = [
      [list, fact, fmt, chunk("data", bytes), chunk("LIST", "INFOICMT\x03\x00\x00\x00ab\x00")],
      [fmt, chunk("data", bytes), fact, list],
      [fact, chunk("data", bytes), list, fmt], // data before fmt
      [chunk("junk", "odd"), fmt, chunk("bext", new Uint8Array(603)), chunk("data", bytes)],
      [{ ...list, noPad: true }, fmt, chunk("data", bytes)], // a writer that forgot the pad byte
    ];
    for (const chunks of layouts) {
      const audio = await readAudio(wavFile(chunks), noFfmpeg);
      expectClose(audio.samples, mean(stored), 0);
      expect(audio.warnings).toEqual([]);
    }
    // An odd-sized data chunk (8-bit mono, 321 frames) followed by its pad byte and a LIST chunk.
    const u8 = encode(signal(321, 1), "u8");
    const odd = wavFile([fmtChunk({ tag: 1, channels: 1, rate: 16000, bits: 8 }), chunk("data", u8.bytes), list]);
    expectClose((await readAudio(odd)).samples, mean(u8.stored), 0);
  });

  test("streamed WAV with unknown (0xFFFFFFFF) sizes reads to the end of the file", async () => {
    const { bytes, stored } = encode(signal(400, 2), "s16");
    const wav = wavFile([fmtChunk({ tag: 1, channels: 2, rate: 16000, bits: 16 }), chunk("data", bytes, { size: 0xffffffff })]);
    new DataView(wav.buffer).setUint32(4, 0xffffffff, true);
    const audio = await readAudio(wav);
    expectClose(audio.samples, mean(stored), 0);
    expect(audio.warnings).toEqual([]);
  });

  test("espeak-ng's streamed output (data size 0x7FFFF000, RIFF size 0x7FFFF024) reads to the end of the file", async () => {
    const { bytes } = encode(signal(400, 1), "s16");
    const wav = wavFile([fmtChunk({ tag: 1, channels: 1, rate: 22050, bits: 16 }), chunk("data", bytes, { size: 0x7ffff000 })]);
    new DataView(wav.buffer).setUint32(4, 0x7ffff024, true);
    const sized = wavFile([fmtChunk({ tag: 1, channels: 1, rate: 22050, bits: 16 }), chunk("data", bytes)]);
    const audio = await readAudio(wav);
    expect(audio.samples.length).toBeGreaterThan(0);
    expect(audio.samples).toEqual((await readAudio(sized)).samples);
    expect(audio.warnings).toEqual([]);
  });

  test("a data chunk cut short (declared size past the end of the file) is an error, not a partial read", async () => {
    const { wav } = simpleWav(signal(1000, 2), "s16");
    const cut = wav.subarray(0, wav.length - 1001); // 250 frames and 1 byte of a 251st missing
    const error = await formatError(() => readAudio(cut, { name: "cut.wav" }));
    expect(error.message).toBe(
      "cut.wav: truncated WAV data: the header declares 4000 bytes of samples (0.06 s) but the file holds only 2999 (0.05 s); " +
        "the file is incomplete (an interrupted download or copy?)",
    );
  });

  test("a file still being written (data size 0, RIFF size up to the header) is read to its end with a warning", async () => {
    const { bytes, stored } = encode(signal(300, 2), "s16");
    for (const riffSize of [0, 36, 0xffffffff]) {
      const wav = wavFile([fmtChunk({ tag: 1, channels: 2, rate: 16000, bits: 16 }), chunk("data", concat([bytes, new Uint8Array(2)]), { size: 0 })]);
      new DataView(wav.buffer).setUint32(4, riffSize, true);
      const audio = await readAudio(wav, { name: "recording.wav" });
      expectClose(audio.samples, mean(stored), 0);
      expect(audio.warnings[0]).toBe(
        "the WAV header gives no data size (a file still being written, or a writer that did not finish); read the 300 frames present (0.019 s)",
      );
      expect(audio.warnings[1]).toContain("ignored the last 2 bytes");
    }
  });

  test("zero-length audio (an empty data chunk, also before other chunks) is valid and gives no samples", async () => {
    const fmt = fmtChunk({ tag: 1, channels: 2, rate: 44100, bits: 16 });
    for (const wav of [wavFile([fmt, chunk("data", new Uint8Array(0))]), wavFile([fmt, chunk("data", new Uint8Array(0)), chunk("LIST", "INFOxxxx")])]) {
      const audio = await readAudio(wav);
      expect(audio.samples.length).toBe(0);
      expect(audio.durationSec).toBe(0);
      expect(audio.warnings).toEqual([]);
    }
    // Fewer bytes than one frame: no frames, and a warning about the leftover bytes.
    const short = await readAudio(wavFile([fmt, chunk("data", new Uint8Array(3))]));
    expect(short.samples.length).toBe(0);
    expect(short.warnings[0]).toContain("ignored the last 3 bytes");
    const raw = await readAudio(new Float32Array(0), { sampleRate: 8000 });
    expect(raw.samples.length).toBe(0);
  });

  test("trailing bytes short of a frame are dropped with a warning", async () => {
    const { bytes, stored } = encode(signal(100, 2), "s16");
    const wav = wavFile([fmtChunk({ tag: 1, channels: 2, rate: 16000, bits: 16 }), chunk("data", concat([bytes, new Uint8Array(3)]))]);
    const audio = await readAudio(wav);
    expectClose(audio.samples, mean(stored), 0);
    expect(audio.warnings[0]).toContain("ignored the last 3 bytes");
  });

  test("non-finite float samples become 0", async () => {
    const frames = [[0.5], [NaN], [Infinity], [-0.25]];
    const { wav } = simpleWav(frames, "f32");
    expect(Array.from((await readAudio(wav)).samples)).toEqual([0.5, 0, 0, -0.25]);
  });

  test("other sample rates are resampled to 16 kHz", async () => {
    for (const rate of [8000, 11025, 22050, 32000, 44100, 48000, 96000]) {
      const n = Math.round(rate * 0.25);
      const frames = Array.from({ length: n }, (_, i) => [0.5 * Math.sin((2 * Math.PI * 440 * i) / rate)]);
      const { wav } = simpleWav(frames, "f32", rate);
      const audio = await readAudio(wav);
      expect(audio.samples.length).toBe(Math.ceil((n * 16000) / rate));
      // Away from the edges the output is the same tone sampled at 16 kHz.
      let worst = 0;
      for (let i = 800; i < audio.samples.length - 800; i++) {
        worst = Math.max(worst, Math.abs(audio.samples[i]! - 0.5 * Math.sin((2 * Math.PI * 440 * i) / 16000)));
      }
      expect(worst).toBeLessThan(1e-3);
    }
  });
});

const noAmi = withoutAmi("audio.test.ts");
describe.skipIf(noAmi)("readAudio: real fixtures", () => {
  const amiDir = AMI_DIR;
  const files = noAmi ? [] : readdirSync(amiDir).filter((f) => f.endsWith(".wav"));

  test("16 kHz float32 mono AMI excerpts pass through unchanged", async () => {
    expect(files.length).toBeGreaterThan(0);
    for (const file of files) {
      const path = join(amiDir, file);
      const audio = await readAudio(path);
      const bytes = await Bun.file(path).bytes();
      const layout = parseWav(bytes, file);
      expect(layout.encoding).toBe("float32");
      // Reference: the raw data chunk, located by its id independently of the parser.
      const at = Buffer.from(bytes).indexOf("data") + 8;
      const raw = new Float32Array(bytes.slice(at, at + layout.frameCount * 4).buffer);
      expect(audio.samples.length).toBe(raw.length);
      expect(Buffer.from(audio.samples.buffer).equals(Buffer.from(raw.buffer))).toBe(true);
      expect(audio.source).toEqual({ name: path, sampleRate: 16000, channels: 1, encoding: "float32", decoder: "wav" });
    }
  });
});

describe("readAudio: inputs", () => {
  test("a path, its bytes and its raw samples give the same result", async () => {
    const frames = signal(4800, 2);
    const { wav } = simpleWav(frames, "f32", 48000);
    const path = writeTemp("same.wav", wav);
    const fromPath = await readAudio(path);
    const fromBytes = await readAudio(wav);
    const interleaved = new Float32Array(frames.flat());
    const fromSamples = await readAudio({ samples: interleaved, sampleRate: 48000, channels: 2 });
    expect(fromPath.samples.length).toBe(1600);
    expect(Array.from(fromBytes.samples)).toEqual(Array.from(fromPath.samples));
    expect(Array.from(fromSamples.samples)).toEqual(Array.from(fromPath.samples));
    expect(fromBytes.source.name).toBe("<bytes>");
    expect(fromSamples.source).toEqual({ name: "<samples>", sampleRate: 48000, channels: 2, encoding: "float32", decoder: "samples" });
  });

  test("a bare Float32Array with { sampleRate, channels } equals the { samples, sampleRate } form", async () => {
    const interleaved = new Float32Array(signal(4410, 2).flat());
    const bare = await readAudio(interleaved, { sampleRate: 44100, channels: 2 });
    const wrapped = await readAudio({ samples: interleaved, sampleRate: 44100, channels: 2 });
    expect(bare.samples.length).toBe(1600);
    expect(Array.from(bare.samples)).toEqual(Array.from(wrapped.samples));
    expect(bare.source).toEqual({ name: "<samples>", sampleRate: 44100, channels: 2, encoding: "float32", decoder: "samples" });
    const error = await formatError(() => readAudio(interleaved, { name: "mic" }));
    expect(error.message).toBe("mic: a Float32Array of samples needs its rate: pass { sampleRate } with it");
    const wrong = await formatError(() => readAudio(42 as never));
    expect(wrong.message).toContain("audio input must be a file path or file: URL, a Bun.file() or Blob, a Uint8Array or ArrayBuffer of file bytes, a Float32Array with { sampleRate }");
  });

  test("probeAudio checks a WAV from its header without decoding it", async () => {
    const { wav } = simpleWav(signal(4410, 2), "s16", 44100);
    const good = await probeAudio(writeTemp("probe.wav", wav));
    expect(good).toMatchObject({ decoder: "wav", warnings: [] });
    expect(good.durationSec).toBeCloseTo(0.1, 9);
    const growing = wav.slice();
    new DataView(growing.buffer).setUint32(40, 0, true);
    new DataView(growing.buffer).setUint32(4, 36, true);
    expect((await probeAudio(writeTemp("growing.wav", growing))).warnings[0]).toContain("a file still being written");
    const cut = writeTemp("probe-cut.wav", wav.subarray(0, 100));
    expect((await formatError(() => probeAudio(cut))).message).toStartWith(`${cut}: truncated WAV data`);
    expect(await probeAudio(wav, { name: "-" })).toMatchObject({ name: "-", decoder: "wav", warnings: [] });
    expect((await formatError(() => probeAudio(wav.subarray(0, 100), { name: "-" }))).message).toStartWith("-: truncated WAV data");
    const mp3 = writeTemp("probe.mp3", new TextEncoder().encode("ID3 not really"));
    expect((await formatError(() => probeAudio(mp3, { ffmpeg: false }))).message).toContain("needs ffmpeg, which was not found on the PATH");
    expect((await formatError(() => probeAudio(join(dir, "nope.wav")))).message).toEndWith("nope.wav: file not found");
  });

  test("SampleSink (ffmpeg's output): sized late, grown when the estimate is short, exact length", () => {
    const bytes = (n: number, v: number) => new Uint8Array(new Float32Array(n).fill(v).buffer);
    const sink = new SampleSink();
    sink.push(bytes(3, 1)); // before the duration is known
    sink.reserve(4 * 4);
    sink.push(bytes(2, 2)); // past the estimate: grows
    sink.push(bytes(5, 3));
    expect(Array.from(sink.samples())).toEqual([1, 1, 1, 2, 2, 3, 3, 3, 3, 3]);
    const unsized = new SampleSink();
    unsized.push(bytes(2, 5));
    unsized.push(new Uint8Array(6)); // 1.5 samples: the half is dropped
    expect(Array.from(unsized.samples())).toEqual([5, 5, 0]);
    expect(new SampleSink().samples().length).toBe(0);
  });

  test("conversion in pieces (as files are read) equals conversion in one call", () => {
    for (const [rate, channels] of [
      [44100, 2],
      [16000, 3],
      [8000, 1],
      [47999, 2],
    ] as const) {
      const { bytes } = encode(signal(20000, channels), "s16");
      const frameBytes = 2 * channels;
      const source = {
        encoding: "pcm_s16" as const,
        channels,
        sampleRate: rate,
        frameCount: 20000,
        read: (begin: number, end: number) => bytes.subarray(begin * frameBytes, end * frameBytes),
      };
      const whole = convertToMono16k(source);
      for (const pieceBytes of [1, 999, 4096 * frameBytes]) {
        expect(Buffer.from(convertToMono16k(source, pieceBytes).buffer).equals(Buffer.from(whole.buffer))).toBe(true);
      }
    }
  });

  test("a file larger than one 32 MiB read piece gives the same samples as its bytes in memory", async () => {
    const frames = 48000 * 190; // 36.5 MB of 48 kHz stereo 16-bit
    const pcm = new Int16Array(frames * 2);
    for (let i = 0; i < pcm.length; i++) pcm[i] = ((i * 7919) % 65536) - 32768;
    const bytes = new Uint8Array(pcm.buffer);
    const wav = wavFile([fmtChunk({ tag: 1, channels: 2, rate: 48000, bits: 16 }), chunk("data", bytes)]);
    const path = writeTemp("long.wav", wav);
    const fromFile = await readAudio(path);
    const fromBytes = await readAudio(wav);
    expect(fromFile.samples.length).toBe(16000 * 190);
    expect(Buffer.from(fromFile.samples.buffer).equals(Buffer.from(fromBytes.samples.buffer))).toBe(true);
    rmSync(path);
  });

  test("16 kHz mono samples are copied unchanged, not aliased", async () => {
    const samples = new Float32Array([0.1, -0.2, 0.3, -0, 1.5]);
    const audio = await readAudio({ samples, sampleRate: 16000 });
    expect(Buffer.from(audio.samples.buffer).equals(Buffer.from(samples.buffer))).toBe(true);
    samples[0] = 9;
    expect(audio.samples[0]).toBeCloseTo(0.1, 7);
  });

  test("a view into a larger buffer at an odd byte offset decodes correctly", async () => {
    const { wav, stored } = simpleWav(signal(300, 2), "s16", 16000);
    const shifted = new Uint8Array(wav.length + 5);
    shifted.set(wav, 5);
    const audio = await readAudio(shifted.subarray(5));
    expectClose(audio.samples, mean(stored), 0);
  });

  test("bad raw samples are AudioFormatErrors", async () => {
    const bad: [unknown, string][] = [
      [{ samples: new Float32Array(10), sampleRate: 16 }, "sampleRate must be a whole number of Hz from 1000"],
      [{ samples: new Float32Array(10), sampleRate: 44100.5 }, "got 44100.5"],
      [{ samples: new Float32Array(9), sampleRate: 16000, channels: 2 }, "not a whole number of 2-channel frames"],
      [{ samples: new Float32Array(4), sampleRate: 16000, channels: 0 }, "channels must be"],
      [{ samples: [0.1, 0.2], sampleRate: 16000 }, "must be a Float32Array"],
    ];
    for (const [input, message] of bad) {
      const error = await formatError(() => readAudio(input as never, { name: "mic" }));
      expect(error.message).toStartWith("mic: ");
      expect(error.message).toContain(message);
    }
  });
});

describe("readAudio: bad input gives one readable AudioFormatError naming the file", () => {
  const valid = simpleWav(signal(100, 2), "s16").wav;
  const patched = (edit: (v: DataView) => void) => {
    const copy = valid.slice();
    edit(new DataView(copy.buffer));
    return copy;
  };
  // Offsets in `valid`: fmt body at 20 (tag 20, channels 22, rate 24, blockAlign 32, bits 34), data size at 40.
  const cases: [string, Uint8Array, string][] = [
    ["truncated-header.wav", valid.subarray(0, 30), "truncated WAV header"],
    ["tiny.wav", valid.subarray(0, 8), "truncated WAV header: the file is only 8 bytes"],
    ["zero-channels.wav", patched((v) => v.setUint16(22, 0, true)), "0 channels"],
    ["zero-rate.wav", patched((v) => v.setUint32(24, 0, true)), "sample rate is 0 Hz"],
    ["huge-rate.wav", patched((v) => v.setUint32(24, 50_000_000, true)), "sample rate 50000000 Hz is outside"],
    ["block-align.wav", patched((v) => v.setUint16(32, 3, true)), "block align is 3 bytes, but 2 channel(s) of 16-bit samples make 4-byte frames"],
    ["bits.wav", patched((v) => v.setUint16(34, 48, true)), "48-bit PCM is not supported"],
    ["float-bits.wav", patched((v) => (v.setUint16(20, 3, true), v.setUint16(34, 16, true))), "16-bit float samples are not supported"],
    ["mulaw.wav", patched((v) => (v.setUint16(20, 7, true), v.setUint16(34, 8, true))), "WAV codec mu-law (format tag 0x0007)"],
    ["adpcm.wav", patched((v) => v.setUint16(20, 2, true)), "Microsoft ADPCM (format tag 0x0002)"],
    ["fmt-size.wav", patched((v) => v.setUint32(16, 0x7fff0000, true)), "truncated WAV header: the 'fmt ' chunk declares 2147418112 bytes, past the end of the file"],
    ["fmt-cut.wav", valid.subarray(0, 28), "truncated WAV header: the file ends inside the 'fmt ' chunk"],
    ["fmt-small.wav", patched((v) => v.setUint32(16, 8, true)), "'fmt ' chunk is 8 bytes"],
    ["no-data.wav", valid.subarray(0, 36), "no 'data' chunk"],
    ["header-only.wav", valid.subarray(0, 44), "truncated WAV data: the header declares 400 bytes of samples (0.01 s) but the file holds only 0 (0.00 s)"],
    ["data-size.wav", patched((v) => v.setUint32(40, 0x7fffffff, true)), "the header declares 2147483647 bytes of samples (33554.43 s) but the file holds only 400"],
    ["list-size.wav", concat([patched((v) => v.setUint32(4, 100000, true)).subarray(0, 36), Uint8Array.of(0x4c, 0x49, 0x53, 0x54, 0xf0, 0xff, 0, 0, 0x61, 0x62, 0x63, 0x64)]), "no 'data' chunk (the 'LIST' chunk at byte 36 declares 65520 bytes, past the end of the 48-byte file)"],
    ["rf64-no-ds64.wav", patched((v) => v.setUint32(0, 0x34364652, true)), "invalid RF64 header: the first chunk is not 'ds64'"],
    [
      "guid.wav",
      wavFile([fmtChunk({ tag: 1, channels: 1, rate: 16000, bits: 16, extensible: { validBits: 16, guidTail: new Array(14).fill(7) } }), chunk("data", new Uint8Array(8))]),
      "WAVE_FORMAT_EXTENSIBLE with unknown sub-format {07070001-0707-0707-0707-070707070707}",
    ],
    ["text.txt", new TextEncoder().encode("just some text, not audio at all"), 'not a WAV file (it starts with "just"'],
    ["riff-avi.avi", concat([new TextEncoder().encode("RIFF\x10\x00\x00\x00AVI LIST"), new Uint8Array(8)]), "not a WAV file"],
  ];

  for (const [name, bytes, message] of cases) {
    test(`${name}: ${message}`, async () => {
      const path = writeTemp(name, bytes);
      for (const input of [path, bytes]) {
        const error = await formatError(() => readAudio(input, { ffmpeg: false, name }));
        expect(error.message).toStartWith(`${name}: `);
        expect(error.message).toContain(message);
        expect(error.file).toBe(name);
        expect(error.message).not.toContain("\n");
      }
    });
  }

  test("non-WAV input without ffmpeg says how to install it", async () => {
    const error = await formatError(() => readAudio(new TextEncoder().encode("ID3 fake mp3"), { ffmpeg: false, name: "song.mp3" }));
    expect(error.message).toContain("needs ffmpeg, which was not found on the PATH");
    expect(error.message).toContain("apt install ffmpeg");
    const mulaw = await formatError(() => readAudio(cases.find((c) => c[0] === "mulaw.wav")![1], { ffmpeg: false }));
    expect(mulaw.message).toContain("needs ffmpeg");
  });

  test("missing file, directory, empty file, unreadable path", async () => {
    const missing = join(dir, "missing.wav");
    expect((await formatError(() => readAudio(missing))).message).toBe(`${missing}: file not found`);
    const sub = join(dir, "a-directory.wav");
    mkdirSync(sub);
    expect((await formatError(() => readAudio(sub))).message).toBe(`${sub}: is a directory, not an audio file`);
    const empty = writeTemp("empty.wav", new Uint8Array(0));
    expect((await formatError(() => readAudio(empty))).message).toBe(`${empty}: file is empty (0 bytes)`);
    expect((await formatError(() => readAudio(new Uint8Array(0)))).message).toBe("<bytes>: is empty (0 bytes)");
    for (const read of [readAudio, probeAudio]) expect((await formatError(() => read(""))).message).toBe('<input>: an empty path ("") was given, not the path of an audio file');
    const through = join(empty, "x.wav");
    expect((await formatError(() => readAudio(through))).message).toContain("file not found");
    // A URL given as a string is a path that does not exist: said so, and nothing is downloaded.
    for (const read of [readAudio, probeAudio]) {
      expect((await formatError(() => read("https://example.com/talk.mp3?t=1"))).message).toBe("https://example.com/talk.mp3?t=1: file not found (it is a URL, and senko reads files only: download it first)");
      expect((await formatError(() => read("s3://calls/a.wav"))).message).toEndWith("download it first; senko submit reads s3:// inputs)");
      expect((await formatError(() => read(`file://${missing}`))).message).toBe(`file://${missing}: file not found (a file: URL; give its path: ${missing})`);
    }
  });

  test("random corruption of WAV headers never crashes or hangs", async () => {
    const base = wavFile([
      chunk("LIST", "INFOISFT\x03\x00\x00\x00ab\x00"),
      fmtChunk({ tag: 1, channels: 2, rate: 44100, bits: 16, extensible: { validBits: 16 } }),
      chunk("data", encode(signal(64, 2), "s16").bytes),
    ]);
    let seed = 12345;
    const random = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32);
    let decoded = 0;
    for (let round = 0; round < 3000; round++) {
      const bytes = base.slice(0, round % 7 === 0 ? Math.floor(random() * base.length) : base.length);
      const edits = 1 + Math.floor(random() * 4);
      for (let e = 0; e < edits && bytes.length > 0; e++) {
        const at = Math.floor(random() * Math.min(bytes.length, 100)); // the header region
        bytes[at] = random() < 0.3 ? 0xff : Math.floor(random() * 256);
      }
      let result: AudioData | undefined;
      try {
        result = await readAudio(bytes, noFfmpeg);
      } catch (error) {
        if (!(error instanceof AudioFormatError)) throw error;
        expect(error.message).toStartWith("<bytes>: ");
        continue;
      }
      decoded++;
      expect(result.samples.length).toBeGreaterThan(0);
      expect(result.samples.every(Number.isFinite)).toBe(true);
    }
    expect(decoded).toBeGreaterThan(0);
  });
});

describe("readAudio: ffmpeg for other formats", () => {
  const skip = !ffmpegPath;
  if (skip) console.warn("[audio.test] ffmpeg is not on the PATH: skipping the ffmpeg decoding tests (apt install ffmpeg)");

  /** Runs ffmpeg on a WAV to make another format. */
  async function convert(wav: Uint8Array, name: string, args: string[]): Promise<string> {
    const input = writeTemp(`${name}.src.wav`, wav);
    const output = join(dir, name);
    const proc = Bun.spawn([ffmpegPath!, "-v", "error", "-y", "-i", input, ...args, output], { stderr: "pipe" });
    if ((await proc.exited) !== 0) throw new Error(await new Response(proc.stderr).text());
    return output;
  }

  test.skipIf(skip)("FLAC (lossless) decodes to exactly the samples of the WAV it came from", async () => {
    const { wav } = simpleWav(signal(16000, 1), "s16");
    const flac = await convert(wav, "tone.flac", ["-c:a", "flac"]);
    const ours = await readAudio(wav);
    const viaFfmpeg = await readAudio(flac);
    expect(viaFfmpeg.source).toEqual({ name: flac, sampleRate: 16000, channels: 1, encoding: "flac", decoder: "ffmpeg" });
    expectClose(viaFfmpeg.samples, Array.from(ours.samples), 0);
    // The same bytes piped through stdin.
    const fromBytes = await readAudio(await Bun.file(flac).bytes(), { name: "piped.flac" });
    expectClose(fromBytes.samples, Array.from(ours.samples), 0);
  });

  test.skipIf(skip)("probeAudio has ffmpeg open a non-WAV file and decode its first second: what it cannot is refused as readAudio would", async () => {
    const flac = await convert(simpleWav(signal(16000, 1), "s16").wav, "probe.flac", ["-c:a", "flac"]);
    expect(await probeAudio(flac)).toEqual({ name: flac, decoder: "ffmpeg", durationSec: undefined, warnings: [] });
    // Random bytes named .mp3 (ffmpeg's mp3 demuxer takes them, then fails), and text.
    const random = new Uint8Array(50_000).map((_, i) => (i * 2654435761) >>> 24);
    for (const [name, bytes] of [["random.mp3", random], ["notes.mp3", new TextEncoder().encode("ID3 not really")]] as const) {
      const path = writeTemp(name, bytes);
      const probed = await formatError(() => probeAudio(path));
      expect(probed.message).toStartWith(`${path}: not a WAV file`);
      expect(probed.message).toEndWith(", and ffmpeg finds no audio stream in it (an empty or damaged recording, or not audio at all)");
      expect(probed.message).toBe((await formatError(() => readAudio(path))).message);
      // The same bytes as a buffer (stdin), piped to ffmpeg.
      const piped = await formatError(() => probeAudio(bytes, { name: "-" }));
      expect(piped.message).toStartWith("-: not a WAV file");
      expect(piped.message).toBe((await formatError(() => readAudio(bytes, { name: "-" }))).message);
    }
    expect(await probeAudio(await Bun.file(flac).bytes(), { name: "-" })).toMatchObject({ name: "-", decoder: "ffmpeg" });
    expect((await formatError(() => probeAudio(new Uint8Array(0), { name: "-" }))).message).toBe("-: is empty (0 bytes)");
  });

  test.skipIf(skip)("MP3 at 44.1 kHz stereo: source metadata and a tone of the right length", async () => {
    const frames = Array.from({ length: 44100 }, (_, i) => [0.5 * Math.sin((2 * Math.PI * 440 * i) / 44100), 0.5 * Math.sin((2 * Math.PI * 440 * i) / 44100)]);
    const mp3 = await convert(simpleWav(frames, "s16", 44100).wav, "tone.mp3", ["-c:a", "libmp3lame", "-b:a", "128k"]);
    const audio = await readAudio(mp3);
    expect(audio.source).toMatchObject({ sampleRate: 44100, channels: 2, encoding: "mp3", decoder: "ffmpeg" });
    expect(audio.durationSec).toBeGreaterThan(0.99);
    expect(audio.durationSec).toBeLessThan(1.1);
    // ffmpeg downmixes with its own matrix, so check the tone, not the level: the 440 Hz component
    // (least-squares fit over 8000 samples = 220 periods) holds nearly all the energy.
    let energy = 0;
    let re = 0;
    let im = 0;
    for (let i = 4000; i < 12000; i++) {
      const v = audio.samples[i]!;
      energy += v * v;
      re += v * Math.cos((2 * Math.PI * 440 * i) / 16000);
      im += v * Math.sin((2 * Math.PI * 440 * i) / 16000);
    }
    const tonePower = (2 * (re * re + im * im)) / 8000;
    expect(energy).toBeGreaterThan(100);
    expect(tonePower / energy).toBeGreaterThan(0.99);
  });

  test.skipIf(skip)("an mp3 piped (bytes, or a stream in small chunks) decodes to the samples of the same file by path: its LAME tag's padding is cut", async () => {
    const layouts: [string, number, number, string[]][] = [
      ["cbr-44k-stereo.mp3", 44100, 2, ["-b:a", "128k"]],
      ["vbr-22k-mono.mp3", 22050, 1, ["-q:a", "4"]], // MPEG-2, a Xing (VBR) tag
      ["cbr-8k-mono-no-id3.mp3", 8000, 1, ["-b:a", "32k", "-id3v2_version", "0"]], // MPEG-2.5, the frame at byte 0
      ["long-id3.mp3", 48000, 2, ["-b:a", "96k", "-metadata", `comment=${"x".repeat(70_000)}`]], // a tag over many chunks
      ["no-tag.mp3", 44100, 1, ["-b:a", "64k", "-write_xing", "0"]], // nothing to cut, by path either
    ];
    await Promise.all(
      layouts.map(async ([name, rate, channels, args]) => {
        const path = await convert(simpleWav(signal(Math.round(rate * 1.3), channels), "s16", rate).wav, name, ["-c:a", "libmp3lame", ...args]);
        const length = await checkPipedAsByPath(path);
        // 1.3 s at 16 kHz (libmp3lame's tag at 8 kHz leaves 15 samples more); without a tag, ffmpeg keeps the encoder's delay and padding by path too.
        if (name === "no-tag.mp3") expect(length).toBeGreaterThan(20800 + 500);
        else expect(Math.abs(length - 20800)).toBeLessThanOrEqual(30);
      }),
    );
  });

  /**
   * Made from an ffmpeg mp3 by byte surgery: junk before the first frame, a first frame with a CRC (its Xing
   * tag 2 bytes later), where ffmpeg 5.1 by path reads no tag and cuts nothing, and an ID3v2 tag of 17 MiB (cover
   * art), more than a stream's head holds: read past, the tag after it is read and the padding cut as by path; and
   * ID3v2 tags in a row (taggers' before the encoder's), which ffmpeg by path skips all of.
   */
  test.skipIf(skip)("an mp3 with junk before its first frame, a CRC in it, an ID3v2 tag of 17 MiB, or tags in a row: piped as by path", async () => {
    const made = await Bun.file(await convert(simpleWav(signal(Math.round(44100 * 1.3), 1), "s16", 44100).wav, "surgery.mp3", ["-c:a", "libmp3lame", "-b:a", "64k"])).bytes();
    const tagEnd = 10 + ((made[6]! << 21) | (made[7]! << 14) | (made[8]! << 7) | made[9]!);
    const frame = made.subarray(tagEnd, tagEnd + 208); // 64 kb/s at 44.1 kHz, no padding bit
    expect([...frame.subarray(0, 2), ...made.subarray(tagEnd + 208, tagEnd + 210), ...frame.subarray(206)]).toEqual([0xff, 0xfb, 0xff, 0xfb, 0, 0]);
    const withCrc = concat([made.subarray(0, tagEnd), new Uint8Array([0xff, 0xfa, frame[2]!, frame[3]!, 0x12, 0x34]), frame.subarray(4, 206), made.subarray(tagEnd + 208)]);
    const big = 17 << 20;
    const bigTag = new Uint8Array(10 + big);
    bigTag.set([...made.subarray(0, 6), ...[21, 14, 7, 0].map((shift) => (big >> shift) & 0x7f)]);
    const variants: [string, Uint8Array][] = [
      ["junk.mp3", concat([made.subarray(0, tagEnd), new Uint8Array(100).fill(0x55), made.subarray(tagEnd)])],
      ["crc.mp3", withCrc],
      ["big-id3.mp3", concat([bigTag, made.subarray(tagEnd)])],
      // taggers' tags before the encoder's: the second's header across the first two 4093-byte chunks, its end in the third
      ["three-id3.mp3", concat([paddedTag(made, 4088), paddedTag(made, 6000), made])],
      ["big-then-small-id3.mp3", concat([bigTag, made])],
    ];
    const lengths = await Promise.all(variants.map(([name, bytes]) => checkPipedAsByPath(writeTemp(name, bytes))));
    // By path ffmpeg cuts the delay and padding after the big tag, and nothing after junk or a CRC (1.3 s at 16 kHz is 20800).
    expect(lengths.map((n) => Math.abs(n - 20800) <= 30)).toEqual([false, false, true, true, true]);
    const cut = (async function* () { yield bigTag.subarray(0, 1 << 20); })();
    expect((await formatError(() => readAudioStream(cut, { name: "-" }))).message).toBe(`-: the stream ended inside its ID3v2 tag of ${10 + big} bytes, before any audio`);
  });

  /** An ID3v2 tag of `bytes` in all, its header that of the tag `mp3` starts with. */
  function paddedTag(mp3: Uint8Array, bytes: number): Uint8Array {
    const tag = new Uint8Array(bytes);
    tag.set([...mp3.subarray(0, 6), ...[21, 14, 7, 0].map((shift) => ((bytes - 10) >> shift) & 0x7f)]);
    return tag;
  }

  /** The mp3 at `path` piped (its bytes, and a stream in chunks of 4093 bytes) decodes to the samples of the file by path; returns their count. */
  async function checkPipedAsByPath(path: string): Promise<number> {
    const bytes = await Bun.file(path).bytes();
    const chunks = Array.from({ length: Math.ceil(bytes.length / 4093) }, (_, i) => bytes.subarray(i * 4093, (i + 1) * 4093));
    const [byPath, piped, streamed] = await Promise.all([
      readAudio(path),
      readAudio(bytes, { name: "-" }),
      readAudioStream((async function* () { yield* chunks; })(), { name: "-" }).then((s) => s.audio),
    ]);
    for (const other of [piped, streamed]) expectClose(other.samples, Array.from(byPath.samples), 0);
    return byPath.samples.length;
  }

  test.skipIf(skip)("a mu-law WAV falls back to ffmpeg", async () => {
    const frames = Array.from({ length: 8000 }, (_, i) => [0.5 * Math.sin((2 * Math.PI * 300 * i) / 8000)]);
    const path = await convert(simpleWav(frames, "s16", 8000).wav, "mulaw.wav", ["-c:a", "pcm_mulaw"]);
    expect(parseWav(await Bun.file(path).bytes(), "m").codec).toBe("mu-law (format tag 0x0007)");
    const audio = await readAudio(path);
    expect(audio.source).toMatchObject({ sampleRate: 8000, channels: 1, encoding: "pcm_mulaw", decoder: "ffmpeg" });
    expect(audio.samples.length).toBe(16000);
    let worst = 0;
    for (let i = 500; i < 15500; i++) worst = Math.max(worst, Math.abs(audio.samples[i]! - 0.5 * Math.sin((2 * Math.PI * 300 * i) / 16000)));
    expect(worst).toBeLessThan(0.03); // mu-law quantization and ffmpeg's resampler
  });

  test.skipIf(skip)("non-audio bytes and files without an audio stream", async () => {
    const text = writeTemp("notes.txt", new TextEncoder().encode("hello, this is not audio\n".repeat(20)));
    const error = await formatError(() => readAudio(text));
    expect(error.message).toStartWith(`${text}: not a WAV file`);
    expect(error.message).toContain("ffmpeg could not decode it");
    expect(error.message).not.toContain("\n");
    expect(error.message).not.toMatch(/@ 0x[0-9a-f]/); // ffmpeg's "[mp3 @ 0x55d0...]" prefixes are cleaned

    // An mp3 and an ogg of no audio (ffmpeg -t 0: headers, no frames): senko's words, not ffmpeg's ("End of file").
    for (const [name, head] of [["silent.mp3", "ID3."], ["silent.ogg", "OggS"]] as const) {
      const empty = join(dir, name);
      const made = Bun.spawn([ffmpegPath!, "-v", "error", "-y", "-f", "lavfi", "-i", "anullsrc=r=16000", "-t", "0", empty]);
      expect(await made.exited).toBe(0);
      const message = `${empty}: not a WAV file (it starts with "${head}", not "RIFF"/"RF64"), and ffmpeg finds no audio stream in it (an empty or damaged recording, or not audio at all)`;
      expect((await formatError(() => probeAudio(empty))).message).toBe(message);
      expect((await formatError(() => readAudio(empty))).message).toBe(message);
    }

    const png = join(dir, "image.png");
    const proc = Bun.spawn([ffmpegPath!, "-v", "error", "-y", "-f", "lavfi", "-i", "color=c=red:s=16x16", "-frames:v", "1", png]);
    expect(await proc.exited).toBe(0);
    expect((await formatError(() => readAudio(png))).message).toContain("it has no audio stream");
  });

  test.skipIf(skip)("a broken ffmpeg path is reported", async () => {
    const error = await formatError(() => readAudio(new TextEncoder().encode("OggS...."), { ffmpeg: join(dir, "no-such-ffmpeg"), name: "x.ogg" }));
    expect(error.message).toStartWith("x.ogg: ");
    expect(error.message).toContain("running");
  });
});
