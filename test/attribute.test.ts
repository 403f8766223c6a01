/**
 * Who said what. Transcripts in every format senko reads are made from the AMI reference RTTMs (words
 * placed where exactly one reference speaker talks: test/helpers/transcripts.ts), then attributed to
 * that reference: every word must get its speaker. Then the rules on their own (overlap, gaps, turns,
 * subtitles of a transcript), the readers' edge cases, and the CLI (`senko attribute`, `--transcript`).
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { readRttm, writeRttm, type Turn } from "../src/eval/rttm.ts";
import { TranscriptFormatError } from "../src/errors.ts";
import { formatResult } from "../src/output/writers.ts";
import { attributeTranscript, attributeWords, speakerTurns } from "../src/transcript/attribute.ts";
import { parseTranscript } from "../src/transcript/read.ts";
import { formatTranscript, transcriptCues } from "../src/transcript/write.ts";
import type { TimedWord } from "../src/transcript/words.ts";
import { resultOf } from "./helpers/results.ts";
import { checkSrt, checkVtt } from "./helpers/subtitle-rules.ts";
import { fasterWhisperJson, highlighted, openaiWhisperJson, rollingVtt, soloStretches, srt, vtt, whisperCppJson, wordsInside, type KnownWord } from "./helpers/transcripts.ts";
import { AMI_DIR, hasAmi, withoutAmi } from "./helpers/fixtures.ts";

const root = resolve(import.meta.dir, "..");
const bun = join(root, "node_modules", ".bin", "bun");
const fixtures = AMI_DIR;
const noFixtures = withoutAmi("attribute.test.ts");

/** Every AMI fixture's reference turns, by file id. */
const references = hasAmi
  ? new Map([...readRttm(readFileSync(join(fixtures, "dev.rttm"), "utf8")), ...readRttm(readFileSync(join(fixtures, "train.rttm"), "utf8"))])
  : new Map<string, Turn[]>();

const formats: [string, (words: KnownWord[]) => Uint8Array | string, string, boolean][] = [
  ["whisper.cpp -ojf", whisperCppJson, "whisper.cpp-json", true],
  ["openai-whisper JSON", openaiWhisperJson, "whisper-json", true],
  ["faster-whisper JSON", fasterWhisperJson, "faster-whisper-json", true],
  ["SRT, a cue per segment", (w) => srt(w, false), "srt", false],
  ["SRT, a cue per word", (w) => srt(w, true), "srt", true],
  ["WebVTT with cue timestamps", vtt, "vtt", true],
  ["SRT, openai-whisper --highlight_words", (w) => highlighted(w, "srt"), "srt", true],
  ["WebVTT, openai-whisper --highlight_words", (w) => highlighted(w, "vtt"), "vtt", true],
  ["WebVTT, YouTube rolling auto captions", rollingVtt, "vtt", true],
];

describe.skipIf(noFixtures)("words placed in the AMI reference turns get the reference speaker", () => {
  for (const [name, write, format, exact] of formats) {
    test(`${name}: all 11 fixtures, every word right`, () => {
      let total = 0;
      let estimated = 0;
      for (const [id, turns] of references) {
        const known = wordsInside(soloStretches(turns));
        const transcript = parseTranscript(write(known), `${id} ${name}`);
        expect(transcript.format as string).toBe(format);
        expect(transcript.words.map((w) => w.text.trim())).toEqual(known.map((w) => w.text.trim()));
        if (exact) {
          expect(transcript.estimated).toBe(0);
          transcript.words.forEach((w, i) => {
            expect(Math.abs(w.start - known[i]!.start)).toBeLessThan(0.011);
            expect(Math.abs(w.end - known[i]!.end)).toBeLessThan(0.011 + (format === "vtt" ? 0.08 : 0));
          });
        }
        estimated += transcript.estimated;
        const attributed = attributeTranscript(transcript, { mergedSegments: turns });
        const speakers = attributed.turns.flatMap((t) => t.words.map((w) => w.speaker));
        expect(speakers).toEqual(known.map((w) => w.speaker));
        total += known.length;
      }
      // The fixtures have enough solo speech for a real test: hundreds of words.
      expect(total).toBeGreaterThan(300);
      // Multi-word cues time their words by length: the right speaker all the same, as each cue lies in one turn.
      if (!exact) expect(estimated).toBeGreaterThan(total / 2);
    });
  }

  test("speaker turns regroup the words by reference speaker, in order, with the source's spacing", () => {
    const turns = references.get("dev00")!;
    const known = wordsInside(soloStretches(turns));
    const attributed = attributeTranscript(parseTranscript(openaiWhisperJson(known)), { mergedSegments: turns });
    const expected: { speaker: string; text: string }[] = [];
    for (const w of known) {
      const last = expected.at(-1);
      if (last?.speaker === w.speaker) last.text += w.text;
      else expected.push({ speaker: w.speaker, text: w.text });
    }
    expect(attributed.turns.map((t) => ({ speaker: t.speaker, text: t.text }))).toEqual(expected.map((e) => ({ ...e, text: e.text.trim() })));
    expect(attributed.turns.length).toBeGreaterThan(3);
  });
});

