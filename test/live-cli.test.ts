/**
 * `senko --live`, run as a child process: a WAV stream and raw PCM on stdin, a file still being written
 * ended by Ctrl-C (SIGINT), the view on a terminal, and the usage errors. The result written with --out
 * is the result `diarize` gives for the audio read.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { appendFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { AMI_DIR, withoutAmi } from "./helpers/fixtures.ts";
import { readAudio } from "../src/audio/index.ts";
import { Diarizer } from "../src/diarizer.ts";
import { toJson } from "../src/output/writers.ts";
import { pcmData } from "../src/audio/wav-stream.ts";
import { fileChunks } from "../src/live/input.ts";
import { TerminalView } from "../src/live/view.ts";
import type { LiveSnapshot } from "../src/live/session.ts";
import { concatBytes, fmtChunk, pcm16, wavChunk, wavFile, wavFloat } from "./helpers/wav.ts";

const root = resolve(import.meta.dir, "..");
const bun = join(root, "node_modules", ".bin", "bun");
const noAmi = withoutAmi("live-cli.test.ts");
let dir: string;
let samples: Float32Array;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "senko-live-cli-"));
  samples = noAmi ? new Float32Array(0) : (await readAudio(join(AMI_DIR, "dev00.wav"))).samples;
});
afterAll(async () => {
  await Promise.all([...batchDiarizers.values()].map((d) => d.close()));
  rmSync(dir, { recursive: true, force: true });
});

function spawn(args: string[], stdin: "pipe" | "ignore" | Uint8Array = "ignore") {
  return Bun.spawn([bun, "run", join(root, "diarize.ts"), ...args], {
    cwd: dir,
    stdin: stdin instanceof Uint8Array ? new Blob([stdin]) : stdin,
    stdout: "pipe",
    stderr: "pipe",
    env: { ...process.env, SENKO_DEBUG: undefined },
  });
}

async function finished(proc: ReturnType<typeof spawn>) {
  const [code, stdout, stderr] = await Promise.all([proc.exited, new Response(proc.stdout).text(), new Response(proc.stderr).text()]);
  return { code, stdout, stderr };
}

type Pipeline = "vad-windows" | "overlap-aware";
/** One Diarizer per pipeline for the batch results the tests compare with (models loaded once), closed after all. */
const batchDiarizers = new Map<Pipeline, Diarizer>();

/** The JSON `diarize` gives for `audio`, without its timing (which differs run to run). */
async function batchJson(audio: Float32Array, pipeline: Pipeline = "overlap-aware"): Promise<unknown> {
  if (!batchDiarizers.has(pipeline)) batchDiarizers.set(pipeline, new Diarizer({ pipeline, quiet: true }));
  const diarizer = batchDiarizers.get(pipeline)!;
  return withoutTiming(JSON.parse(toJson(await diarizer.diarize(audio, { sampleRate: 16000 }), "-")));
}

function withoutTiming(json: Record<string, unknown>): unknown {
  const { timingStats: _, source: __, ...rest } = json;
  return rest;
}

/** The stderr of `proc`: `started` resolves once it says it listens, `text` with all of it at the end. */
function listening(proc: ReturnType<typeof spawn>): { started: Promise<void>; text: Promise<string> } {
  const { promise: started, resolve: said } = Promise.withResolvers<void>();
  const text = (async () => {
    let all = "";
    for await (const chunk of proc.stderr.pipeThrough(new TextDecoderStream())) {
      all += chunk;
      if (all.includes("senko: live: listening")) said();
    }
    return all;
  })();
  return { started, text };
}

const turnLine = /^\d\d:\d\d:\d\d\.\d\d - \d\d:\d\d:\d\d\.\d\d {2}SPEAKER_\d\d$/;

