/**
 * The command line, run as a child process (`bun run diarize.ts ...`) the way a user runs it: exit
 * codes, one-line errors on stderr, where the outputs go, formats, several inputs with one set of
 * models, stdin, globs, the progress bar on a terminal. Diarizing runs use the real models on
 * two 30 s AMI fixtures.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { readAudio } from "../src/audio/index.ts";
import { expandInputs, scriptCommand } from "../src/cli.ts";
import { summary } from "../src/cli/diarize-files.ts";
import { exclusiveSegmentsOf } from "../src/output/exclusive.ts";
import { ProgressBar } from "../src/output/progress.ts";
import { formatResult, rttmUri } from "../src/output/writers.ts";
import type { DiarizationResult } from "../src/diarizer.ts";
import { VERSION } from "../src/version.ts";
import { checkSrt, checkVtt } from "./helpers/subtitle-rules.ts";
import { concatBytes, fmtChunk, wav16, wavChunk, wavFile, wavFloat, type WavChunk } from "./helpers/wav.ts";
import { catching } from "./helpers/signals.ts";
import { skipWithout } from "./helpers/skip.ts";
import { AMI_DIR, AMI_FIXTURES, hasAmi } from "./helpers/fixtures.ts";

const root = resolve(import.meta.dir, "..");
const bun = join(root, "node_modules", ".bin", "bun");
const fixtures = AMI_DIR;
const hasFixtures = hasAmi;
const ffmpeg = Bun.which("ffmpeg");
const noFixtures = skipWithout("cli.test.ts", { [AMI_FIXTURES]: hasFixtures });

let dir: string;
/** Copies of dev00 and dev01 (30 s, two speakers each) under other names. */
let talkA: string;
let talkB: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "senko-cli-test-"));
  if (!hasFixtures) return;
  const a = await readAudio(join(fixtures, "dev00.wav"));
  const b = await readAudio(join(fixtures, "dev01.wav"));
  mkdirSync(join(dir, "talks"));
  talkA = join(dir, "talks", "talk-a.wav");
  talkB = join(dir, "talks", "talk-b.wav");
  writeFileSync(talkA, wavFloat(a.samples));
  writeFileSync(talkB, wavFloat(b.samples));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

async function cli(args: string[], options: { stdin?: Uint8Array; env?: Record<string, string | undefined> } = {}): Promise<Run> {
  return runScript("diarize.ts", args, options);
}

/** `bun run <script> <args...>` from the checkout, in the test directory. */
async function runScript(script: string, args: string[], options: { stdin?: Uint8Array; env?: Record<string, string | undefined> } = {}): Promise<Run> {
  const proc = Bun.spawn([bun, "run", join(root, script), ...args], {
    cwd: dir,
    stdin: options.stdin ?? "ignore",
    stdout: "pipe",
    stderr: "pipe",
    env: { ...process.env, SENKO_DEBUG: undefined, ...options.env },
  });
  const [code, stdout, stderr] = await Promise.all([proc.exited, new Response(proc.stdout).text(), new Response(proc.stderr).text()]);
  return { code, stdout, stderr };
}

/** Exit code 2, exactly one line on stderr that starts "senko: " and contains `message`, no stack trace, nothing on stdout. */
function expectOneLineError(run: Run, message: string): void {
  expect({ code: run.code, stdout: run.stdout }).toEqual({ code: 2, stdout: "" });
  expect(run.stderr).toStartWith("senko: ");
  expect(run.stderr).toEndWith("\n");
  expect(run.stderr.trimEnd().split("\n")).toHaveLength(1);
  expect(run.stderr).toContain(message);
  expect(run.stderr).not.toMatch(/\n\s+at /);
}

/** Files left in `path` (recursively), temporary ones included. */
function filesIn(path: string): string[] {
  return existsSync(path) ? readdirSync(path, { recursive: true }).map(String).sort() : [];
}