const w = (text: string, start: number, end: number): TimedWord => ({ text, start, end });
const seg = (start: number, end: number, speaker: string) => ({ start, end, speaker });

describe("the rules", () => {
  test("most overlap wins; a word across a change of speaker goes to the larger share", () => {
    const turns = [seg(0, 2, "A"), seg(2, 4, "B")];
    expect(attributeWords([w(" x", 1.5, 2.4), w(" y", 1.9, 2.6), w(" z", 2, 2)], turns).map((x) => x.speaker)).toEqual(["A", "B", "B"]);
  });

  test("in a gap: the nearest turn, the earlier one on a tie; before the first and after the last turn", () => {
    const turns = [seg(1, 2, "A"), seg(5, 6, "B")];
    const words = [w(" a", 2.5, 2.9), w(" b", 4.2, 4.6), w(" c", 3.3, 3.7), w(" d", 0, 0.5), w(" e", 7, 8)];
    expect(attributeWords(words, turns).map((x) => x.speaker)).toEqual(["A", "B", "A", "A", "B"]);
  });

  test("overlapping turns: the exclusive view decides (the interjection, then the long turn again)", () => {
    const turns = [seg(0, 10, "A"), seg(4, 5, "B")];
    expect(attributeWords([w(" 1", 3, 3.8), w(" 2", 4.1, 4.9), w(" 3", 5.2, 6)], turns).map((x) => x.speaker)).toEqual(["A", "B", "A"]);
    // A result's own exclusive view wins over the computed one.
    const own = attributeTranscript({ format: "srt", words: [w(" 2", 4.1, 4.9)], estimated: 0 }, { mergedSegments: turns, exclusiveSegments: [seg(0, 10, "A")] });
    expect(own.turns[0]!.speaker).toBe("A");
  });

  test("no speakers at all: every word UNKNOWN, still written", () => {
    const attributed = attributeTranscript({ format: "srt", words: [w(" hello", 1, 2)], estimated: 0 }, { mergedSegments: [] });
    expect(attributed.turns).toEqual([{ speaker: null, start: 1, end: 2, text: "hello", words: [{ ...w(" hello", 1, 2), speaker: null }] }]);
    expect(formatTranscript(attributed, "text")).toBe("00:00:01.00 - 00:00:02.00  UNKNOWN: hello\n");
  });

  test("languages without spaces keep their words joined", () => {
    const turns = speakerTurns([
      { ...w("今日", 0, 0.4), speaker: "A" },
      { ...w("は", 0.4, 0.6), speaker: "A" },
      { ...w(" OK", 0.7, 0.9), speaker: "A" },
    ]);
    expect(turns[0]!.text).toBe("今日は OK");
  });
});