// Each test runs its own processes on files of its own: at once.
describe.concurrent.skipIf(noAmi)("senko --live", () => {
  test(
    "a WAV stream on stdin: a line per final turn on stdout, and --out holds the batch result; a header of another layout after it ends it with a warning",
    async () => {
      const stereo = wavFile([fmtChunk({ tag: 1, channels: 2, rate: 48000, bits: 16 }), wavChunk("data", new Uint8Array(48000 * 4))]);
      const run = await finished(spawn(["--live", "-", "--out", "live.json", "--rttm", "live.rttm"], concatBytes([wavFloat(samples), stereo])));
      expect(run.stderr).toContain("senko: live: 30.0 s of audio");
      expect(run.stderr).toContain("the result (as for the whole recording) is in live.json and live.rttm");
      // The same message `senko -` ends with as an error: here the turns were shown, and the result is of the audio before.
      expect(run.stderr).toContain(
        "senko: warning: -: the WAV stream starts over 30.00 s in with a header of another layout (48000 Hz, 2 channel(s), pcm_s16 after 16000 Hz, 1 channel(s), float32), which one recording cannot have; the result is of the audio read before\n",
      );
      expect(run.code).toBe(0);
      const lines = run.stdout.trimEnd().split("\n");
      expect(lines.length).toBeGreaterThan(0);
      for (const l of lines) expect(l).toMatch(turnLine);
      const live = JSON.parse(readFileSync(join(dir, "live.json"), "utf8"));
      expect(live.pipeline).toBe("overlap-aware");
      expect(withoutTiming(live)).toEqual(await batchJson(samples));
      expect(readFileSync(join(dir, "live.rttm"), "utf8")).toStartWith("SPEAKER stdin 1 ");
    },
  );

  test(
    "--pipeline vad-windows piped into head -n 1: --out-dir (made before the session starts) holds the vad-windows batch result",
    async () => {
      // The reader of the turns goes away after the first: no EPIPE trace, the session runs to the stream's end.
      writeFileSync(join(dir, "in.wav"), wavFloat(samples));
      const live = ["run", join(root, "diarize.ts"), "--live", "-", "--pipeline", "vad-windows", "--out-dir", "new/recipe", "--format", "json,rttm", "-q"];
      const shell = Bun.spawn(["sh", "-c", `("$0" "$@" < in.wav 2> head.err; echo $? > head.code) | head -n 1`, bun, ...live], { cwd: dir, stdout: "pipe", env: { ...process.env, SENKO_DEBUG: undefined } });
      const [, firstLine] = await Promise.all([shell.exited, new Response(shell.stdout).text()]);
      expect(firstLine).toMatch(/^\d\d:\d\d:\d\d\.\d\d - .*\n$/);
      expect(readFileSync(join(dir, "head.err"), "utf8")).toBe("");
      expect(readFileSync(join(dir, "head.code"), "utf8")).toBe("0\n");
      expect(readFileSync(join(dir, "new", "recipe", "stdin.rttm"), "utf8")).toStartWith("SPEAKER stdin 1 ");
      const json = JSON.parse(readFileSync(join(dir, "new", "recipe", "stdin.json"), "utf8"));
      expect(json.pipeline).toBe("vad-windows");
      expect(withoutTiming(json)).toEqual(await batchJson(samples, "vad-windows"));
    },
    90_000,
  );

  test(
    "raw PCM from a named pipe (--raw-rate, --raw-format, --raw-channels)",
    async () => {
      // A FIFO (mkfifo) is read as the stream it is, as stdin is (a file's reads would seek: ESPIPE).
      const fifo = join(dir, "raw.fifo");
      expect(Bun.spawnSync(["mkfifo", fifo]).exitCode).toBe(0);
      // 8 kHz stereo s16: every other 16 kHz sample, twice.
      const frames = Math.floor(samples.length / 2);
      const stereo = new Float32Array(2 * frames);
      for (let f = 0; f < frames; f++) stereo[2 * f] = stereo[2 * f + 1] = samples[2 * f]!;
      // Cut off inside a frame (2 of its 4 bytes), as a stream closed early may be: said, not hidden.
      const bytes = pcm16(stereo.subarray(0, stereo.length - 1));
      const proc = spawn(["--live", fifo, "--raw-rate", "8000", "--raw-format", "s16le", "--raw-channels", "2", "--out", "raw.json"]);
      // Opening a FIFO to write waits for its reader: asynchronously, so the test's own reads go on.
      const [run] = await Promise.all([finished(proc), writeFile(fifo, bytes)]);
      expect(run.stderr).toContain(`senko: warning: ${fifo}: the audio ended inside a frame: ignored the last 2 of its 4 bytes\n`);
      expect(run.code).toBe(0);
      const json = JSON.parse(readFileSync(join(dir, "raw.json"), "utf8"));
      expect(json.durationSec).toBeCloseTo((frames - 1) / 8000, 3);
      expect(json.mergedSpeakersDetected).toBeGreaterThan(0);
    },
  );

  test(
    "a file still being written, ended by its terminal closing (SIGHUP) or Ctrl-C: the result of the audio read until then; raw PCM gives a page without a player",
    async () => {
      const file = join(dir, "recording.wav");
      // The same audio as raw PCM, followed until Ctrl-C: its page cannot play those bytes, so it has no player.
      const rawFile = join(dir, "recording.f32");
      writeFileSync(rawFile, new Uint8Array(0));
      const rawProc = spawn(["--live", rawFile, "--raw-rate", "16000", "--raw-format", "f32le", "--out", "raw.html"]);
      // A header whose sizes are left open, as a recorder writes it, then the audio a second at a time.
      const header = wavFloat(new Float32Array(0));
      const view = new DataView(header.buffer);
      view.setUint32(4, 0xffffffff, true);
      view.setUint32(40, 0xffffffff, true);
      writeFileSync(file, header);
      const proc = spawn(["--live", file, "--out", "growing.json"]);
      const bytes = new Uint8Array(samples.buffer);
      const stderr = listening(proc);
      const rawStderr = listening(rawProc);
      await Promise.all([stderr.started, rawStderr.started]);
      for (let second = 0; second < 20; second++) {
        appendFileSync(file, bytes.subarray(second * 64000, (second + 1) * 64000));
        appendFileSync(rawFile, bytes.subarray(second * 64000, (second + 1) * 64000));
        await Bun.sleep(100);
      }
      // A meeting recorder's terminal closed (or its SSH connection dropped): the result is not lost, and
      // nothing more is written to the terminal that is gone.
      await Bun.sleep(500);
      proc.kill("SIGHUP");
      rawProc.kill("SIGINT");
      const [code, stdout] = await Promise.all([proc.exited, new Response(proc.stdout).text()]);
      expect(await rawProc.exited).toBe(0);
      expect(await rawStderr.text).toContain("the result (as for the whole recording) is in raw.html");
      expect(/"audio":(null|"data:[^;,]*)/.exec(readFileSync(join(dir, "raw.html"), "utf8"))?.[1]).toBe("null");
      // Nothing after SIGHUP (no result line for the terminal that is gone). A test process held up 2 s (a loaded
      // machine) before its SIGHUP lets the one idle notice come first: it belongs to the following, not the end.
      const said = (await stderr.text).trimEnd().split("\n").filter((l) => !l.endsWith("has not grown for 2 s: waiting for more (Ctrl-C ends and writes the result)"));
      expect(said.at(-1)).toStartWith("senko: live: listening to ");
      expect(code).toBe(0);
      expect(stdout.split("\n").filter(Boolean).every((l) => turnLine.test(l))).toBe(true);
      // What was read before Ctrl-C (a whole number of float samples) is diarized as batch would.
      const json = JSON.parse(readFileSync(join(dir, "growing.json"), "utf8"));
      const read = Math.round(json.durationSec * 16000);
      expect(read).toBeGreaterThan(16000);
      expect(withoutTiming(json)).toEqual(await batchJson(samples.subarray(0, read)));
    },
    90_000,
  );

  test(
    "a file being recorded ends by itself once its header declares the end the file has reached",
    async () => {
      const seconds = 12;
      const bytes = new Uint8Array(samples.buffer, 0, seconds * 64000);
      const header = (dataBytes: number) => {
        const h = wavFloat(new Float32Array(0));
        const view = new DataView(h.buffer);
        view.setUint32(4, 36 + dataBytes, true);
        view.setUint32(40, dataBytes, true);
        return h;
      };
      // Two recorders: one fills in the sizes when it stops (arecord, ffmpeg, sox to a file), one after
      // every write (Python's wave module), so its header declares an end long before the last.
      const atEnd = join(dir, "sizes-at-end.wav");
      const everyWrite = join(dir, "sizes-every-write.wav");
      writeFileSync(atEnd, header(0));
      writeFileSync(everyWrite, header(128000));
      appendFileSync(everyWrite, bytes.subarray(0, 128000));
      // A third is cut short by its writer (truncated to nothing, as a recorder started again over it does).
      const cut = join(dir, "cut.wav");
      const openSizes = header(0);
      new DataView(openSizes.buffer).setUint32(4, 0xffffffff, true);
      new DataView(openSizes.buffer).setUint32(40, 0xffffffff, true);
      const cutBytes = bytes.subarray(0, 3 * 64000);
      writeFileSync(cut, concatBytes([openSizes, cutBytes]));
      const procs = [
        spawn(["--live", atEnd, "--out-dir", "at-end", "--format", "json,html"]),
        spawn(["--live", everyWrite, "--out", "every-write.json"]),
        spawn(["--live", cut, "--out", "cut.html"]),
      ];
      // Recording goes on once both listen, as it would for a live session started before the end.
      const stderrs = procs.map((proc) => listening(proc));
      await Promise.all(stderrs.map((s) => s.started));
      for (let second = 0; second < seconds; second++) {
        const chunk = bytes.subarray(second * 64000, (second + 1) * 64000);
        appendFileSync(atEnd, chunk);
        if (second >= 2) {
          appendFileSync(everyWrite, chunk);
          writeFileSync(everyWrite, header((second + 1) * 64000), { flag: "r+" });
        }
        await Bun.sleep(100);
      }
      writeFileSync(atEnd, header(bytes.length), { flag: "r+" });
      const expected = await batchJson(samples.subarray(0, seconds * 16000));
      for (const [i, out] of ["at-end/sizes-at-end.json", "every-write.json"].entries()) {
        expect(await procs[i]!.exited).toBe(0);
        expect(await stderrs[i]!.text).toContain(`senko: live: ${seconds}.0 s of audio`);
        // The files, not the directory: --out-dir names where they go, not what they are called.
        expect(await stderrs[i]!.text).toContain(`is in ${i === 0 ? "at-end/sizes-at-end.json and at-end/sizes-at-end.html" : "every-write.json"}`);
        expect(withoutTiming(JSON.parse(readFileSync(join(dir, out), "utf8")))).toEqual(expected);
      }
      // Cut short: the session ends there with the result of what was read, said in one line (not lost to an error).
      writeFileSync(cut, "");
      expect(await procs[2]!.exited).toBe(0);
      const cutStderr = await stderrs[2]!.text;
      expect(cutStderr).toContain(`senko: warning: ${cut}: the file was cut short while it was read (${cutBytes.length + 44} bytes read, now 0): the result is of the audio read before\n`);
      expect(cutStderr).toContain("senko: live: 3.0 s of audio");
      // The page has no player: the file no longer holds that audio.
      expect(readFileSync(join(dir, "cut.html"), "utf8")).not.toContain('"audio":"data:audio/wav');
      // The page plays the recording, whole by now (small: embedded).
      const page = readFileSync(join(dir, "at-end", "sizes-at-end.html"), "utf8");
      const embedded = /"audio":"data:audio\/wav;base64,([^"]*)"/.exec(page)?.[1];
      expect(embedded === Buffer.from(readFileSync(atEnd)).toString("base64") ? "the recording" : embedded?.slice(0, 40)).toBe("the recording");
    },
  );

  test("usage errors: one line, exit code 2, no output; Ctrl-C before any audio: one line, no output", async () => {
    const cases: [string[], string, Uint8Array?][] = [
      [["x.wav", "--raw-rate", "8000"], "senko: --raw-rate, --raw-format and --raw-channels go with --live"],
      [["--live", "-", "--raw-format", "s16le"], "senko: --raw-format and --raw-channels need --raw-rate <hz>"],
      [["--live", "-", "--raw-rate", "8000", "--raw-format", "mp3"], "senko: --raw-format must be one of u8, s16le, s24le, s32le, f32le, f64le, got \"mp3\""],
      [["--live", "-", "--raw-rate", "8000", "--raw-format", "constructor"], "senko: --raw-format must be one of u8, s16le, s24le, s32le, f32le, f64le, got \"constructor\""],
      [["--live", "a.wav", "b.wav"], "senko: --live takes one input"],
      [["--live", "-", "--format", "json"], "senko: --live prints the turns on stdout as they settle; its final result goes to --out <file> or --out-dir <dir>"],
      [["--live", "-", "--out", "-"], "senko: --live prints the turns on stdout as they settle"],
      [["--live", "missing.wav", "--out", "m.json"], "senko: missing.wav: file not found"],
      [["--live", ".", "--out", "m.json"], "senko: .: is a directory, not an audio file"],
      [["--live", "-", "--out", "n.json"], "senko: -: not a WAV file", new TextEncoder().encode("hello, this is not audio at all")],
      [["--live", "-", "--out", "e.json"], "senko: -: no bytes on stdin", new Uint8Array(0)],
      [["--live", "-", "--raw-rate", "16000", "--out", "w.json"], "senko: -: a WAV stream, not raw PCM: leave out --raw-rate", wavFloat(samples.subarray(0, 16000))],
      [["--live", "-", "--raw-rate", "16000", "--raw-channels", "70000"], "senko: --raw-channels must be from 1 to 65535, got 70000"],
    ];
    // Ctrl-C before the stream's first byte: nothing to give a result for (not "no bytes on stdin"), ended by SIGINT.
    const early = spawn(["--live", "-", "--out", "early.json"], "pipe");
    const earlyStderr = listening(early);
    // All at once: each is a process of its own.
    const runs = await Promise.all(cases.map(([args, , stdin]) => finished(spawn(args, stdin))));
    for (const [i, run] of runs.entries()) {
      expect(run.stderr.trim().split("\n").at(-1)!).toStartWith(cases[i]![1]);
      expect(run.code).toBe(2);
    }
    expect(existsSync(join(dir, "m.json")) || existsSync(join(dir, "n.json")) || existsSync(join(dir, "e.json")) || existsSync(join(dir, "w.json"))).toBe(false);
    await earlyStderr.started;
    early.kill("SIGINT");
    await early.exited;
    expect(early.signalCode).toBe("SIGINT");
    expect((await earlyStderr.text).trimEnd().split("\n").at(-1)).toBe("senko: live: interrupted (Ctrl-C) before any audio arrived: no result written");
    expect(existsSync(join(dir, "early.json"))).toBe(false);
    // A WAV stream of a codec no --raw-format reads (and --raw-rate on a WAV stream is refused, above): ffmpeg is the way.
    const alaw = wavFile([fmtChunk({ tag: 6, channels: 1, rate: 8000, bits: 8 }), wavChunk("data", new Uint8Array(8000))]);
    await expect(Array.fromAsync(pcmData((async function* () { yield alaw; })(), "-", undefined, true))).rejects.toThrow("-: A-law (format tag 0x0006) cannot be read live; convert it as it arrives: ffmpeg -i <input> -f wav -acodec pcm_s16le - | senko --live -");
  }, 90_000);
});