// Each case is a process of its own that ends before any model loads: run at once.
describe.concurrent("cli: information and usage errors", () => {
  test("--version and --help", async () => {
    const version = await cli(["--version"]);
    expect(version).toEqual({ code: 0, stdout: `senko ${VERSION}\n`, stderr: "" });
    const help = await cli(["--help"]);
    expect(help.code).toBe(0);
    // Named as it was run: from a checkout the script, installed (the package's bin) senko.
    expect(help.stdout).toContain("\nusage: bun run diarize.ts <audio...> [options]\n       bun run diarize.ts attribute <transcript>");
    expect([scriptCommand("/app/node_modules/senko/diarize.ts"), scriptCommand("C:\\app\\node_modules\\senko\\diarize.ts")]).toEqual(["senko", "senko"]);
    for (const text of ["usage:", "examples:", "attribute <transcript>", "models [--offline]", "submit|worker|status", "--num-speakers", "--min-speakers", "--max-speakers", "--format", "--out-dir", "--quiet", "json | rttm | csv | text | srt | vtt | html", "--pipeline", "vad-windows: "]) {
      expect(help.stdout).toContain(text);
    }
  });

  const usage: [string, string[], string][] = [
    ["no input", [], "no input file given"],
    ["unknown option", ["x.wav", "--bogus"], "Unknown option '--bogus'"],
    ["a file whose name starts with -", ["-notes.wav"], "Unknown option '-n' (in -notes.wav); a file whose name starts with - is given as ./-notes.wav (see --help)"],
    // Not a silent --out utput.wav (the second input's result written as JSON over a .wav name, the input never read).
    ["one that reads as -o and a value", ["a.wav", "-output.wav"], "-output.wav reads as -o utput.wav: give an option's value apart (-o utput.wav), and a file whose name starts with - as ./-output.wav (see --help)"],
    ["-q then -o and a value", ["a.wav", "-qooo.json"], "-qooo.json reads as -o oo.json: give an option's value apart (-o oo.json)"],
    ["bad format", ["x.wav", "--format", "xml"], '--format must be one of json, rttm, csv, text, srt, vtt, html, got "xml"'],
    ["unknown pipeline", ["x.wav", "--pipeline", "nope"], '--pipeline must be one of overlap-aware, vad-windows, got "nope"'],
    ["a vad-windows option with the default pipeline", ["x.wav", "--vad", "silero"], "--vad applies to the vad-windows pipeline only: add --pipeline vad-windows"],
    ["two of them", ["x.wav", "--cluster", "spectral", "--windows", "accurate"], "--cluster, --windows apply to the vad-windows pipeline only: add --pipeline vad-windows"],
    ["the overlap-aware option with vad-windows", ["x.wav", "--pipeline", "vad-windows", "--min-cluster-speech", "1.5"], "--min-cluster-speech applies to the overlap-aware pipeline only"],
    ["no seconds", ["x.wav", "--min-cluster-speech", "0"], '--min-cluster-speech takes a number of seconds above 0 or "off", got "0"'],
    ["zero speakers", ["x.wav", "--num-speakers", "0"], '--num-speakers takes a whole number of at least 1, got "0"'],
    ["not a number", ["x.wav", "--max-speakers", "two"], '--max-speakers takes a whole number of at least 1, got "two"'],
    // Node's hint names -o-x.json too, which senko refuses (a value attached to a short option).
    ["a value that starts with -", ["a.wav", "-o", "-x.json"], "senko: Option '-o' argument is ambiguous. Did you forget to specify the option argument for '-o'? To specify an option argument starting with a dash use '--out=-XYZ'. (see --help)"],
    // Not one inference lane per thread asked for, until memory runs out and the kernel kills the process.
    ["more threads than a pool has", ["x.wav", "--threads", "99999"], '--threads takes a whole number from 0 to 256, got "99999"'],
    ["--out with two inputs", ["a.wav", "b.wav", "--out", "r.json"], "--out names one file, but there are 2 inputs: use --out-dir <dir>"],
    ["json of two inputs on stdout", ["a.wav", "b.wav", "--format", "json"], "json for 2 inputs needs --out-dir <dir>"],
    ["subtitles of two inputs on stdout", ["a.wav", "b.wav", "--format", "vtt"], "vtt for 2 inputs needs --out-dir <dir>"],
    ["--out and --out-dir", ["a.wav", "--out", "r.json", "--out-dir", "r"], "give --out or --out-dir, not both"],
    ["several formats without --out-dir", ["a.wav", "--format", "json,rttm"], "several --format values need --out-dir"],
    // SRT under a .vtt name: a player reads it as WebVTT and finds no WEBVTT header.
    ["a format the --out name contradicts", ["a.wav", "--format", "srt", "--out", "talk.VTT"], "--format srt would write srt into talk.VTT, a name for vtt: leave out --format (the extension chooses) or name the file .srt"],
    ["glob without a match", ["nothing-here/*.wav"], "no file matches nothing-here/*.wav"],
    ["output directory missing", ["a.wav", "--out", "no/such/dir/r.json"], "cannot write no/such/dir/r.json: the directory no/such/dir does not exist"],
    ["same output name twice", ["a/x.wav", "b/x.mp3", "--out-dir", "r"], "a/x.wav and b/x.mp3 would both write r/x.*"],
    // One file id twice in an RTTM is one recording to a scorer: the two files' turns mixed.
    ["same RTTM file id twice on stdout", ["a/x.wav", "b/x y.mp3", "c/x_y.ogg", "--format", "rttm"], "b/x y.mp3 and c/x_y.ogg would both be file x_y in the RTTM on stdout: run them separately"],
    ["stdin twice", ["-", "-", "--format", "rttm"], "- (stdin) can be given only once"],
    // By its name and by a pattern: diarized twice, the second result replacing the first.
    ["a file twice", ["a.wav", "./a.wav", "--out-dir", "o"], "./a.wav is given twice (by a.wav and by ./a.wav): give each file once"],
    ["an empty --out", ["a.wav", "--out", ""], "--out needs a file name, got an empty one"],
    ["--out naming the input", ["talk.wav", "--out", "./talk.wav"], "./talk.wav is an input: writing the result there would replace it"],
    // Both written to one name: only the RTTM was left, the JSON lost without a word.
    ["--rttm naming the --out file", ["talk.wav", "--out", "r.json", "--rttm", "./r.json"], "--rttm ./r.json names a file --out writes too: give --rttm another name"],
    ["--rttm naming an --out-dir file", ["talk.wav", "--out-dir", "o", "--format", "json", "--rttm", "o/talk.json"], "--rttm o/talk.json names a file --out-dir writes too: give --rttm another name"],
    ["--rttm naming the input", ["talk.wav", "--out-dir", "r", "--rttm", "talk.wav"], "talk.wav is an input: writing the result there would replace it"],
    // whisper writes talk.json and talk.vtt beside talk.wav: the results must not replace the transcript.
    ["--out naming the transcript", ["talk.wav", "--transcript", "talk.json", "--out", "talk.json"], "talk.json is an input: writing the result there would replace it"],
    ["--out-dir writing over the transcript", ["talk.wav", "--transcript", "talk.vtt", "--out-dir", ".", "--format", "json,vtt"], "talk.vtt is an input: writing the result there would replace it"],
    ["an empty --out-dir", ["a.wav", "--out-dir", ""], "--out-dir needs a directory name, got an empty one"],
    // As --out's stdout, - wrote a file (--rttm) or made a folder (--out-dir) named "-".
    ["--rttm -", ["a.wav", "--out", "r.json", "--rttm", "-"], "--rttm takes a file name, not - (for RTTM on stdout: --format rttm)"],
    ["--out-dir -", ["a.wav", "--out-dir", "-"], "--out-dir takes a directory name, not - (for the result on stdout, leave --out-dir out)"],
    ["--transcript -", ["a.wav", "--transcript", "-"], "--transcript takes a file name, not - (give the transcript's file)"],
    // A negative number is the option's value (--voice-threshold -0.2), refused here by the flag's own range.
    ["a negative value", ["a.wav", "--threads", "-1"], '--threads takes a whole number from 0 to 256, got "-1"'],
    ["a value that looks like an option", ["a.wav", "--out", "-x.json"], "To specify an option argument starting with a dash use '--out=-XYZ'"],
  ];
  for (const [name, args, message] of usage) {
    test(`${name}: exit 2, one line`, async () => {
      expectOneLineError(await cli(args), message);
    });
  }

  test("--min-speakers above --max-speakers is refused before any work, in the flags' words", async () => {
    const file = join(dir, "tone.wav");
    writeFileSync(file, wav16(Array.from({ length: 16000 }, (_, i) => 0.3 * Math.sin(i / 5))));
    expectOneLineError(await cli([file, "--min-speakers", "3", "--max-speakers", "2"]), "--min-speakers (3) is larger than --max-speakers (2)");
    // --num-speakers outside the bounds, with each pipeline (overlap-aware gave 3 speakers for --max-speakers 2).
    expectOneLineError(await cli([file, "--num-speakers", "3", "--max-speakers", "2"]), "--num-speakers (3) is larger than --max-speakers (2)");
    const recipe = await cli([file, "--pipeline", "vad-windows", "--num-speakers", "2", "--min-speakers", "3"]);
    expectOneLineError(recipe, "--num-speakers (2) is smaller than --min-speakers (3)");
  });
});