describe("written out", () => {
  const turns = [seg(0, 30, "SPEAKER_01"), seg(30, 40, "SPEAKER_02")];
  const words: TimedWord[] = [];
  for (let i = 0; i < 50; i++) words.push(w(` word${i}`, i * 0.6, i * 0.6 + 0.5));
  words.push(w(" <b>&", 30.1, 30.4), w(" -->", 30.5, 30.9));
  const attributed = attributeTranscript({ format: "whisper-json", words, estimated: 0 }, { mergedSegments: turns });

  test("subtitles: cues of at most 2 x 42 characters and 7 s, never across speakers or overlapping, valid", () => {
    const cues = transcriptCues(attributed);
    for (const c of cues) {
      expect(c.text!.split("\n").every((line) => line.length <= 42)).toBe(true);
      expect(c.end - c.start).toBeLessThanOrEqual(7);
    }
    expect(cues.every((c, i) => i === 0 || c.start >= cues[i - 1]!.end)).toBe(true);
    expect(cues.filter((c) => c.speaker === "SPEAKER_02").map((c) => c.text)).toEqual(["<b>& -->"]);
    const vttFile = formatTranscript(attributed, "vtt");
    const srtFile = formatTranscript(attributed, "srt");
    expect(checkVtt(vttFile).problems).toEqual([]);
    expect(checkSrt(srtFile).problems).toEqual([]);
    expect(vttFile).toContain("<v SPEAKER_02>&lt;b&gt;&amp; -&gt;</v>");
    expect(srtFile).toContain("SPEAKER_02: <b>& ->");
    expect(checkSrt(srtFile).cues.length).toBe(cues.length);
    // Every word appears once, in order.
    const said = cues.map((c) => c.text!.replace("\n", " ")).join(" ");
    expect(said).toBe([...words.map((x) => x.text.trim())].join(" "));
  });

  test("subtitle lines fit in 42 characters however the words fall, SRT's `SPEAKER_01: ` included", () => {
    const sentence = " so the remote control café, should be naïve and cheap. Yeah I think we can do that? über design okay".split(" ").slice(1);
    const said = Array.from({ length: 60 }, (_, i) => w(` ${sentence[i % sentence.length]}`, i * 0.3, i * 0.3 + 0.25));
    const t = attributeTranscript({ format: "whisper-json", words: said, estimated: 0 }, { mergedSegments: [seg(0, 9, "SPEAKER_01"), seg(9, 20, "SPEAKER_02")] });
    const srtCues = checkSrt(formatTranscript(t, "srt")).cues;
    const vttCues = checkVtt(formatTranscript(t, "vtt")).cues;
    const lines = [...srtCues.flatMap((c) => c.lines), ...vttCues.flatMap((c) => c.lines.map((l) => l.replace(/<\/?v[^>]*>/g, "")))];
    expect(lines.filter((l) => l.length > 42)).toEqual([]);
    expect(srtCues.map((c) => c.lines.join(" ").replace(/^SPEAKER_0\d: /, "")).join(" ")).toBe(said.map((x) => x.text.trim()).join(" "));
    expect(srtCues.length).toBeLessThan(said.length / 4); // cues are filled, not a word each
  });

  test("formatResult writes a transcript attributed before as it is (a run with several formats attributes it once)", () => {
    const result = resultOf([seg(0, 40, "SPEAKER_09")]);
    for (const format of ["text", "srt", "vtt"] as const) expect(formatResult(result, format, "a.wav", { transcript: attributed })).toBe(formatTranscript(attributed, format));
    expect(JSON.parse(formatResult(result, "json", "a.wav", { transcript: attributed })).transcript.speakers).toEqual(["SPEAKER_01", "SPEAKER_02"]);
    expect(formatResult(result, "html", "a.wav", { transcript: attributed })).toContain('"SPEAKER_02","\\u003cb>& -->"');
    // Words not yet attributed are attributed to the result.
    expect(formatResult(result, "text", "a.wav", { transcript: { format: "srt", words: [w(" hi", 1, 2)], estimated: 0 } })).toBe("00:00:01.00 - 00:00:02.00  SPEAKER_09: hi\n");
  });

  test("text and JSON", () => {
    const text = formatTranscript(attributed, "text").split("\n");
    expect(text[0]).toStartWith("00:00:00.00 - 00:00:29.90  SPEAKER_01: word0 word1 ");
    expect(text[1]).toBe("00:00:30.10 - 00:00:30.90  SPEAKER_02: <b>& -->");
    const json = JSON.parse(formatTranscript(attributed, "json", "talk.json"));
    expect(json.transcript).toBe("talk.json");
    expect(json.speakers).toEqual(["SPEAKER_01", "SPEAKER_02"]);
    expect(json.turns[1]).toEqual({ speaker: "SPEAKER_02", start: 30.1, end: 30.9, text: "<b>& -->", words: [{ start: 30.1, end: 30.4, text: "<b>&" }, { start: 30.5, end: 30.9, text: "-->" }] });
  });
});

