/**
 * Naming known voices: names checked, speakers matched one to one above the threshold, prints saved and refused
 * when another model or pipeline made them, and (on the LibriSpeech fixtures) a conversation of three speakers
 * whose two enrolled voices get their names, through the API (batch and live) and the CLI (also --live, and
 * senko voice-print).
 */
import { afterAll, describe, expect, test } from "bun:test";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { voiceOptions } from "../src/cli/voice-flags.ts";
import { Diarizer, type Progress } from "../src/diarizer.ts";
import type { PipelineName } from "../src/pipeline/registry.ts";
import { ConfigError, UsageError } from "../src/errors.ts";
import { toCsv, toRttm } from "../src/output/writers.ts";
import { SAMPLE_RATE, type PipelineResult } from "../src/types.ts";
import { matchVoices, nameSpeakers } from "../src/voices/name-speakers.ts";
import { checkVoiceName } from "../src/voices/voice-names.ts";
import { clipSpeaker, loadVoicePrint, printOf, saveVoicePrint, voicePrintJson } from "../src/voices/voice-print.ts";
import { withoutTiming } from "./helpers/live.ts";
import { skipWithout } from "./helpers/skip.ts";
import { conversation, longUtterances, referenceOf, voiceHalves, type VoiceHalves } from "./helpers/voice-halves.ts";
import { wavFloat } from "./helpers/wav.ts";
import { LIBRISPEECH_DIR, LIBRISPEECH_FIXTURES } from "./helpers/fixtures.ts";