test("an output place that cannot be written is refused before any work, and nothing is left behind", async () => {
  const tone = join(dir, "tone-out.wav");
  writeFileSync(tone, wav16(Array.from({ length: 16000 }, (_, i) => 0.3 * Math.sin(i / 5))));
  writeFileSync(join(dir, "plain-file"), "not a directory");
  expectOneLineError(await cli([tone, "--out", "plain-file/r.json"]), "cannot write plain-file/r.json: plain-file is not a directory");
  expectOneLineError(await cli([tone, "--out-dir", "plain-file/sub"]), "cannot create plain-file/sub: a parent in the path is not a directory");
  expectOneLineError(await cli([tone, "--out-dir", "plain-file"]), "--out-dir plain-file exists and is not a directory");
  expect(filesIn(dir).filter((f) => f.endsWith(".tmp"))).toEqual([]);
});

// Separate processes writing separate files: run at once.
describe.concurrent("cli: an input's output files", () => {
  let file: string;
  beforeAll(() => {
    file = join(dir, "tone-files.wav");
    writeFileSync(file, wav16(Array.from({ length: 16000 }, (_, i) => 0.3 * Math.sin(i / 5))));
  });
  const tone = () => file;

  test("--rttm inside the --out-dir that is yet to be made: both written", async () => {
    const run = await cli([tone(), "--out-dir", "made/here", "--rttm", "made/extra.rttm", "--format", "json,csv", "-q"]);
    expect({ code: run.code, stderr: run.stderr }).toEqual({ code: 0, stderr: "" });
    expect(filesIn(join(dir, "made"))).toEqual(["extra.rttm", "here", "here/tone-files.csv", "here/tone-files.json"]);
  });

  test("files whose names start with -: as ./-a.wav, and after --", async () => {
    writeFileSync(join(dir, "-a.wav"), readFileSync(tone()));
    writeFileSync(join(dir, "-b.wav"), readFileSync(tone()));
    const run = await cli(["--out-dir", "dashed", "--format", "rttm", "-q", "./-a.wav", "--", "-b.wav"]);
    expect({ code: run.code, stderr: run.stderr }).toEqual({ code: 0, stderr: "" });
    expect(filesIn(join(dir, "dashed"))).toEqual(["-a.rttm", "-b.rttm"]);
  });

  test("a write failing half-way through an input's files (a size limit, as a full disk): none of them lands, the previous ones stay, one line, exit 2", async () => {
    mkdirSync(join(dir, "limited"));
    writeFileSync(join(dir, "limited", "tone-files.csv"), "previous\n");
    // ulimit -f 2: 1024 bytes at most; the CSV and RTTM of 1 s of tone fit, its JSON does not. SIGXFSZ ignored: the write fails.
    const args = [join(root, "diarize.ts"), tone(), "--out-dir", "limited", "--format", "csv,json", "--rttm", "limited/tone.rttm", "-q"];
    const proc = Bun.spawn(["sh", "-c", 'ulimit -f 2; trap "" XFSZ; exec "$0" run "$@"', bun, ...args], { cwd: dir, stdout: "pipe", stderr: "pipe", env: { ...process.env, SENKO_DEBUG: undefined } });
    const [code, stdout, stderr] = await Promise.all([proc.exited, new Response(proc.stdout).text(), new Response(proc.stderr).text()]);
    expectOneLineError({ code, stdout, stderr }, "senko: cannot write limited/tone-files.json: the file would exceed the file size limit");
    expect(filesIn(join(dir, "limited"))).toEqual(["tone-files.csv"]);
    expect(readFileSync(join(dir, "limited", "tone-files.csv"), "utf8")).toBe("previous\n");
  });
});

test.skipIf(skipWithout("cli.test.ts", { "/proc (Linux)": existsSync("/proc/self") }))("a directory whose file system creates nothing (/proc): one line naming the path and the directory", async () => {
  expectOneLineError(await cli(["a.wav", "--out", "/proc/x.json"]), "senko: cannot write /proc/x.json: nothing can be created in /proc\n");
  expectOneLineError(await cli(["a.wav", "--out", "/proc/version"]), "senko: cannot write /proc/version: nothing can be created in /proc\n");
});

test("no speech: text, CSV and RTTM hold no turn lines (no blank line a reader would take for a row)", () => {
  const silent = { mergedSegments: [] } as unknown as DiarizationResult;
  expect([formatResult(silent, "text", "a.wav"), formatResult(silent, "csv", "a.wav"), formatResult(silent, "rttm", "a.wav")]).toEqual(["", "start,end,speaker\n", ""]);
  const one = { mergedSegments: [{ start: 1, end: 2.5, speaker: "SPEAKER_01" }] } as unknown as DiarizationResult;
  expect([formatResult(one, "text", "a.wav"), formatResult(one, "csv", "a.wav")]).toEqual(["00:00:01.00 - 00:00:02.50  SPEAKER_01\n", "start,end,speaker\n1.000,2.500,SPEAKER_01\n"]);
});

test("CSV quotes a speaker renamed to hold a comma, a quote or a line break (RFC 4180), and only then", () => {
  const named = (speaker: string) => ({ mergedSegments: [{ start: 1, end: 2.5, speaker }] }) as unknown as DiarizationResult;
  expect(formatResult(named('Smith, "J."'), "csv", "a.wav")).toBe('start,end,speaker\n1.000,2.500,"Smith, ""J."""\n');
  expect(formatResult(named("Ann\nLee"), "csv", "a.wav")).toBe('start,end,speaker\n1.000,2.500,"Ann\nLee"\n');
  expect(formatResult(named("Ann Lee"), "csv", "a.wav")).toBe("start,end,speaker\n1.000,2.500,Ann Lee\n");
});

test("an input name with spaces (\"Team meeting.m4a\"): RTTM ids get _ for them (RTTM fields cannot hold one), file names keep them", () => {
  const result = { mergedSegments: [{ start: 1, end: 2.5, speaker: "SPEAKER_01" }] } as unknown as DiarizationResult;
  expect(formatResult(result, "rttm", "calls/Team meeting\t2.m4a")).toBe("SPEAKER Team_meeting_2 1 1.000 1.500 <NA> <NA> SPEAKER_01 <NA> <NA>\n");
  expect(rttmUri("calls/Team meeting 2.m4a")).toBe("Team meeting 2");
});