// Alone: its second Ctrl-C must come while the result is made, which processes beside it could make too late or too early.
test.skipIf(noAmi)(
  "a second Ctrl-C while the final result is made: one line, no result and no temporary file, ended by SIGINT",
  async () => {
    writeFileSync(join(dir, "twice.json"), "previous result\n");
    const proc = spawn(["--live", "-", "--out", "twice.json", "--rttm", "twice.rttm"], "pipe");
    const stderr = new Response(proc.stderr).text();
    const stdin = proc.stdin as import("bun").FileSink;
    stdin.write(wavFloat(samples));
    stdin.flush();
    // Once the first turn is out, the stream is being diarized: Ctrl-C twice, the second while the result is made.
    const reader = proc.stdout.getReader();
    for (let chunk = await reader.read(); !chunk.done && !new TextDecoder().decode(chunk.value).includes("\n"); chunk = await reader.read());
    proc.kill("SIGINT");
    await Bun.sleep(50);
    proc.kill("SIGINT");
    await proc.exited;
    expect(proc.signalCode).toBe("SIGINT");
    expect((await stderr).trimEnd().split("\n").at(-1)).toBe("senko: live: interrupted (Ctrl-C) again: no result written");
    expect(readFileSync(join(dir, "twice.json"), "utf8")).toBe("previous result\n");
    expect(existsSync(join(dir, "twice.rttm"))).toBe(false);
    expect(readdirSync(dir).filter((f) => f.endsWith(".tmp"))).toEqual([]);
  },
);

