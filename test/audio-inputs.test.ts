/**
 * The kinds of audio input a Bun user has (src/audio/encoded-input.ts): an ArrayBuffer or Uint8Array of a file,
 * a Bun.file(), any other Blob, a file: URL. Each reads as the file's path does (bytes that are not WAV are piped
 * to ffmpeg, no temporary file); other URL schemes are a clear AudioFormatError.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { spawnSync } from "node:child_process";
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { probeAudio, readAudio, type AudioData, type AudioFileInput, type AudioInput } from "../src/audio/index.ts";
import { Diarizer } from "../src/diarizer.ts";
import { AudioFormatError } from "../src/errors.ts";
import { AMI_DIR, withoutAmi } from "./helpers/fixtures.ts";

const DEV00 = join(AMI_DIR, "dev00.wav");
const noAmi = withoutAmi("audio-inputs.test.ts");
let dir: string;
let flac: string;

beforeAll(() => {
  // A space in the folder's name: a file: URL writes it %20.
  dir = mkdtempSync(join(tmpdir(), "senko inputs-"));
  flac = join(dir, "ten s.flac");
  if (noAmi) return;
  const made = spawnSync("ffmpeg", ["-v", "error", "-i", DEV00, "-t", "10", "-c:a", "flac", flac]);
  expect(made.status).toBe(0);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const bytesOf = (path: string) => new Uint8Array(readFileSync(path));
const same = (a: AudioData, b: AudioData) => {
  expect(a.samples.length).toBe(b.samples.length);
  expect(Buffer.from(a.samples.buffer, a.samples.byteOffset, a.samples.byteLength).equals(Buffer.from(b.samples.buffer, b.samples.byteOffset, b.samples.byteLength))).toBe(true);
  expect(a.source.encoding).toBe(b.source.encoding);
};

test.skipIf(noAmi).each([
  ["WAV", () => DEV00],
  ["FLAC (ffmpeg)", () => flac],
])("%s: an ArrayBuffer, a Uint8Array, a Bun.file(), a Blob, a File and a file: URL read and probe as the path does", async (_, pathOf) => {
  const path = pathOf();
  const byPath = await readAudio(path);
  const probed = await probeAudio(path);
  const bytes = bytesOf(path);
  const inputs: [AudioInput, string][] = [
    [bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength), "<bytes>"],
    [bytes, "<bytes>"],
    [Bun.file(path), path],
    [new Blob([bytes]), "<bytes>"],
    [new File([bytes], "talk.audio"), "talk.audio"],
    [pathToFileURL(path), path],
  ];
  for (const [input, name] of inputs) {
    const read = await readAudio(input);
    same(read, byPath);
    expect(read.source.name).toBe(name);
    expect(await probeAudio(input as AudioFileInput)).toEqual({ ...probed, name });
  }
  // A slice of a Bun.file() keeps the file's name, but is read as the bytes it holds, not the whole file.
  // (A WAV cut in half says so; FLAC decodes to what is there.)
  const half = await readAudio(Bun.file(path).slice(0, Math.floor(bytes.length / 2))).catch((error: Error) => error);
  if (half instanceof Error) expect(half.message).toStartWith("<bytes>: truncated WAV data");
  else {
    expect(half.source.name).toBe("<bytes>");
    expect(half.samples.length).toBeLessThan(0.6 * byPath.samples.length);
  }
  // The caller's name wins.
  expect((await readAudio(Bun.file(path), { name: "mine" })).source.name).toBe("mine");
});

test("problems name the input: a missing Bun.file() or file: URL, an http: URL, bytes that are no audio", async () => {
  const refusal = async (input: unknown) => {
    try {
      await readAudio(input as AudioInput, { ffmpeg: false });
      return "read";
    } catch (error) {
      expect(error).toBeInstanceOf(AudioFormatError);
      return (error as Error).message;
    }
  };
  const missing = join(dir, "missing.wav");
  expect(await refusal(Bun.file(missing))).toBe(`${missing}: file not found`);
  expect(await refusal(pathToFileURL(missing))).toBe(`${missing}: file not found`);
  expect(await refusal(new URL("https://example.com/talk.wav"))).toBe(
    "https://example.com/talk.wav: only file: URLs are read; fetch a https: URL yourself and pass its bytes (new Uint8Array(await (await fetch(url)).arrayBuffer()))",
  );
  expect(await refusal(new URL("file://server/share/talk.wav"))).toStartWith("file://server/share/talk.wav: not a file URL of this machine (");
  expect(await refusal(new File([new TextEncoder().encode("hello there")], "notes.txt"))).toStartWith('notes.txt: not a WAV file (it starts with "hell"');
  expect(await refusal(new ArrayBuffer(0))).toBe("<bytes>: is empty (0 bytes)");
  expect(await refusal(new Blob([]))).toBe("<bytes>: is empty (0 bytes)");
  expect(await refusal(42)).toStartWith("<input>: audio input must be a file path or file: URL, a Bun.file() or Blob");
  // probeAudio says the same of the same inputs, and takes files only.
  const probeRefusal = (input: unknown) => probeAudio(input as AudioFileInput, { ffmpeg: false }).then(() => "probed", (error: Error) => `${error.name}: ${error.message}`);
  expect(await probeRefusal(Bun.file(missing))).toBe(`AudioFormatError: ${missing}: file not found`);
  expect(await probeRefusal(pathToFileURL(missing))).toBe(`AudioFormatError: ${missing}: file not found`);
  expect(await probeRefusal(new URL("https://example.com/talk.wav"))).toStartWith("AudioFormatError: https://example.com/talk.wav: only file: URLs are read");
  expect(await probeRefusal(new Blob([]))).toBe("AudioFormatError: <bytes>: is empty (0 bytes)");
  expect(await probeRefusal(new File([new TextEncoder().encode("hello there")], "notes.txt"))).toStartWith('AudioFormatError: notes.txt: not a WAV file (it starts with "hell"');
  expect(await probeRefusal({ samples: new Float32Array(16000), sampleRate: 16000 })).toBe(
    "AudioFormatError: <input>: probeAudio takes an audio file: its path or file: URL, a Bun.file() or Blob, or a Uint8Array or ArrayBuffer of its bytes",
  );
});

test.skipIf(noAmi)("diarize takes a Bun.file() and a file: URL", async () => {
  const copy = join(dir, "dev00 copy.wav");
  copyFileSync(DEV00, copy);
  await using diarizer = new Diarizer({ pipeline: "vad-windows", threads: 2 });
  const byPath = await diarizer.diarize(copy);
  for (const input of [Bun.file(copy), pathToFileURL(copy)]) {
    const result = await diarizer.diarize(input);
    expect(JSON.stringify(result.mergedSegments)).toBe(JSON.stringify(byPath.mergedSegments));
  }
});