test("RTTM of stdin names the recording stdin in every way it is written", () => {
  const result = { mergedSegments: [{ start: 1, end: 2.5, speaker: "SPEAKER_01" }] } as unknown as DiarizationResult;
  expect(rttmUri("-")).toBe("stdin");
  expect(formatResult(result, "rttm", "-")).toBe("SPEAKER stdin 1 1.000 1.500 <NA> <NA> SPEAKER_01 <NA> <NA>\n");
});

test("the summary on stderr gives the turns' times as the text format does (hh:mm:ss.ss), durations in seconds", () => {
  const turns = [{ start: 0.023, end: 5.625, speaker: "SPEAKER_02" }, { start: 3725.5, end: 3731.04, speaker: "SPEAKER_01" }];
  const timingStats = { audio: 0.01, segmentation: 0.37, total: 0.75 };
  const result = { mergedSegments: turns, durationSec: 3731.5, mergedSpeakersDetected: 2, overlapSec: 0, timingStats, pipeline: "overlap-aware" } as unknown as DiarizationResult;
  const text = formatResult(result, "text", "talk.wav");
  expect(text).toBe("00:00:00.02 - 00:00:05.63  SPEAKER_02\n01:02:05.50 - 01:02:11.04  SPEAKER_01\n");
  expect(summary("talk.wav", result, true)).toBe(
    "talk.wav: 3731.5 s of audio, 2 speaker(s), 2 segment(s), 0.75 s (RTF 0.000) (pipeline overlap-aware)\n" +
      text.replace(/^/gm, "  ").trimEnd() +
      "\n  stages (s): audio 0.01  segmentation 0.37\n",
  );
  expect(summary("talk.wav", result, false)).not.toContain("SPEAKER_");
});

describe.concurrent("cli: bad input files", () => {
  const valid = wav16(Array.from({ length: 1600 }, (_, i) => 0.3 * Math.sin(i / 5)));
  const patched = (edit: (v: DataView) => void) => {
    const copy = valid.slice();
    edit(new DataView(copy.buffer));
    return copy;
  };
  // [file, bytes (undefined: not created; "dir": a directory), message]
  const cases: [string, Uint8Array | "dir" | undefined, string][] = [
    ["missing.wav", undefined, "missing.wav: file not found"],
    ["folder.wav", "dir", "folder.wav: is a directory, not an audio file"],
    ["empty.wav", new Uint8Array(0), "empty.wav: file is empty (0 bytes)"],
    ["cut-header.wav", valid.subarray(0, 30), "cut-header.wav: truncated WAV header"],
    ["cut-data.wav", valid.subarray(0, 1000), "cut-data.wav: truncated WAV data: the header declares 3200 bytes of samples (0.10 s) but the file holds only 956"],
    ["huge-size.wav", patched((v) => v.setUint32(40, 0x7fffffff, true)), "huge-size.wav: truncated WAV data: the header declares 2147483647 bytes"],
    ["zero-channels.wav", patched((v) => v.setUint16(22, 0, true)), "zero-channels.wav: invalid WAV header: 0 channels"],
    ["zero-rate.wav", patched((v) => v.setUint32(24, 0, true)), "zero-rate.wav: invalid WAV header: the sample rate is 0 Hz"],
  ];
  beforeAll(() => {
    mkdirSync(join(dir, "bad"));
    for (const [name, bytes] of cases) {
      if (bytes === "dir") mkdirSync(join(dir, "bad", name));
      else if (bytes) writeFileSync(join(dir, "bad", name), bytes);
    }
  });

  for (const [name, , message] of cases) {
    test(`${name}: exit 2, "${message}", no output file`, async () => {
      const run = await cli([join("bad", name), "--out", "result.json", "--rttm", "result.rttm"]);
      expectOneLineError(run, `senko: bad/${message}`);
      expect(existsSync(join(dir, "result.json"))).toBe(false);
      expect(existsSync(join(dir, "result.rttm"))).toBe(false);
    });
  }

  test("all of them at once: one line per file, nothing written, the output directory not even created", async () => {
    const run = await cli([...cases.map(([name]) => join("bad", name)), "--out-dir", "all-bad"]);
    expect(run.code).toBe(2);
    const lines = run.stderr.trimEnd().split("\n");
    expect(lines).toHaveLength(cases.length);
    cases.forEach(([, , message], i) => expect(lines[i]).toStartWith(`senko: bad/${message}`));
    expect(existsSync(join(dir, "all-bad"))).toBe(false);
  });

  test("non-audio bytes without ffmpeg on the PATH: says to install it", async () => {
    writeFileSync(join(dir, "bad", "notes.mp3"), "these are not the bytes of an mp3\n".repeat(10));
    const run = await cli([join("bad", "notes.mp3"), "--out", "notes.json"], { env: { PATH: "/nonexistent" } });
    expectOneLineError(run, "bad/notes.mp3: not a WAV file (it starts with \"thes\", not \"RIFF\"/\"RF64\"); reading it needs ffmpeg, which was not found on the PATH: install ffmpeg (Debian/Ubuntu: sudo apt install ffmpeg");
    expect(existsSync(join(dir, "notes.json"))).toBe(false);
  });

  test.skipIf(skipWithout("cli.test.ts", { [AMI_FIXTURES]: hasFixtures, "ffmpeg (npm run setup installs it)": ffmpeg }))(
    "bad inputs among good ones (a header cut short, bytes ffmpeg cannot decode, in a file and on stdin): each refused in one line before the models load, the others written, exit 2",
    async () => {
      mkdirSync(join(dir, "mixed"));
      writeFileSync(join(dir, "mixed", "b-garbage.mp3"), "not an mp3 at all, just text\n".repeat(50));
      const inputs = [talkA, join("bad", "cut-data.wav"), join("mixed", "b-garbage.mp3"), "-", talkB];
      const random = new Uint8Array(50_000).map((_, i) => (i * 2654435761) >>> 24);
      const run = await cli([...inputs, "--out-dir", "mixed-out", "--format", "json,rttm"], { stdin: random });
      expect(run.code).toBe(2);
      // The first lines, before anything the models or the first input print: found by the up-front check.
      const lines = run.stderr.split("\n");
      expect(lines[0]).toStartWith("senko: bad/cut-data.wav: truncated WAV data");
      expect(lines[1]).toStartWith("senko: mixed/b-garbage.mp3: not a WAV file");
      expect(lines[1]).toContain("ffmpeg finds no audio stream in it");
      expect(lines[2]).toStartWith("senko: -: not a WAV file");
      expect(lines[2]).toContain("ffmpeg finds no audio stream in it");
      expect(lines.filter((l) => /^senko: (bad\/|mixed\/|-:)/.test(l))).toHaveLength(3);
      expect(run.stderr).not.toMatch(/\n\s+at /);
      // Good inputs keep their (complete) results; the bad ones have none and no temporary files remain.
      expect(filesIn(join(dir, "mixed-out"))).toEqual(["talk-a.json", "talk-a.rttm", "talk-b.json", "talk-b.rttm"]);
      for (const name of ["talk-a", "talk-b"]) {
        const json = JSON.parse(readFileSync(join(dir, "mixed-out", `${name}.json`), "utf8"));
        expect(json.mergedSpeakersDetected).toBeGreaterThan(0);
      }
    },
  );
});