test.skipIf(noAmi)("an input or option --live cannot take is refused before any model loads: one line, exit 2, at once, no output", async () => {
  const flac = join(dir, "in.flac");
  const encode = Bun.spawn(["ffmpeg", "-loglevel", "error", "-y", "-f", "f32le", "-ar", "16000", "-ac", "1", "-i", "-", flac], { stdin: new Blob([samples.subarray(0, 16000 * 5)]) });
  expect(await encode.exited).toBe(0);
  const notWav = "not a WAV file (no RIFF/RF64 WAVE header); --live reads a WAV stream, or raw PCM with --raw-rate and --raw-format; convert other formats as they arrive: ffmpeg -i <input> -f wav -acodec pcm_s16le - | senko --live -";
  // Fewer bytes than a WAV header, but not the start of one: refused at once, not waited on.
  const short = join(dir, "short.wav");
  writeFileSync(short, "hi");
  const cases: [string[], string, Uint8Array?][] = [
    [["--live", flac, "--out", "flac.json"], `senko: ${flac}: ${notWav}`],
    [["--live", "-", "--out", "junk.json"], `senko: -: ${notWav}`, new TextEncoder().encode("hello, this is not audio at all")],
    [["--live", "-", "--out", "hello.json"], `senko: -: ${notWav}`, new TextEncoder().encode("hello\n")],
    [["--live", short, "--out", "short.json"], `senko: ${short}: ${notWav}`],
    [["--live", "-", "--pipeline", "vad-windows", "--vad", "pyannote", "--out", "vad.json"], "senko: live diarization runs the Silero VAD only (--vad pyannote): use --vad silero", wavFloat(samples.subarray(0, 16000))],
  ];
  for (const [args, message, stdin] of cases) {
    const start = performance.now();
    const run = await finished(spawn(args, stdin));
    const seconds = (performance.now() - start) / 1000;
    // Loading the models prints where they run ("senko: campplus runs on the CPU"): the refusal comes alone.
    // Refused after the models loaded, each case took 1.2-1.7 s here (models cached, load 3), now 0.05-0.3 s.
    expect(run.stderr).toBe(`${message}\n`);
    expect(run.code).toBe(2);
    expect(seconds).toBeLessThan(1);
  }
  expect(["flac.json", "junk.json", "hello.json", "short.json", "vad.json"].filter((f) => existsSync(join(dir, f)))).toEqual([]);
}, 30_000);