const dir = mkdtempSync(join(tmpdir(), "senko-voices-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A 192-d unit-ish vector pointing mostly along axis `axis`. */
const along = (axis: number, noise = 0) => Float32Array.from({ length: 192 }, (_, i) => (i === axis ? 1 : noise * Math.sin(i * (axis + 1))));

test("a voice's clip: the speaker heard most, unless another talks half as long or more (whose voice it is would be a guess)", () => {
  const talk = (...seconds: number[]) => new Map(seconds.map((sec, i) => [`SPEAKER_0${i + 1}`, sec]));
  expect(clipSpeaker(talk(4.4), "bob.wav")).toEqual(["SPEAKER_01", 4.4]);
  // A backchannel, one reader heard as two (a LibriSpeech clip: 4.5 and 1.2 s), or a meeting one voice fills (dev00.wav,
  // trn09.wav: 26.7 s and 10.6 s) still makes the main voice's print.
  expect(clipSpeaker(talk(0.9, 23.1), "trn05.wav")).toEqual(["SPEAKER_02", 23.1]);
  expect(clipSpeaker(talk(4.5, 1.2), "reader.wav")).toEqual(["SPEAKER_01", 4.5]);
  expect(clipSpeaker(talk(26.7, 10.6), "trn09.wav")).toEqual(["SPEAKER_01", 26.7]);
  expect(() => clipSpeaker(talk(9.0, 7.1, 6.7, 0.4), "trn08.wav")).toThrow(
    new ConfigError("trn08.wav: not a clip of one speaker: 4 speakers heard (9.0, 7.1, 6.7, 0.4 s of speech), and the print would be of whoever talks most: give a clip of the speaker alone"),
  );
  expect(() => clipSpeaker(talk(4, 2), "x.wav")).toThrow("2 speakers heard (4.0, 2.0 s of speech)");
  expect(clipSpeaker(talk(4, 1.99), "x.wav")).toEqual(["SPEAKER_01", 4]);
  expect(() => clipSpeaker(talk(), "silence.wav")).toThrow("silence.wav: no speech heard, so no voice print: give a clip of the speaker talking");
});

test("voice names: one word of letters, digits, _ - . ' in any script; not SPEAKER_<n>", () => {
  for (const name of ["Alice", "Alice_Smith", "O'Brien", "José", "李雷", "dr.who-2"]) expect(() => checkVoiceName(name)).not.toThrow();
  for (const name of ["", "Alice Smith", "a\tb", "Smith,J", "<b>", "SPEAKER_01", "speaker_7", "x".repeat(65)]) expect(() => checkVoiceName(name)).toThrow(ConfigError);
  expect(() => checkVoiceName("Alice Smith")).toThrow('write Alice_Smith for "Alice Smith"');
});

test("matchVoices: one speaker per voice, the assignment of highest similarity, nobody under the threshold", () => {
  const centroids = { SPEAKER_01: along(0, 0.1), SPEAKER_02: along(1, 0.1), SPEAKER_03: along(2, 0.1) };
  const matched = matchVoices(centroids, new Map([["Alice", along(1)], ["Bob", along(0)], ["Carol", along(5)]]), 0.5);
  expect(matched.get("SPEAKER_01")!.voice).toBe("Bob");
  expect(matched.get("SPEAKER_02")!.voice).toBe("Alice");
  expect(matched.get("SPEAKER_03")!.voice).toBeNull();
  expect(matched.get("SPEAKER_02")!.similarity).toBeGreaterThan(0.7);
  // Two voices near one speaker: only the nearer takes it.
  const one = matchVoices({ SPEAKER_01: along(0) }, new Map([["A", along(0, 0.3)], ["B", along(0, 0.1)]]), 0.5);
  expect(one.get("SPEAKER_01")!.voice).toBe("B");
});

test("nameSpeakers renames turns and centroids and records the matches; RTTM and CSV write the names as given", () => {
  const result = {
    rawSegments: [{ start: 0, end: 1, speaker: "SPEAKER_01" }, { start: 1, end: 2, speaker: "SPEAKER_02" }],
    mergedSegments: [{ start: 0, end: 1, speaker: "SPEAKER_01" }, { start: 1, end: 2, speaker: "SPEAKER_02" }],
    exclusiveSegments: [{ start: 0, end: 1, speaker: "SPEAKER_01" }, { start: 1, end: 2, speaker: "SPEAKER_02" }],
    speakerCentroids: { SPEAKER_01: along(0), SPEAKER_02: along(1) },
  };
  const named = nameSpeakers(result as unknown as PipelineResult, new Map([["O'Brien", along(1)]]), 0.5);
  expect(named.mergedSegments.map((s) => s.speaker)).toEqual(["SPEAKER_01", "O'Brien"]);
  expect(named.exclusiveSegments.map((s) => s.speaker)).toEqual(["SPEAKER_01", "O'Brien"]);
  expect(Object.keys(named.speakerCentroids)).toEqual(["SPEAKER_01", "O'Brien"]);
  expect(named.speakerVoices["O'Brien"]).toMatchObject({ label: "SPEAKER_02", voice: "O'Brien" });
  expect(named.speakerVoices.SPEAKER_01).toMatchObject({ label: "SPEAKER_01", voice: null });
  expect(toRttm(named as never, "talk")).toContain("SPEAKER talk 1 1.000 1.000 <NA> <NA> O'Brien <NA> <NA>");
  expect(toCsv(named as never)).toContain("1.000,2.000,O'Brien\n");
});

test("a saved print loads back; one of another model or pipeline, or no print, is refused", () => {
  const print = printOf("overlap-aware", along(3, 0.2), 6.5);
  const path = join(dir, "alice.json");
  saveVoicePrint(path, print);
  const loaded = loadVoicePrint(path, "overlap-aware");
  expect(loaded.speechSec).toBe(6.5);
  expect(Array.from(loaded.vector)).toEqual(Array.from(print.vector).map((x) => Math.fround(+x.toPrecision(7))));
  const other = join(dir, "other-model.json");
  writeFileSync(other, voicePrintJson({ ...print, modelSha256: "0".repeat(64) }));
  expect(() => loadVoicePrint(other)).toThrow(/other-model\.json: a voice print of model campplus \(sha256 000000000000\), but this senko embeds with campplus \(sha256 aa3cfc16963a\)/);
  expect(() => loadVoicePrint(path, "vad-windows")).toThrow("a voice print of the overlap-aware pipeline, but this Diarizer runs vad-windows");
  writeFileSync(join(dir, "result.json"), '{"mergedSegments": []}');
  expect(() => loadVoicePrint(join(dir, "result.json"))).toThrow('not a voice print (no "format": "senko-voice-print/1")');
  expect(() => new Diarizer({ voices: { Alice: { ...print, model: "ecapa" } } })).toThrow("voices.Alice: a voice print of model ecapa");
  expect(() => new Diarizer({ voices: { "Alice Smith": path } })).toThrow(ConfigError);
});

test("--voice: NAME=FILE, each checked in one line; --voice-threshold: a cosine similarity in (-1, 1], with --voice", () => {
  const path = join(dir, "alice.json");
  const voiceFlags = (voice: string[] | undefined, pipeline?: PipelineName) => voiceOptions({ voice }, pipeline).voices;
  expect(voiceFlags([`Alice=${path}`, `Bob=${path}`])).toEqual({ Alice: path, Bob: path });
  expect(voiceOptions({}, undefined)).toEqual({ voices: undefined, voiceThreshold: undefined });
  // A print of the other pipeline, in the flags' words (the Diarizer's would say "this Diarizer").
  expect(() => voiceFlags([`Alice=${path}`], "vad-windows")).toThrow(
    `--voice Alice=${path}: a voice print of the overlap-aware pipeline, but --pipeline is vad-windows, whose embeddings do not compare with it: make the print with senko voice-print --pipeline vad-windows`,
  );
  const bob = join(dir, "bob-vad-windows.json");
  writeFileSync(bob, voicePrintJson(printOf("vad-windows", along(5, 0.3), 4)));
  expect(voiceFlags([`Bob=${bob}`], "vad-windows")).toEqual({ Bob: bob });
  expect(() => voiceFlags([`Bob=${bob}`])).toThrow(
    `--voice Bob=${bob}: a voice print of the vad-windows pipeline, but the pipeline is overlap-aware (the default), whose embeddings do not compare with it: add --pipeline vad-windows, or make the print with senko voice-print`,
  );
  expect(() => voiceFlags(["Alice"])).toThrow('--voice takes NAME=FILE: a name (letters, digits, _ - . \') and an audio clip of that speaker alone or a saved voice print .json, got "Alice"');
  expect(() => voiceFlags(["=a.wav"])).toThrow(UsageError);
  expect(() => voiceFlags(["Alice="])).toThrow(UsageError);
  expect(() => voiceFlags([`Alice Smith=${path}`])).toThrow(`--voice Alice Smith=${path}: voice name "Alice Smith"`);
  expect(() => voiceFlags([`Alice=${path}`, `Alice=${path}`])).toThrow("Alice is given twice");
  expect(() => voiceFlags([`Alice=${join(dir, "missing.wav")}`])).toThrow("missing.wav: no such file");
  for (const [given, threshold] of [["0.55", 0.55], ["1", 1], ["-0.2", -0.2], [".6", 0.6]] as const) {
    expect(voiceOptions({ voice: [`Alice=${path}`], "voice-threshold": given }, undefined).voiceThreshold).toBe(threshold);
  }
  for (const given of ["-1", "1.01", "high", "", "0.5x", "NaN"]) {
    expect(() => voiceOptions({ voice: [`Alice=${path}`], "voice-threshold": given }, undefined)).toThrow(
      `--voice-threshold takes a cosine similarity above -1 and at most 1 (default 0.5 overlap-aware, 0.7 vad-windows), got "${given}"`,
    );
  }
  expect(() => voiceOptions({ "voice-threshold": "0.6" }, undefined)).toThrow("--voice-threshold goes with --voice: without voices it names nobody");
});

test("voiceThreshold: a number above -1 and at most 1, with voices; a ConfigError otherwise", () => {
  const print = printOf("overlap-aware", along(3, 0.2), 6.5);
  expect(new Diarizer({ voices: { Alice: print }, voiceThreshold: 0.3 }).options.voiceThreshold).toBe(0.3);
  for (const voiceThreshold of [-1, 1.5, Number.NaN, "0.5"]) {
    expect(() => new Diarizer({ voices: { Alice: print }, voiceThreshold: voiceThreshold as number })).toThrow(
      `voiceThreshold must be a cosine similarity above -1 and at most 1 (overlap-aware's default: 0.5), got ${typeof voiceThreshold === "string" ? `"${voiceThreshold}"` : voiceThreshold}`,
    );
  }
  expect(() => new Diarizer({ pipeline: "vad-windows", voices: { Alice: { ...print, pipeline: "vad-windows" } }, voiceThreshold: 2 })).toThrow("(vad-windows's default: 0.7), got 2");
  expect(() => new Diarizer({ voiceThreshold: 0.5 })).toThrow(new ConfigError("voiceThreshold goes with voices: without them it names nobody"));
});

const files = existsSync(LIBRISPEECH_DIR) ? longUtterances().slice(0, 4) : [];
const skip = skipWithout("voices.test.ts", { [LIBRISPEECH_FIXTURES]: files.length === 4 });

describe.skipIf(skip)("known voices in a simulated conversation (LibriSpeech halves)", () => {
  // Three speakers talk; the first two are enrolled from their first halves, the fourth is not in the audio.
  let halves: VoiceHalves[];
  let talk: ReturnType<typeof conversation>;
  const diarizers: Diarizer[] = [];
  afterAll(() => Promise.all(diarizers.map((d) => d.close())));
  const clip = (samples: Float32Array) => ({ samples, sampleRate: SAMPLE_RATE });
  const setUp = async () => {
    halves ??= await Promise.all(files.map(voiceHalves));
    talk ??= conversation(halves.slice(0, 3));
    return { halves, talk };
  };

  for (const pipeline of ["overlap-aware", "vad-windows"] as const) {
    test(`${pipeline}: the two enrolled voices get their names, the third speaker stays SPEAKER_xx, a voice not heard names nobody`, async () => {
      const { halves, talk } = await setUp();
      const enroller = new Diarizer({ pipeline, threads: 1 });
      diarizers.push(enroller);
      const [alice, bob, , dave] = await Promise.all(halves.map((h) => enroller.voicePrint(clip(h.enrollment))));
      // The counts asked for are the conversation's: enrolling under numSpeakers 3 gives the same print.
      const counted = new Diarizer({ pipeline, threads: 1, numSpeakers: 3 });
      diarizers.push(counted);
      expect(Array.from((await counted.voicePrint(clip(halves[0]!.enrollment))).vector)).toEqual(Array.from(alice!.vector));
      const diarizer = new Diarizer({ pipeline, threads: 1, voices: { Alice: alice!, Bob: bob! } });
      diarizers.push(diarizer);
      const result = await diarizer.diarize(clip(talk.samples));
      const truth = referenceOf(result.mergedSegments, talk.reference);
      const named = Object.entries(result.speakerVoices!).filter(([, v]) => v.voice !== null);
      expect(named.map(([name]) => name).sort()).toEqual(["Alice", "Bob"]);
      expect(truth.get("Alice")).toBe(halves[0]!.speaker);
      expect(truth.get("Bob")).toBe(halves[1]!.speaker);
      const third = [...truth].find(([, speaker]) => speaker === halves[2]!.speaker)![0];
      expect(third).toMatch(/^SPEAKER_\d\d$/);
      expect(result.speakerVoices![third]!.voice).toBeNull();
      expect(Object.keys(result.speakerCentroids).sort()).toEqual(Object.keys(result.speakerVoices!).sort());

      // Live, in 2 s pushes: the snapshots show the voices' names, and the result is the batch one.
      const session = diarizer.live({ sampleRate: SAMPLE_RATE });
      const shown = new Set<string>();
      for (let at = 0; at < talk.samples.length; at += 2 * SAMPLE_RATE) {
        for (const name of (await session.push(talk.samples.subarray(at, at + 2 * SAMPLE_RATE))).speakers) shown.add(name);
      }
      const final = await session.close();
      expect(withoutTiming(final)).toEqual(withoutTiming(result));
      expect(shown.has("Alice") && shown.has("Bob")).toBe(true);
      // The unnamed speaker keeps its live name (numbered by appearance, not talk time: resultNames maps it).
      expect(session.last.speakers.filter((name) => !/^SPEAKER_\d\d$/.test(name)).sort()).toEqual(["Alice", "Bob"]);
      expect(session.resultNames).toMatchObject({ Alice: "Alice", Bob: "Bob" });
      expect(session.last.turns.filter((t) => t.speaker === "Alice").length).toBeGreaterThan(0);

      const stranger = new Diarizer({ pipeline, threads: 1, voices: { Dave: dave! } });
      diarizers.push(stranger);
      const unnamed = await stranger.diarize(clip(talk.samples));
      expect(unnamed.mergedSegments.every((s) => /^SPEAKER_\d\d$/.test(s.speaker))).toBe(true);
      expect(Object.values(unnamed.speakerVoices!).every((v) => v.voice === null)).toBe(true);
      // Below every speaker's similarity (voiceThreshold), the absent voice names the nearest speaker, live too.
      const lenient = new Diarizer({ pipeline, threads: 1, voices: { Dave: dave! }, voiceThreshold: -0.99 });
      diarizers.push(lenient);
      const daveNamed = await lenient.diarize(clip(talk.samples));
      const nearest = Object.entries(unnamed.speakerVoices!).sort(([, a], [, b]) => b.similarity - a.similarity)[0]![0];
      expect(daveNamed.speakerVoices!.Dave).toMatchObject({ label: nearest, voice: "Dave" });
      const lenientLive = lenient.live({ sampleRate: SAMPLE_RATE });
      expect((await lenientLive.push(talk.samples)).speakers).toContain("Dave");
      expect(withoutTiming(await lenientLive.close())).toEqual(withoutTiming(daveNamed));
    }, 120_000);
  }

  test("onProgress: enrolling the voices' clips is one \"voices\" stage, not the input's stages run twice (a bar that restarts)", async () => {
    const { halves, talk } = await setUp();
    const seen: Progress[] = [];
    const diarizer = new Diarizer({ threads: 1, voices: { Alice: clip(halves[0]!.enrollment), Bob: clip(halves[1]!.enrollment) }, onProgress: (p) => seen.push(p) });
    diarizers.push(diarizer);
    await diarizer.diarize(clip(talk.samples));
    const stages = seen.map((p) => p.stage).filter((stage, i, all) => stage !== all[i - 1]);
    expect(stages).toEqual(["voices", "audio", "segmentation", "embeddings"]);
    expect(seen.filter((p) => p.stage === "voices").map((p) => `${p.done}/${p.total}`)).toEqual(["1/2", "2/2"]);
    // The input's stages each go forward, and end done.
    for (const stage of stages) {
      const done = seen.filter((p) => p.stage === stage).map((p) => p.done);
      expect(done).toEqual([...done].sort((a, b) => a - b));
      expect(seen.findLast((p) => p.stage === stage)).toMatchObject({ done: seen.findLast((p) => p.stage === stage)!.total });
    }
    // The prints are made once: the next call reports only its input.
    seen.length = 0;
    await diarizer.diarize(clip(talk.samples));
    expect(seen.some((p) => p.stage === "voices")).toBe(false);
    expect(seen.filter((p) => p.stage === "audio")).toHaveLength(1);
    // Asked for on its own, a clip's print is the call's work: its stages are reported as any input's.
    seen.length = 0;
    await diarizer.voicePrint(clip(halves[2]!.enrollment));
    expect(seen.map((p) => p.stage).filter((stage, i, all) => stage !== all[i - 1])).toEqual(["audio", "segmentation", "embeddings"]);
  }, 120_000);

  test("CLI: --voice with a clip and a saved print names the speakers in RTTM, also --live with a print from senko voice-print; a bad --voice or voice-print is one line, exit 2, no output", async () => {
    const { halves, talk } = await setUp();
    writeFileSync(join(dir, "talk.wav"), wavFloat(talk.samples));
    writeFileSync(join(dir, "alice.wav"), wavFloat(halves[0]!.enrollment));
    const enroller = new Diarizer({ threads: 1 });
    diarizers.push(enroller);
    saveVoicePrint(join(dir, "bob.json"), await enroller.voicePrint(clip(halves[1]!.enrollment)));
    const run = async (...args: string[]) => {
      const proc = Bun.spawn([process.execPath, "run", join(import.meta.dir, "../diarize.ts"), ...args], { cwd: dir, stdout: "pipe", stderr: "pipe", env: { ...process.env, SENKO_DEBUG: undefined } });
      const [stdout, stderr, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
      return { stdout, stderr, code };
    };
    const ok = await run("talk.wav", "--voice", "Alice=alice.wav", "--voice", "Bob=bob.json", "--format", "rttm", "--threads", "1", "-q");
    expect(ok.stderr).toBe("");
    expect(ok.code).toBe(0);
    const speakers = new Set(ok.stdout.trim().split("\n").map((line) => line.split(" ")[7]));
    expect(speakers.has("Alice")).toBe(true);
    expect(speakers.has("Bob")).toBe(true);
    expect(speakers.size).toBe(3);

    const bad = await run("talk.wav", "--voice", "Alice", "--out", "bad.rttm", "-q");
    expect(bad.code).toBe(2);
    expect(bad.stderr).toBe(`senko: --voice takes NAME=FILE: a name (letters, digits, _ - . ') and an audio clip of that speaker alone or a saved voice print .json, got "Alice"\n`);
    expect(existsSync(join(dir, "bad.rttm"))).toBe(false);
    // A print of the other pipeline: refused before any input is diarized.
    const other = await run("talk.wav", "--pipeline", "vad-windows", "--voice", "Bob=bob.json", "--out", "other.rttm", "-q");
    expect(other.code).toBe(2);
    const otherPipeline =
      "senko: --voice Bob=bob.json: a voice print of the overlap-aware pipeline, but --pipeline is vad-windows, whose embeddings do not compare with it: make the print with senko voice-print --pipeline vad-windows\n";
    expect(other.stderr).toBe(otherPipeline);
    expect(readFileSync(join(dir, "talk.wav")).length).toBeGreaterThan(0);
    expect(existsSync(join(dir, "other.rttm"))).toBe(false);
    // senko submit makes its voices prints before it reaches Redis: the same refusal, nothing queued.
    const submitted = await run("submit", "--redis", "redis://127.0.0.1:1", "talk.wav", "--out-dir", "queued", "--pipeline", "vad-windows", "--voice", "Bob=bob.json");
    expect(submitted.code).toBe(2);
    expect(submitted.stderr).toBe(otherPipeline);

    // senko voice-print saves Bob's print; --live --voice names both in what it prints and in its result.
    writeFileSync(join(dir, "bob.wav"), wavFloat(halves[1]!.enrollment));
    const printed = await run("voice-print", "bob.wav", "--out", "bob-cli.json", "--threads", "1");
    expect(printed.stderr).toMatch(/^bob\.wav: the voice print of \d+\.\d s of speech \(pipeline overlap-aware\) is in bob-cli\.json\n$/);
    expect(printed.code).toBe(0);
    expect(await run("voice-print", "bob.wav", "--out", "bob-quiet.json", "--threads", "1", "-q")).toEqual({ stdout: "", stderr: "", code: 0 });
    expect(loadVoicePrint(join(dir, "bob-cli.json"), "overlap-aware").speechSec).toBeGreaterThan(3);
    const live = await run("--live", "talk.wav", "--voice", "Alice=alice.wav", "--voice", "Bob=bob-cli.json", "--out", "live.rttm", "--threads", "1", "-q");
    expect(live.code).toBe(0);
    expect(live.stdout).toContain("Alice");
    expect(live.stdout).toContain("Bob");
    expect(readFileSync(join(dir, "live.rttm"), "utf8")).toBe(ok.stdout);

    // Bad input: one line, exit 2, no print.
    writeFileSync(join(dir, "silence.wav"), wavFloat(new Float32Array(3 * SAMPLE_RATE)));
    for (const [args, message] of [
      [["silence.wav", "--out", "silence.json"], "silence.wav: no speech heard, so no voice print"],
      // The conversation: its print would be of whoever talks most there, named as the voice meant.
      [["talk.wav", "--out", "talk.json"], "talk.wav: not a clip of one speaker: 3 speakers heard ("],
      [["missing.wav", "--out", "missing.json"], "missing.wav"],
      [["bob.wav"], "--out <file>.json names where the print goes, got none"],
      [["bob.wav", "--out", "bob.rttm"], '--out <file>.json names where the print goes, got "bob.rttm"'],
      [["bob.wav", "bob.wav", "--out", "two.json"], "senko: voice-print takes one clip of the speaker, got 2"],
    ] as const) {
      const bad = await run("voice-print", ...args, "--threads", "1");
      expect(bad.code).toBe(2);
      expect(bad.stderr).toContain(message);
      expect(bad.stderr.trim().split("\n")).toHaveLength(1);
    }
    for (const file of ["silence.json", "talk.json", "missing.json", "bob.rttm", "two.json"]) expect(existsSync(join(dir, file))).toBe(false);
  }, 180_000);
});