describe.concurrent("cli: stdin read as a stream", () => {
  /** `pcm` as `arecord -t wav` writes it on a pipe: a header declaring `declared` bytes of samples, those, a fresh header, ...; the last part cut short. */
  const restartingStream = (fmt: WavChunk, pcm: Uint8Array, declared: number) =>
    concatBytes(Array.from({ length: Math.ceil(pcm.length / declared) }, (_, i) => wavFile([fmt, wavChunk("data", pcm.subarray(i * declared, (i + 1) * declared), { size: declared })])));
  const float16k = fmtChunk({ tag: 3, channels: 1, rate: 16000, bits: 32 });

  test.skipIf(noFixtures)(
    "a WAV stream that starts over with a new header of the same layout at its declared end (arecord every 2 GiB) is read on: the result of the whole recording",
    async () => {
      const { samples } = await readAudio(talkA);
      // 4.1 s of float samples a part: the seams fall inside turns.
      const declared = 65600 * 4;
      const declaredSec = 65600 / 16000;
      const stream = restartingStream(float16k, new Uint8Array(samples.buffer, samples.byteOffset, samples.byteLength), declared);
      const [piped, whole] = await Promise.all([cli(["-", "--out", "seams.json"], { stdin: stream }), cli([talkA, "--out", "whole.json", "-q"])]);
      expect([piped.code, whole.code]).toEqual([0, 0]);
      const missingSec = Math.ceil(samples.length / (declared / 4)) * declaredSec - samples.length / 16000;
      expect(piped.stderr).toContain(`senko: warning: -: the stream ended ${missingSec.toFixed(2)} s before the end its WAV header declares`);
      const result = JSON.parse(readFileSync(join(dir, "seams.json"), "utf8"));
      const expected = JSON.parse(readFileSync(join(dir, "whole.json"), "utf8"));
      expect(result.durationSec).toBe(samples.length / 16000);
      // Turns after the first seam (there were none before: it ended there).
      expect(result.mergedSegments.filter((t: { end: number }) => t.end > declaredSec).length).toBeGreaterThan(0);
      expect(result.mergedSegments).toEqual(expected.mergedSegments);
    },
  );

  test("a header of another layout after the seam: one line, exit 2, no output", async () => {
    const first = wavFile([float16k, wavChunk("data", new Uint8Array(16000 * 4))]);
    const stereo = wavFile([fmtChunk({ tag: 1, channels: 2, rate: 48000, bits: 16 }), wavChunk("data", new Uint8Array(48000 * 4))]);
    const run = await cli(["-", "--out", "other.json"], { stdin: concatBytes([first, stereo]) });
    expectOneLineError(run, "senko: -: the WAV stream starts over 1.00 s in with a header of another layout (48000 Hz, 2 channel(s), pcm_s16 after 16000 Hz, 1 channel(s), float32), which one recording cannot have");
    expect(existsSync(join(dir, "other.json"))).toBe(false);
  });

  /** `head` written to the CLI's stdin, which then stays open (a recorder goes on): it must end by itself, with one line, exit 2, no output. */
  async function refusedWhileOpen(head: Uint8Array, env: Record<string, string>, message: string): Promise<void> {
    const proc = Bun.spawn([bun, "run", join(root, "diarize.ts"), "-", "--out", "open.json"], { cwd: dir, stdin: "pipe", stdout: "pipe", stderr: "pipe", env: { ...process.env, SENKO_DEBUG: undefined, ...env } });
    // Not awaited: a CLI that stops reading while the bytes go in must still end by itself. A CLI that ends before
    // taking them all breaks the pipe.
    Promise.resolve()
      .then(() => proc.stdin.write(head))
      .then(() => proc.stdin.flush())
      .catch(() => {});
    // The writer goes on: only the bytes so far can have told. No time bound: ended or not, while open.
    const endedOpen = await Promise.race([proc.exited.then(() => true), Bun.sleep(20_000).then(() => false)]);
    try {
      proc.stdin.end();
    } catch {
      // the reader is gone
    }
    const [code, stdout, stderr] = await Promise.all([proc.exited, new Response(proc.stdout).text(), new Response(proc.stderr).text()]);
    expect(endedOpen).toBe(true);
    // One line: the models, which say where they run as they load (the CLI is not --quiet), never loaded.
    expectOneLineError({ code, stdout, stderr }, message);
    expect(existsSync(join(dir, "open.json"))).toBe(false);
  }

  test("a stream whose first bytes show it cannot be read is refused then, with the stream still open: one line, exit 2, no model loaded, no output", async () => {
    await refusedWhileOpen(wavFile([fmtChunk({ tag: 1, channels: 1, rate: 16000, bits: 48 }), wavChunk("data", new Uint8Array(600), { size: 0x7fffffff })]), {}, "senko: -: 48-bit PCM is not supported (8, 16, 24 and 32-bit are)");
    const notWav = new TextEncoder().encode("ID3 not really an mp3, and no ffmpeg to say so");
    await refusedWhileOpen(notWav, { PATH: "/nonexistent" }, 'senko: -: not a WAV file (it starts with "ID3 ", not "RIFF"/"RF64"); reading it needs ffmpeg');
  });

  test.skipIf(skipWithout("cli.test.ts", { "ffmpeg (npm run setup installs it)": ffmpeg }))(
    "bytes ffmpeg cannot read, on a stream still open: refused once ffmpeg gives up (past the 1 MiB it decides a format from), not at the stream's end",
    async () => {
      // Just over 1 MiB: with less, ffmpeg waits for more before it decides (the README says so).
      const text = new TextEncoder().encode("not audio, just a log a program wrote to the wrong pipe\n".repeat(18_725));
      await refusedWhileOpen(text, {}, 'senko: -: not a WAV file (it starts with "not ", not "RIFF"/"RF64"), and ffmpeg finds no audio stream in it');
    },
    30_000,
  );
});