test("pcmData: a stream that starts over with a new header (arecord every 2 GiB) is read on; one of another layout is refused; anything else ends at the declared end; a compressed file is not taken for raw PCM", async () => {
  const a = Int16Array.from({ length: 1001 }, (_, i) => i);
  const b = Int16Array.from({ length: 700 }, (_, i) => -i);
  const fmt = fmtChunk({ tag: 1, channels: 1, rate: 16000, bits: 16 });
  const first = wavFile([fmt, wavChunk("data", pcm16Raw(a))]);
  const read = async (bytes: Uint8Array, piece: number) => {
    const chunks = (async function* () {
      for (let at = 0; at < bytes.length; at += piece) yield bytes.subarray(at, at + piece);
    })();
    const out: Uint8Array[] = [];
    for await (const [layout, data] of pcmData(chunks, "-", undefined, true)) {
      expect(layout).toEqual({ sampleRate: 16000, channels: 1, encoding: "pcm_s16" });
      out.push(data.slice());
    }
    return new Int16Array(concatBytes(out).buffer);
  };
  const both = Array.from(a).concat(Array.from(b));
  for (const piece of [7, 1000, 1 << 20]) {
    // arecord: a fresh header where the declared data ends.
    expect(Array.from(await read(concatBytes([first, wavFile([fmt, wavChunk("data", pcm16Raw(b))])]), piece))).toEqual(both);
    // A trailing chunk after the data is not audio; a header of another layout cannot go on the same recording.
    expect(Array.from(await read(concatBytes([first, listChunk]), piece))).toEqual(Array.from(a));
    const stereo = wavFile([fmtChunk({ tag: 1, channels: 2, rate: 16000, bits: 16 }), wavChunk("data", pcm16Raw(b))]);
    await expect(read(concatBytes([first, stereo]), piece)).rejects.toThrow("-: the WAV stream starts over 0.06 s in with a header of another layout (16000 Hz, 2 channel(s), pcm_s16 after 16000 Hz, 1 channel(s), pcm_s16), which one recording cannot have");
    // 8-bit data of odd length is followed by a pad byte before the next header.
    const u8 = fmtChunk({ tag: 1, channels: 1, rate: 16000, bits: 8 });
    const odd = concatBytes([wavFile([u8, wavChunk("data", Uint8Array.from({ length: 5 }, (_, i) => 100 + i))]), wavFile([u8, wavChunk("data", Uint8Array.of(7, 8))])]);
    const bytes: number[] = [];
    for await (const [, data] of pcmData((async function* () { for (let at = 0; at < odd.length; at += piece) yield odd.subarray(at, at + piece); })(), "-", undefined, true)) bytes.push(...data);
    expect(bytes).toEqual([100, 101, 102, 103, 104, 7, 8]);
  }
  // A compressed file is no PCM: read as raw PCM, as this message once suggested, its bytes would be noise.
  const flac = Uint8Array.from("fLaC\0\0\0\x22\x10\0\x10\0\0\0\0\0", (c) => c.charCodeAt(0));
  await expect(Array.fromAsync(pcmData((async function* () { yield flac; })(), "talk.flac", undefined, false))).rejects.toThrow(
    "talk.flac: not a WAV file (no RIFF/RF64 WAVE header); --live reads a WAV stream, or raw PCM with --raw-rate and --raw-format; convert other formats as they arrive: ffmpeg -i <input> -f wav -acodec pcm_s16le - | senko --live -",
  );
});