describe("reading transcripts", () => {
  test("whisper.cpp plain -oj (no tokens) and openai-whisper without words: words spread over each segment", () => {
    const cpp = parseTranscript(JSON.stringify({ transcription: [{ offsets: { from: 1000, to: 3000 }, text: " one two three" }] }));
    expect(cpp.words).toEqual([w(" one", 1, 1 + 2 * (3 / 11)), w(" two", 1 + 2 * (3 / 11), 1 + 2 * (6 / 11)), w(" three", 1 + 2 * (6 / 11), 3)]);
    expect(cpp.estimated).toBe(3);
    const whisper = parseTranscript(JSON.stringify({ segments: [{ start: 0, end: 1, text: " ab cd" }] }));
    expect([whisper.format, whisper.estimated, whisper.words.map((x) => [x.start, x.end])]).toEqual(["whisper-json", 2, [[0, 0.5], [0.5, 1]]]);
  });

  test("WhisperX words without times (numbers) get times between their neighbours", () => {
    const t = parseTranscript(JSON.stringify({ segments: [{ start: 0, end: 4, text: "a 42 b", words: [{ word: "a", start: 0.5, end: 1 }, { word: "42" }, { word: "b", start: 3, end: 3.5 }] }] }));
    expect(t.words.map((x) => [x.text, x.start, x.end])).toEqual([["a", 0.5, 1], ["42", 1, 3], ["b", 3, 3.5]]);
    expect(t.estimated).toBe(1);
  });

  test("a faster-whisper list of segment dicts; an empty subtitle file; a BOM", () => {
    expect(parseTranscript(JSON.stringify([{ start: 0, end: 1, text: "x", words: [{ start: 0, end: 1, word: " x", probability: 1 }] }])).format).toBe("faster-whisper-json");
    expect(parseTranscript("\uFEFFWEBVTT\n\n00:01.000 --> 00:02.000\nhi &amp; bye\n").words.map((x) => x.text)).toEqual([" hi", " &", " bye"]);
    expect(parseTranscript("WEBVTT\n").words).toEqual([]);
  });

  const r3 = (t: number) => Math.round(t * 1000) / 1000;
  test("rolling captions without word times: a carried line counts once; a line said twice in plain subtitles stays twice", () => {
    const rolling = "WEBVTT\n\n00:01.000 --> 00:03.000\n \none two\n\n00:03.000 --> 00:03.010\none two\n \n\n00:03.010 --> 00:05.000\none two\nthree four\n";
    expect(parseTranscript(rolling).words.map((x) => [x.text, r3(x.start)])).toEqual([[" one", 1], [" two", 2], [" three", 3.01], [" four", r3(3.01 + (1.99 * 5) / 9)]]);
    expect(parseTranscript("WEBVTT\n\n00:01.000 --> 00:02.000\nNo.\n\n00:02.500 --> 00:03.000\nNo.\n").words.map((x) => x.text)).toEqual([" No.", " No."]);
    // Two-line subtitles whose lines happen to repeat once do not make the file rolling.
    const twoLines = "WEBVTT\n\n00:01.000 --> 00:02.000\nYes.\nNo.\n\n00:02.000 --> 00:03.000\nNo.\nMaybe.\n\n00:03.000 --> 00:04.000\nA b.\nC d.\n\n00:04.000 --> 00:05.000\nE f.\nG h.\n";
    expect(parseTranscript(twoLines).words.length).toBe(12);
    // A line of spaces before a timing line still ends a cue, as it did.
    expect(parseTranscript("WEBVTT\n \n00:01.000 --> 00:02.000\nhi\n \n00:02.500 --> 00:03.000\nthere\n").words.map((x) => [x.text, x.start])).toEqual([[" hi", 1], [" there", 2.5]]);
  });

  test("WebVTT cue timestamps outside their cue or going back time nothing: their words stay in the cue, in order, spread", () => {
    const words = (cue: string) => {
      const t = parseTranscript(`WEBVTT\n\n00:08.000 --> 00:10.000\nx y\n\n00:10.000 --> 00:12.000\n${cue}\n`);
      // After the cue before ("x y", two words spread): a word moved out of its cue would sort among them.
      return { estimated: t.estimated - 2, words: t.words.slice(2).map((x) => [x.text, r3(x.start), r3(x.end)]) };
    };
    // Before the cue's start (a timestamp of the cue before): "a b" from the start to the next timestamp.
    expect(words("a <00:09.500>b <00:11.000>c")).toEqual({ estimated: 2, words: [[" a", 10, 10.5], [" b", 10.5, 11], [" c", 11, 12]] });
    // After the cue's end: "b c" up to the end.
    expect(words("a <00:11.000>b <00:13.000>c")).toEqual({ estimated: 2, words: [[" a", 10, 11], [" b", 11, 11.5], [" c", 11.5, 12]] });
    // Going back: "b c" from the last timestamp that went forward to the next.
    expect(words("a <00:11.600>b <00:11.000>c <00:11.800>d")).toEqual({ estimated: 2, words: [[" a", 10, 11.6], [" b", 11.6, 11.7], [" c", 11.7, 11.8], [" d", 11.8, 12]] });
    // Timestamps that keep the rules time every word exactly, as before.
    expect(words("a <00:10.500>b <00:11.000>c")).toEqual({ estimated: 0, words: [[" a", 10, 10.5], [" b", 10.5, 11], [" c", 11, 12]] });
  });

  test("senko's own SRT read back: the `SPEAKER_01: ` before a cue's words is not said; a colon in the words stays", () => {
    const said = [w(" hello", 0.5, 1), w(" there", 1.1, 1.5), w(" note:", 2, 2.4), w(" it", 2.5, 3), w(" works", 3.1, 3.5)];
    const turns = [seg(0, 1.8, "SPEAKER_01"), seg(1.8, 4, "SPEAKER_02")];
    const srtFile = formatTranscript(attributeTranscript({ format: "whisper-json", words: said, estimated: 0 }, { mergedSegments: turns }), "srt");
    const back = parseTranscript(srtFile);
    expect(back.words.map((x) => x.text.trim())).toEqual(["hello", "there", "note:", "it", "works"]);
    expect(formatTranscript(attributeTranscript(back, { mergedSegments: turns }), "srt")).toBe(srtFile);
    // A name before the words of only some cues, or words before a colon, are what was said.
    const text = (...cues: string[]) => parseTranscript(cues.map((c, i) => `${i + 1}\n00:00:0${i},000 --> 00:00:0${i},900\n${c}\n`).join("\n")).words.map((x) => x.text.trim());
    expect(text("Note: we met", "then left")).toEqual(["Note:", "we", "met", "then", "left"]);
    expect(text("so I said: no", "he said: yes")).toEqual(["so", "I", "said:", "no", "he", "said:", "yes"]);
    // A word and a colon before every cue that senko did not write ("Note: "): said, and kept through senko's SRT.
    expect(text("Note: we met", "Note: then left")).toEqual(["Note:", "we", "met", "Note:", "then", "left"]);
    const notes = parseTranscript("1\n00:00:00,500 --> 00:00:01,500\nNote: hello\n\n2\n00:00:02,000 --> 00:00:03,500\nNote: it works\n");
    const notesSrt = formatTranscript(attributeTranscript(notes, { mergedSegments: turns }), "srt");
    expect(notesSrt).toContain("SPEAKER_01: Note: hello");
    expect(parseTranscript(notesSrt).words).toEqual(notes.words);
    // Words no speaker was found for are written as UNKNOWN's (one cue here), and read back without the name.
    const unknownSrt = formatTranscript(attributeTranscript(notes, { mergedSegments: [] }), "srt");
    expect(unknownSrt).toContain("UNKNOWN: Note: hello Note: it works");
    expect(parseTranscript(unknownSrt).words.map((x) => x.text)).toEqual(notes.words.map((x) => x.text));
    // WhisperX's `[SPEAKER_00]: ` before the cues its diarization gave a speaker (not necessarily all), SRT and WebVTT alike.
    const whisperx = ["[SPEAKER_00]: So we met.", "uh", "[SPEAKER_01]: Note: [SPEAKER_02]: stays"];
    expect(text(...whisperx)).toEqual(["So", "we", "met.", "uh", "Note:", "[SPEAKER_02]:", "stays"]);
    const vtt = `WEBVTT\n\n${whisperx.map((c, i) => `00:00:0${i}.000 --> 00:00:0${i}.900\n${c}\n`).join("\n")}`;
    expect(parseTranscript(vtt).words.map((x) => x.text.trim())).toEqual(["So", "we", "met.", "uh", "Note:", "[SPEAKER_02]:", "stays"]);
  });

  test("SRT of who said what by a reference's speakers (an RTTM's MEE068) reads back without their names", () => {
    const said = [w(" so", 0.5, 0.8), w(" the", 0.9, 1.1), w(" remote", 1.2, 1.6), w(" yeah", 2.2, 2.5)];
    for (const names of [["MEE068", "FEE005"], ["spk_0", "spk_1"]]) {
      const turns = [seg(0, 1.8, names[0]!), seg(1.8, 4, names[1]!)];
      const srtFile = formatTranscript(attributeTranscript({ format: "whisper-json", words: said, estimated: 0 }, { mergedSegments: turns }), "srt");
      expect(srtFile).toContain(`${names[0]}: so the remote`);
      const back = parseTranscript(srtFile);
      expect(back.words.map((x) => x.text.trim())).toEqual(["so", "the", "remote", "yeah"]);
      expect(formatTranscript(attributeTranscript(back, { mergedSegments: turns }), "srt")).toBe(srtFile);
    }
  });

  const bad: [string, string, string][] = [
    ["empty", "", "the transcript is empty"],
    ["broken JSON", '{"segments": [', "not valid JSON"],
    ["JSON of another shape", '{"results": []}', "JSON of an unknown shape"],
    ["plain text", "hello there\nhow are you\n", "not a transcript senko reads"],
    ["segments that are not objects", '{"segments": [1, 2]}', "JSON of an unknown shape"],
    ["a segment whose time is not a number", '{"segments": [{"start": 1, "end": 2, "text": " a b"}, {"start": "0:03", "end": 4, "text": " c"}]}', "1 word(s) without a usable time"],
    ["whisper.cpp tokens in a segment without offsets", '{"transcription": [{"text": " a", "tokens": [{"text": " a", "offsets": {"from": 0, "to": 10}}, {"text": " b"}]}]}', "1 word(s) without a usable time"],
  ];
  for (const [name, text, message] of bad) {
    test(`${name}: one TranscriptFormatError naming the file`, () => {
      expect(() => parseTranscript(text, "t.x")).toThrow(TranscriptFormatError);
      expect(() => parseTranscript(text, "t.x")).toThrow(`t.x: ${message}`);
    });
  }
});