describe.skipIf(noFixtures)("cli: interrupted runs", () => {
  /** Starts the CLI in the test directory; stderr collected as it comes. */
  function start(args: string[]) {
    const proc = Bun.spawn([bun, "run", join(root, "diarize.ts"), ...args], { cwd: dir, stdin: "ignore", stdout: "pipe", stderr: "pipe", env: { ...process.env, SENKO_DEBUG: undefined } });
    return { proc, stderr: new Response(proc.stderr).text() };
  }

  test(
    "Ctrl-C after the first of two inputs: its results complete, the second's previous result untouched, no temporary file, one line, ended by SIGINT",
    async () => {
      const out = join(dir, "interrupted");
      mkdirSync(out);
      writeFileSync(join(out, "talk-b.json"), "previous result\n");
      const interrupted = async () => {
        const { proc, stderr } = start([talkA, talkB, "--out-dir", "interrupted", "--format", "json,rttm", "-q"]);
        // Ctrl-C as soon as talk-a's results appear, while talk-b is being diarized.
        while (!existsSync(join(out, "talk-a.json")) && proc.exitCode === null) await Bun.sleep(20);
        proc.kill("SIGINT");
        await proc.exited;
        return { signal: proc.signalCode, stderr: await stderr };
      };
      // SIGTERM while the models load: --out and --rttm are not created. Alongside the Ctrl-C run.
      const terminated = async () => {
        const { proc, stderr } = start([talkA, "--out", "term.json", "--rttm", "term.rttm", "-q"]);
        await catching(proc.pid, "SIGTERM");
        proc.kill("SIGTERM");
        await proc.exited;
        return { signal: proc.signalCode, stderr: await stderr };
      };
      const [int, term] = await Promise.all([interrupted(), terminated()]);
      // Ended by the signal itself, so a shell sees 130 and a script's loop stops too.
      expect(int.signal).toBe("SIGINT");
      expect(int.stderr).toBe("senko: interrupted (Ctrl-C): 1 of 2 inputs done\n");
      expect(filesIn(out)).toEqual(["talk-a.json", "talk-a.rttm", "talk-b.json"]);
      expect(JSON.parse(readFileSync(join(out, "talk-a.json"), "utf8")).mergedSpeakersDetected).toBeGreaterThan(0);
      expect(readFileSync(join(out, "talk-a.rttm"), "utf8")).toStartWith("SPEAKER talk-a 1 ");
      expect(readFileSync(join(out, "talk-b.json"), "utf8")).toBe("previous result\n");

      expect(term.signal).toBe("SIGTERM");
      expect(term.stderr).toBe("senko: stopped by SIGTERM\n");
      expect(filesIn(dir).filter((f) => f.startsWith("term.") || f.endsWith(".tmp"))).toEqual([]);
    },
  );
});