const pcm16Raw = (x: Int16Array) => new Uint8Array(x.buffer.slice(0));
const listChunk = Uint8Array.from("LIST\x10\x00\x00\x00INFOISFT senko t", (c) => c.charCodeAt(0));

test("TerminalView: redraws the latest turns in place, rate-limited, marks the open ones", () => {
  let text = "";
  let now = 0;
  const view = new TerminalView({ write: (s) => (text += s), columns: 60, rows: 5, interval: 250, now: () => now });
  const snapshot = (durationSec: number, finalSec: number): LiveSnapshot => {
    const turns = [0, 3, 6, 9].filter((s) => s < durationSec).map((s) => ({ start: s, end: s + 2, speaker: `SPEAKER_0${(s / 3) % 2 ? 2 : 1}`, final: s + 2 <= finalSec }));
    return { durationSec, turns, finalSec, settled: [], speakers: [...new Set(turns.map((t) => t.speaker))] };
  };
  view.show(snapshot(4, 2));
  // The status keeps its times whole: the hint goes first when the terminal is narrow.
  expect(text).toBe("live: 00:00:04.00 heard, 2 speakers, final to 00:00:02.00\n  00:00:00.00 - 00:00:02.00  SPEAKER_01\n~ 00:00:03.00 - 00:00:05.00  SPEAKER_02\n");
  let wide = "";
  new TerminalView({ write: (s) => (wide += s), columns: 80 }).show(snapshot(4, 2));
  expect(wide.split("\n")[0]).toBe("live: 00:00:04.00 heard, 2 speakers, final to 00:00:02.00  (~ may still change)");
  text = "";
  now = 100;
  view.show(snapshot(7, 5));
  expect(text).toBe("");
  now = 300;
  view.show(snapshot(10, 5));
  // Back over the 3 lines drawn, cleared, then the status and the last rows - 2 = 3 turns.
  expect(text).toStartWith("\x1b[3F\x1b[J");
  expect(text.split("\n").length - 1).toBe(4);
  text = "";
  view.end(snapshot(12, 12));
  expect(text).toStartWith("\x1b[4F\x1b[Jended: 00:00:12.00 heard, 2 speakers\n");
  expect(text).not.toContain("~");
});