describe.skipIf(noFixtures)("cli", () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "senko-attribute-test-"));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  async function cli(args: string[]) {
    const proc = Bun.spawn([bun, "run", join(root, "diarize.ts"), ...args], { cwd: dir, stdout: "pipe", stderr: "pipe", env: { ...process.env, SENKO_DEBUG: undefined } });
    const [code, stdout, stderr] = await Promise.all([proc.exited, new Response(proc.stdout).text(), new Response(proc.stderr).text()]);
    return { code, stdout, stderr };
  }

  test("senko attribute <transcript> <rttm | senko json>: every format, the reference's answer", async () => {
    const turns = references.get("dev01")!;
    const known = wordsInside(soloStretches(turns));
    writeFileSync(join(dir, "dev01.json"), whisperCppJson(known));
    writeFileSync(join(dir, "dev01.rttm"), writeRttm("dev01", turns));
    // senko's own JSON, here holding the overlapping reference turns as mergedSegments.
    writeFileSync(join(dir, "dev01.diarization.json"), JSON.stringify({ source: "dev01.wav", mergedSegments: turns }));

    const text = await cli(["attribute", "dev01.json", "dev01.rttm"]);
    expect(text.code).toBe(0);
    expect(text.stderr).toBe(`dev01.json: ${known.length} word(s), ${new Set(known.map((k) => k.speaker)).size} speaker(s), ${text.stdout.trimEnd().split("\n").length} turn(s) (whisper.cpp-json)\n`);
    const lines = text.stdout.trimEnd().split("\n");
    expect(lines.map((l) => l.split("  ")[1]!.split(":")[0])).toEqual(speakerTurns(known).map((t) => t.speaker as string));

    const json = await cli(["attribute", "dev01.json", "dev01.diarization.json", "--out", "who.json", "-q"]);
    expect([json.code, json.stdout, json.stderr]).toEqual([0, "", ""]);
    const turnsOut: { speaker: string; words: { text: string }[] }[] = JSON.parse(readFileSync(join(dir, "who.json"), "utf8")).turns;
    expect(turnsOut.flatMap((t) => t.words.map(() => t.speaker))).toEqual(known.map((k) => k.speaker));
    expect(turnsOut.flatMap((t) => t.words.map((x) => x.text))).toEqual(known.map((k) => k.text.trim()));

    for (const format of ["srt", "vtt"] as const) {
      const run = await cli(["attribute", "dev01.json", "dev01.rttm", "--format", format, "-q"]);
      expect(run.code).toBe(0);
      expect((format === "srt" ? checkSrt : checkVtt)(run.stdout).problems).toEqual([]);
    }
  }, 30_000);

  test("senko attribute to a full disk behind `>`: one line, exit 2, no trace", async () => {
    const turns = references.get("dev01")!;
    writeFileSync(join(dir, "full.json"), whisperCppJson(wordsInside(soloStretches(turns))));
    writeFileSync(join(dir, "full.rttm"), writeRttm("dev01", turns));
    const proc = Bun.spawn([bun, "run", join(root, "diarize.ts"), "attribute", "full.json", "full.rttm", "-q"], { cwd: dir, stdout: Bun.file("/dev/full"), stderr: "pipe", env: { ...process.env, SENKO_DEBUG: undefined } });
    const [code, stderr] = await Promise.all([proc.exited, new Response(proc.stderr).text()]);
    expect({ code, stderr }).toEqual({ code: 2, stderr: "senko: cannot write to stdout: no space left on the device\n" });
  }, 30_000);

  test("rolling captions (YouTube's, as yt-dlp saves them) to subtitles: each word shown once, in order, while it is said, by its speaker", async () => {
    const turns = references.get("trn08")!;
    const known = wordsInside(soloStretches(turns));
    writeFileSync(join(dir, "trn08.en.vtt"), rollingVtt(known));
    writeFileSync(join(dir, "trn08.rttm"), writeRttm("trn08", turns));
    for (const format of ["srt", "vtt"] as const) {
      const run = await cli(["attribute", "trn08.en.vtt", "trn08.rttm", "--format", format, "-q"]);
      expect([run.code, run.stderr]).toEqual([0, ""]);
      const { problems, cues } = (format === "srt" ? checkSrt : checkVtt)(run.stdout);
      expect(problems).toEqual([]);
      // One cue at a time, in order: each ends after it starts and before the next one starts.
      cues.forEach((c, i) => expect([c.end > c.start, c.start >= (cues[i - 1]?.end ?? 0)]).toEqual([true, true]));
      // What a viewer reads, word by word: the speaker the cue names, the word, and the cue's times.
      const seen = cues.flatMap((c) => {
        const [, speaker, text] = (format === "srt" ? /^(\w+): ([^]*)$/ : /^<v (\w+)>([^]*)<\/v>$/).exec(c.lines.join("\n"))!;
        return text!.split(/\s+/).map((word) => ({ speaker, word, start: c.start, end: c.end }));
      });
      expect(seen.map((s) => [s.speaker, s.word])).toEqual(known.map((k) => [k.speaker, k.text.trim()]));
      // Shown while said: the cue holds the word's time (WebVTT cue timestamps give starts; ends are the next word's start).
      seen.forEach((s, i) => expect([s.start <= known[i]!.start + 0.011, s.end >= known[i]!.end - 0.09]).toEqual([true, true]));
    }
  }, 30_000);

  test("mistakes: one line, exit 2", async () => {
    writeFileSync(join(dir, "notes.txt"), "just some text\n");
    writeFileSync(join(dir, "two.rttm"), readFileSync(join(fixtures, "dev.rttm")));
    writeFileSync(join(dir, "t.srt"), "1\n00:00:01,000 --> 00:00:02,000\nhello\n");
    writeFileSync(join(dir, "audio.wav"), readFileSync(join(fixtures, "dev00.wav")).subarray(0, 4096));
    const cases: [string[], string][] = [
      [["attribute", "t.srt"], "attribute takes two files, a transcript and a diarization (senko JSON or RTTM), got 1"],
      [["attribute", "notes.txt", "two.rttm"], "notes.txt: not a transcript senko reads"],
      [["attribute", "t.srt", "two.rttm"], "two.rttm: holds 2 recordings (dev00, dev01); give the RTTM of one"],
      [["attribute", "t.srt", "notes.txt"], 'notes.txt: not senko\'s JSON or an RTTM file (line 1 is "just some text")'],
      [["attribute", "t.srt", "missing.json"], "missing.json: file not found"],
      [["attribute", "t.srt", "two.rttm", "--out", "t.srt"], "t.srt is an input: writing the result there would replace it"],
      [["attribute", "t.srt", "two.rttm", "--out", "nodir/who.txt"], "cannot write nodir/who.txt: the directory nodir does not exist"],
      [["attribute", "t.srt", "audio.wav"], "audio.wav: not senko's JSON or an RTTM file (it holds binary data: an audio file?)"],
      [["attribute", "t.srt", "two.rttm", "--format", "csv"], 'attribute: --format must be one of text, srt, vtt, json, got "csv"'],
      [["attribute", "t.srt", "two.rttm", "--out", "who.html"], "attribute writes text, srt, vtt, json, not html (--out who.html); for a page with who said what: senko <audio> --transcript <file> --format html"],
      [["attribute", "t.srt", "two.rttm", "--num-speakers", "2"], "attribute takes --out, --format and --quiet, not --num-speakers"],
      [["attribute", "t.srt", "two.rttm", "--format", "srt", "--out", "who.vtt"], "attribute: --format srt would write srt into who.vtt, a name for vtt: leave out --format (the extension chooses) or name the file .srt"],
      [["a.wav", "b.wav", "--transcript", "t.srt", "--out-dir", "o"], "--transcript is the transcript of one recording, but there are 2 inputs"],
      [["a.wav", "--transcript", "t.srt", "--out", "a.rttm"], "--transcript goes with --format text, srt, vtt, json or html; rttm cannot hold words"],
    ];
    for (const [args, message] of cases) {
      const run = await cli(args);
      expect({ args, code: run.code, stdout: run.stdout, lines: run.stderr.split("\n").length }).toEqual({ args, code: 2, stdout: "", lines: 2 });
      expect(run.stderr).toStartWith(`senko: ${message}`);
    }
  }, 30_000);

  test("--transcript on a diarizing run: who said what in text, srt, vtt, html, and in the JSON", async () => {
    const turns = references.get("dev00")!;
    const known = wordsInside(soloStretches(turns));
    writeFileSync(join(dir, "dev00.words.json"), openaiWhisperJson(known));
    const run = await cli([join(fixtures, "dev00.wav"), "--transcript", "dev00.words.json", "--out-dir", "out", "--format", "json,text,srt,vtt,html"]);
    expect(run.code).toBe(0);
    const read = (ext: string) => readFileSync(join(dir, "out", `dev00.${ext}`), "utf8");
    const result = JSON.parse(read("json"));
    const expected = attributeTranscript(parseTranscript(openaiWhisperJson(known)), result);
    expect(result.transcript.turns.map((t: { speaker: string; text: string }) => [t.speaker, t.text])).toEqual(expected.turns.map((t) => [t.speaker, t.text]));
    // stderr says what was attributed, as senko attribute does.
    expect(run.stderr).toContain(`dev00.words.json: ${known.length} word(s), ${new Set(expected.turns.map((t) => t.speaker)).size} speaker(s), ${expected.turns.length} turn(s) (whisper-json)\n`);
    expect(read("txt")).toBe(formatTranscript(expected, "text"));
    expect(read("srt")).toBe(formatTranscript(expected, "srt"));
    expect(checkVtt(read("vtt")).problems).toEqual([]);
    const page = JSON.parse(/<script type="application\/json" id="senko-data">(.*?)<\/script>/s.exec(read("html"))![1]!);
    expect(page.transcript.map((t: unknown[]) => [t[2], t[3]])).toEqual(expected.turns.map((t) => [t.speaker, t.text]));
  });
});