describe.skipIf(noFixtures)("cli: outputs", () => {
  test(
    "--out-dir with every format: the same turns in JSON, RTTM, CSV, text, SRT and WebVTT; summary on stderr",
    async () => {
      const run = await cli([talkA, "--out-dir", "formats", "--format", "json,rttm,csv,text,srt,vtt"]);
      expect(run.code).toBe(0);
      expect(run.stdout).toBe("");
      expect(run.stderr).toContain(`${talkA}: 30.0 s of audio, `);
      expect(run.stderr).toMatch(/\n {2}stages \(s\): audio \d+\.\d\d {2}segmentation /); // time per stage
      expect(run.stderr).toMatch(/\n {2}\d\d:\d\d:\d\d\.\d\d - \d\d:\d\d:\d\d\.\d\d {2}SPEAKER_01\n/); // the turns, since none went to stdout
      expect(run.stderr).not.toContain("\r"); // no progress bar when stderr is not a terminal
      expect(filesIn(join(dir, "formats"))).toEqual(["talk-a.csv", "talk-a.json", "talk-a.rttm", "talk-a.srt", "talk-a.txt", "talk-a.vtt"]);
      const read = (ext: string) => readFileSync(join(dir, "formats", `talk-a.${ext}`), "utf8");
      const json = JSON.parse(read("json"));
      expect(json.source).toBe(talkA);
      // The result shape both pipelines share, with the default pipeline's values.
      expect(json.pipeline).toBe("overlap-aware");
      expect(json.overlapSec).toBeGreaterThanOrEqual(0);
      expect(json.exclusiveSegments.length).toBeGreaterThan(0);
      expect(run.stderr).toContain("(pipeline overlap-aware)");
      const turns: { start: number; end: number; speaker: string }[] = json.mergedSegments;
      expect(turns.length).toBeGreaterThan(1);
      const rttm = read("rttm").trimEnd().split("\n");
      const csv = read("csv").trimEnd().split("\n");
      const text = read("txt").trimEnd().split("\n");
      expect(csv[0]).toBe("start,end,speaker");
      expect([rttm.length, csv.length - 1, text.length]).toEqual([turns.length, turns.length, turns.length]);
      turns.forEach((t, i) => {
        const r = rttm[i]!.split(" ");
        expect([r[0], r[1], r[7]]).toEqual(["SPEAKER", "talk-a", t.speaker]);
        expect(Number(r[3])).toBeCloseTo(t.start, 2);
        expect(csv[i + 1]).toBe(`${t.start.toFixed(3)},${t.end.toFixed(3)},${t.speaker}`);
        expect(text[i]).toEndWith(`  ${t.speaker}`);
      });
      // Subtitles: a cue per turn of the exclusive view, valid by each format's rules.
      const exclusive = exclusiveSegmentsOf(json);
      const srt = checkSrt(read("srt"));
      const vtt = checkVtt(read("vtt"));
      expect([srt.problems, vtt.problems]).toEqual([[], []]);
      expect(srt.cues.map((c) => [c.start, c.end, c.lines.join("\n")])).toEqual(exclusive.map((t) => [Math.round(t.start * 1000) / 1000, Math.round(t.end * 1000) / 1000, t.speaker]));
      expect(vtt.cues.map((c) => c.lines.join("\n"))).toEqual(exclusive.map((t) => `<v ${t.speaker}>${t.speaker}</v>`));
    },
    30_000,
  );

  test(
    "--out -, stdin input, --num-speakers and --max-speakers",
    async () => {
      // Four independent runs, at once.
      const [json, text, rttm, recipeRun] = await Promise.all([
        cli(["-", "--out", "-", "--format", "json", "--num-speakers", "1", "--quiet"], { stdin: readFileSync(talkA) }),
        cli([talkA, "--max-speakers", "1", "-q"]),
        cli([talkB, "--out", "b.rttm", "--min-speakers", "2", "-q"]),
        cli([talkA, "--pipeline", "vad-windows", "--vad", "silero", "--out", "-", "--format", "json", "-q"]),
      ]);
      expect(json.code).toBe(0);
      expect(json.stderr).toBe("");
      const result = JSON.parse(json.stdout);
      expect(result.source).toBe("-");
      expect(result.mergedSpeakersDetected).toBe(1);
      expect(new Set(result.mergedSegments.map((s: { speaker: string }) => s.speaker)).size).toBe(1);

      expect(text.code).toBe(0);
      const lines = text.stdout.trimEnd().split("\n");
      expect(lines.length).toBeGreaterThan(0);
      for (const line of lines) expect(line).toMatch(/^\d\d:\d\d:\d\d\.\d\d - \d\d:\d\d:\d\d\.\d\d {2}SPEAKER_01$/);

      // --out with an extension picks the format.
      expect(rttm.code).toBe(0);
      const rows = readFileSync(join(dir, "b.rttm"), "utf8").trimEnd().split("\n");
      expect(rows.every((r) => r.startsWith("SPEAKER talk-b 1 "))).toBe(true);
      expect(new Set(rows.map((r) => r.split(" ")[7])).size).toBeGreaterThanOrEqual(2);
      expect(filesIn(dir).filter((f) => f.endsWith(".tmp"))).toEqual([]);

      // Senko's recipe, one option away: one speaker at a time, so the exclusive view is the turns.
      const recipe = JSON.parse(recipeRun.stdout);
      expect([recipe.pipeline, recipe.vad, recipe.overlapSec]).toEqual(["vad-windows", "silero", 0]);
      expect(recipe.exclusiveSegments).toEqual(recipe.mergedSegments);
    },
  );

  test(
    "a quoted glob: every match, sorted, with RTTM concatenated on stdout",
    async () => {
      const run = await cli(["talks/*.wav", "--format", "rttm", "--quiet"]);
      expect(run.code).toBe(0);
      const ids = [...new Set(run.stdout.trimEnd().split("\n").map((l) => l.split(" ")[1]))];
      expect(ids).toEqual(["talk-a", "talk-b"]);
    },
    30_000,
  );

  test(
    "stdout into a reader that has gone (| true, | head): no EPIPE trace, exit 0, no further input diarized for nobody",
    async () => {
      // `true` exits at once: the first turns written meet a closed pipe.
      const args = [join(root, "diarize.ts"), "talks/*.wav", "--format", "rttm"];
      const shell = Bun.spawn(["sh", "-c", `("$0" run "$@" 2> gone.err; echo $? > gone.code) | true`, bun, ...args], { cwd: dir, env: { ...process.env, SENKO_DEBUG: undefined } });
      // A full disk behind `>` is an output error like any other: one line, exit 2 (1 s of tone: JSON, no turns). Run alongside.
      writeFileSync(join(dir, "tone-full.wav"), wav16(Array.from({ length: 16000 }, (_, i) => 0.3 * Math.sin(i / 5))));
      const full = Bun.spawn([bun, "run", join(root, "diarize.ts"), "tone-full.wav", "--format", "json", "-q"], { cwd: dir, stdout: Bun.file("/dev/full"), stderr: "pipe", env: { ...process.env, SENKO_DEBUG: undefined } });
      await shell.exited;
      const stderr = readFileSync(join(dir, "gone.err"), "utf8");
      expect(stderr).not.toContain("EPIPE");
      expect(stderr).not.toMatch(/\n\s+at /);
      expect(stderr).toContain("talk-a.wav: 30.0 s of audio");
      expect(stderr).not.toContain("talk-b.wav");
      expect(readFileSync(join(dir, "gone.code"), "utf8")).toBe("0\n");
      const [code, fullErr] = await Promise.all([full.exited, new Response(full.stderr).text()]);
      expect({ code, fullErr }).toEqual({ code: 2, fullErr: "senko: cannot write to stdout: no space left on the device\n" });
    },
    30_000,
  );

  const script = Bun.which("script");
  test.skipIf(skipWithout("cli.test.ts", { "script(1), for a pseudo-terminal (util-linux)": script }))(
    "a progress bar per stage on a terminal, none with --quiet",
    async () => {
      // script(1) runs the CLI on a pseudo-terminal, so stderr is a TTY.
      const onTty = async (outDir: string, extra: string) => {
        const command = `${bun} run ${join(root, "diarize.ts")} ${talkB} --out-dir ${outDir} ${extra}`;
        const proc = Bun.spawn([script!, "-qec", command, "/dev/null"], { cwd: dir, stdout: "pipe", stderr: "pipe", stdin: "ignore" });
        const [code, out] = await Promise.all([proc.exited, new Response(proc.stdout).text()]);
        return { code, out };
      };
      // Both at once.
      const [shown, quiet] = await Promise.all([onTty("tty", ""), onTty("tty-quiet", "--quiet")]);
      expect(shown.code).toBe(0);
      for (const stage of ["audio", "segmentation", "embeddings"]) expect(shown.out).toMatch(new RegExp(`\\r[^\\r]*talk-b\\.wav  ${stage} +\\[#+\\] 100%`));
      expect(shown.out).toContain("talk-b.wav: 30.0 s of audio");
      expect(quiet.code).toBe(0);
      expect(quiet.out).not.toContain("\r" + talkB);
      expect(quiet.out).not.toContain("[#");
    },
    45_000,
  );
});