/** The lines a terminal of `columns` shows after `text`: wraps, newlines, ESC[nF (n lines up, column 0), ESC[J (clear below). */
function terminalLines(text: string, columns: number): string[] {
  const lines = [""];
  let row = 0;
  for (let i = 0; i < text.length; i++) {
    const escape = /^\x1b\[(\d*)([FJ])/.exec(text.slice(i));
    if (escape?.[2] === "F") row = Math.max(0, row - Number(escape[1] || 1));
    else if (escape) lines.splice(row, lines.length - row, ""); // the cursor is at column 0 after F
    if (escape) {
      i += escape[0].length - 1;
      continue;
    }
    // A newline, or a character past the last column: the next row.
    if (text[i] === "\n" || lines[row]!.length === columns) lines[++row] ??= "";
    if (text[i] !== "\n") lines[row] = lines[row]! + text[i]!;
  }
  return lines.slice(0, row);
}

test("TerminalView: a note in the session (the idle notice) goes above the view, which is drawn again whole under it", () => {
  let text = "";
  let now = 0;
  const view = new TerminalView({ write: (s) => (text += s), columns: 40, rows: 6, interval: 250, now: () => now });
  const snapshot = (durationSec: number): LiveSnapshot => ({ durationSec, finalSec: 0, settled: [], speakers: ["SPEAKER_01"], turns: [{ start: 0, end: durationSec, speaker: "SPEAKER_01", final: false }] });
  view.show(snapshot(4));
  now = 100;
  view.show(snapshot(5)); // skipped (too soon), but the latest
  const notice = "senko: live: talk.wav: has not grown for 2 s and holds 1644 of the 32044 bytes its header declares";
  view.note(notice); // 97 characters: three rows of 40
  now = 400;
  view.show(snapshot(6));
  const status = (heard: string) => `live: 00:00:${heard} heard, 1 speaker, final to 00:00:00.00`.slice(0, 39);
  expect(terminalLines(text, 40)).toEqual([notice.slice(0, 40), notice.slice(40, 80), notice.slice(80), status("06.00"), "~ 00:00:00.00 - 00:00:06.00  SPEAKER_01"]);
  // Under the note, the latest snapshot (5 s), not the last drawn.
  expect(text.split(notice)[1]!).toStartWith(`\n${status("05.00")}\n`);
});

test("a file followed as it grows ends, with a warning, when it is replaced or removed (not followed for ever)", async () => {
  for (const how of ["replaced by another", "removed"]) {
    const path = join(dir, `followed-${how.length}.raw`);
    writeFileSync(path, new Uint8Array(1000));
    const stop = new AbortController();
    const warnings: string[] = [];
    let read = 0;
    const done = (async () => {
      for await (const chunk of fileChunks(path, stop.signal, { wav: false, warn: (w) => warnings.push(w), pollMs: 10 })) read += chunk.length;
      return "ended";
    })();
    await Bun.sleep(50);
    appendFileSync(path, new Uint8Array(500));
    await Bun.sleep(50);
    if (how === "removed") rmSync(path);
    else {
      writeFileSync(`${path}.new`, new Uint8Array(4000));
      renameSync(`${path}.new`, path);
    }
    const ended = await Promise.race([done, Bun.sleep(2000).then(() => "still following")]);
    stop.abort();
    expect(ended).toBe("ended");
    expect(read).toBe(1500);
    expect(warnings).toEqual([`${path}: the file was ${how} while it was read: the result is of the audio read before`]);
  }
});