describe.skipIf(noFixtures)("examples/, as the README runs them", () => {
  test(
    "diarize-file.ts: the turns and an RTTM named for the file; compare-speakers.ts: a line per speech region; a missing file: one line, exit 2",
    async () => {
      // Each script, and each with a missing file, at once.
      const [diarized, compared, ...missing] = await Promise.all([
        runScript("examples/diarize-file.ts", [talkA]),
        runScript("examples/compare-speakers.ts", [talkA, talkB]),
        runScript("examples/diarize-file.ts", ["missing.wav"]),
        runScript("examples/compare-speakers.ts", [talkA, "missing.wav"]),
      ]);
      expect([diarized.code, diarized.stderr]).toEqual([0, ""]);
      expect(diarized.stdout).toMatch(/^\d+ speakers in 30\.0 s of audio\n/);
      const rttm = diarized.stdout.split("\n").filter((l) => l.startsWith("SPEAKER "));
      expect(rttm.length).toBeGreaterThan(1);
      for (const line of rttm) expect(line).toStartWith("SPEAKER talk-a 1 ");

      expect([compared.code, compared.stderr]).toEqual([0, ""]);
      const [head, ...rows] = compared.stdout.trimEnd().split("\n");
      expect(head).toMatch(/talk-a\.wav: \d+ speech regions; .*talk-b\.wav: \d+$/);
      expect(rows.length).toBe(Number(/(\d+) speech regions/.exec(head!)![1]));
      for (const row of rows) expect(row).toMatch(/^\d+\.\d-\d+\.\d s {2}best match \d+\.\d-\d+\.\d s {2}cosine -?\d\.\d{3}$/);

      for (const run of missing) expect(run).toEqual({ code: 2, stdout: "", stderr: "missing.wav: file not found\n" });
    },
  );
});

describe("cli: pieces", () => {
  test("ProgressBar: redraws in place, rate-limited, always shows a stage's end, clears its line", () => {
    let text = "";
    let now = 0;
    const bar = new ProgressBar({ write: (s) => (text += s), columns: 60, interval: 100, now: () => now });
    bar.start("[1/2] a-rather-long-name-of-a-recording-from-the-meeting-room.wav");
    bar.update({ stage: "vad", done: 1, total: 4 });
    now = 50;
    bar.update({ stage: "vad", done: 2, total: 4 }); // too soon: skipped
    now = 60;
    bar.update({ stage: "vad", done: 4, total: 4 }); // the end: drawn
    const frames = text.split("\r").filter(Boolean);
    expect(frames).toHaveLength(2);
    expect(frames[0]).toEndWith("vad          [######..................]  25%");
    expect(frames[1]).toEndWith("vad          [########################] 100%");
    expect(frames[0]!.length).toBeLessThanOrEqual(60);
    expect(frames[0]).toStartWith("...");
    text = "";
    bar.done();
    expect(text).toBe(`\r${" ".repeat(frames[1]!.length)}\r`);
  });

  test("writeFileAtomic: a write the file system cuts short (full disk, file size limit) is an error, and leaves no file", async () => {
    // ulimit -f 4: 2048 bytes at most, with SIGXFSZ ignored so the write returns short instead of killing.
    const code = `import { writeFileAtomic } from ${JSON.stringify(join(root, "src/output/writers.ts"))};
      try { writeFileAtomic("limited.json", "x".repeat(10000)); console.log("written"); } catch (e) { console.log(e.message); }`;
    const proc = Bun.spawn(["sh", "-c", `ulimit -f 4; trap "" XFSZ; exec "$0" -e '${code}'`, bun], { cwd: dir, stdout: "pipe", stderr: "inherit" });
    const [, stdout] = await Promise.all([proc.exited, new Response(proc.stdout).text()]);
    expect(stdout).toBe("cannot write limited.json: the file would exceed the file size limit (ulimit -f, or the file system's)\n");
    expect(filesIn(dir).filter((f) => f.startsWith("limited.json"))).toEqual([]);
  });

  // Root reads any folder: the run drops to nobody then (setpriv, util-linux).
  const isRoot = process.getuid?.() === 0;
  const setpriv = Bun.which("setpriv");
  test.skipIf(process.platform === "win32" || (isRoot && !setpriv))("a pattern through a folder that cannot be read: one line naming it, exit 2, not an internal error", () => {
    const tree = mkdtempSync(join(tmpdir(), "senko-cli-glob-"));
    const locked = join(tree, "calls", "locked");
    try {
      chmodSync(tree, 0o755);
      mkdirSync(locked, { recursive: true });
      writeFileSync(join(tree, "calls", "a.wav"), "x");
      chmodSync(locked, 0);
      const asNobody = isRoot ? [setpriv!, "--reuid=65534", "--regid=65534", "--clear-groups"] : [];
      const run = Bun.spawnSync([...asNobody, bun, "run", join(root, "diarize.ts"), "calls/**/*.wav"], { cwd: tree, stdout: "pipe", stderr: "pipe", env: { ...process.env, SENKO_DEBUG: undefined } });
      expect([run.exitCode, run.stdout.toString(), run.stderr.toString()]).toEqual([
        2,
        "",
        "senko: calls/**/*.wav: the folder calls/locked cannot be read (permission denied): give a pattern that leaves it out\n",
      ]);
    } finally {
      chmodSync(locked, 0o755);
      rmSync(tree, { recursive: true, force: true });
    }
  });

  test("expandInputs: paths as given, patterns sorted, stdin once, a file once", () => {
    mkdirSync(join(dir, "glob", "sub"), { recursive: true });
    for (const f of ["b.wav", "a.wav", "c.mp3", "sub/d.wav"]) writeFileSync(join(dir, "glob", f), "x");
    expect(expandInputs(["glob/*.wav"], dir)).toEqual(["glob/a.wav", "glob/b.wav"]);
    expect(expandInputs(["glob/**/*.wav", "-"], dir)).toEqual(["glob/a.wav", "glob/b.wav", "glob/sub/d.wav", "-"]);
    expect(expandInputs([join(dir, "glob", "*.mp3")], dir)).toEqual([join(dir, "glob", "c.mp3")]);
    expect(expandInputs(["not-a-pattern.wav"], dir)).toEqual(["not-a-pattern.wav"]);
    // A URL is no pattern (reading it says senko reads files), whatever its query.
    expect(expandInputs(["https://example.com/talk.mp3?t=1"], dir)).toEqual(["https://example.com/talk.mp3?t=1"]);
    expect(() => expandInputs(["glob/b.wav", "glob/*.wav"], dir)).toThrow("glob/b.wav is given twice (by glob/b.wav and by glob/*.wav): give each file once");
    expect(() => expandInputs(["glob/*.wav", join(dir, "glob", "a.wav")], dir)).toThrow(`${join(dir, "glob", "a.wav")} is given twice (by glob/*.wav and by ${join(dir, "glob", "a.wav")})`);
    expect(() => expandInputs(["glob/*", "glob/*.mp3"], dir)).toThrow("glob/c.mp3 is given twice (by glob/* and by glob/*.mp3)");
  });
});
