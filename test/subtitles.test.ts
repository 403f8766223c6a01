/**
 * SRT and WebVTT writers and the exclusive view: exact output for a small result, each format's rules
 * (test/helpers/subtitle-rules.ts) on hand-made results with overlapping turns, awkward names and
 * times, and how overlapping turns become cues.
 */
import { describe, expect, test } from "bun:test";
import { exclusiveSegmentsOf, exclusiveView } from "../src/output/exclusive.ts";
import { srtTimestamp, toSrt, toVtt, vttTimestamp, writeSrt, writeVtt } from "../src/output/subtitles.ts";
import type { Segment } from "../src/pipeline/segments.ts";
import { resultOf as result, seg } from "./helpers/results.ts";
import { checkSrt, checkVtt } from "./helpers/subtitle-rules.ts";

/** No two cues overlap, starts never go back. */
function sequential(cues: { start: number; end: number }[]): boolean {
  return cues.every((c, i) => i === 0 || c.start >= cues[i - 1]!.end);
}

describe("timestamps", () => {
  test("milliseconds rounded, hours always written, past 10 h", () => {
    expect(srtTimestamp(0)).toBe("00:00:00,000");
    expect(vttTimestamp(61.0005)).toBe("00:01:01.001");
    expect(srtTimestamp(3599.9996)).toBe("01:00:00,000");
    expect(vttTimestamp(3 * 3600 + 25 * 60 + 7.25)).toBe("03:25:07.250");
    expect(srtTimestamp(18.6 * 3600)).toBe("18:36:00,000");
    expect(vttTimestamp(-0.2)).toBe("00:00:00.000");
  });

  test("100 hours and more: the hours take the digits they need, in both formats, and the checkers accept them", () => {
    const long = result([seg(99 * 3600 + 3599.5, 100 * 3600 + 1.25, "SPEAKER_01"), seg(123 * 3600, 123 * 3600 + 2, "SPEAKER_02")], { durationSec: 124 * 3600 });
    expect(toSrt(long)).toBe("1\n99:59:59,500 --> 100:00:01,250\nSPEAKER_01\n\n2\n123:00:00,000 --> 123:00:02,000\nSPEAKER_02\n");
    for (const checked of [checkSrt(toSrt(long)), checkVtt(toVtt(long))]) {
      expect(checked.problems).toEqual([]);
      expect(checked.cues.map((c) => [c.start, c.end])).toEqual([[359_999.5, 360_001.25], [442_800, 442_802]]);
    }
    // Hours are at least two digits: one digit is still refused.
    expect(checkSrt("1\n0:00:01,000 --> 0:00:02,000\nA\n").problems).toEqual(['cue 1: bad timing line "0:00:01,000 --> 0:00:02,000"']);
  });
});

describe("a small result, exactly", () => {
  const small = result([seg(0.5, 2.25, "SPEAKER_01"), seg(2.25, 4, "SPEAKER_02"), seg(5.1234, 3600.5, "SPEAKER_01")]);

  test("SRT: numbered cues, the speaker as text", () => {
    expect(toSrt(small)).toBe(
      "1\n00:00:00,500 --> 00:00:02,250\nSPEAKER_01\n\n" +
        "2\n00:00:02,250 --> 00:00:04,000\nSPEAKER_02\n\n" +
        "3\n00:00:05,123 --> 01:00:00,500\nSPEAKER_01\n",
    );
    expect(checkSrt(toSrt(small)).problems).toEqual([]);
  });

  test("WebVTT: header, voice spans", () => {
    expect(toVtt(small)).toBe(
      "WEBVTT\n\n" +
        "00:00:00.500 --> 00:00:02.250\n<v SPEAKER_01>SPEAKER_01</v>\n\n" +
        "00:00:02.250 --> 00:00:04.000\n<v SPEAKER_02>SPEAKER_02</v>\n\n" +
        "00:00:05.123 --> 01:00:00.500\n<v SPEAKER_01>SPEAKER_01</v>\n",
    );
    expect(checkVtt(toVtt(small)).problems).toEqual([]);
  });

  test("no turns: an empty SRT and a WebVTT header alone, both valid", () => {
    expect(toSrt(result([]))).toBe("");
    expect(toVtt(result([]))).toBe("WEBVTT\n");
    expect(checkVtt("WEBVTT\n").problems).toEqual([]);
  });
});

describe("the exclusive view", () => {
  test("an interjection inside a long turn takes the floor, then the long turn resumes", () => {
    expect(exclusiveView([seg(0, 10, "A"), seg(4, 5, "B")])).toEqual([seg(0, 4, "A"), seg(4, 5, "B"), seg(5, 10, "A")]);
  });

  test("a hand-over: the next speaker has the floor from their first word", () => {
    expect(exclusiveView([seg(0, 6, "A"), seg(5, 9, "B")])).toEqual([seg(0, 5, "A"), seg(5, 9, "B")]);
  });

  test("equal starts go to the shorter turn; zero-length turns vanish; touching pieces of one speaker join", () => {
    expect(exclusiveView([seg(0, 8, "A"), seg(0, 3, "B"), seg(2, 2, "C")])).toEqual([seg(0, 3, "B"), seg(3, 8, "A")]);
    expect(exclusiveView([seg(0, 2, "A"), seg(2, 4, "A"), seg(6, 7, "B")])).toEqual([seg(0, 4, "A"), seg(6, 7, "B")]);
    expect(exclusiveView([])).toEqual([]);
  });

  test("three at once, order of input irrelevant, never two speakers at one instant", () => {
    const turns = [seg(3, 12, "B"), seg(0, 20, "A"), seg(5, 7, "C"), seg(15, 25, "C")];
    const view = exclusiveView(turns);
    expect(view).toEqual([seg(0, 3, "A"), seg(3, 5, "B"), seg(5, 7, "C"), seg(7, 12, "B"), seg(12, 15, "A"), seg(15, 25, "C")]);
    expect(exclusiveView([...turns].reverse())).toEqual(view);
    expect(sequential(view)).toBe(true);
  });

  test("a result's own exclusiveSegments win over the computed view", () => {
    const own = [seg(0, 1, "B"), seg(1, 10, "A")];
    expect(exclusiveSegmentsOf(result([seg(0, 10, "A"), seg(0, 1, "B")], { exclusiveSegments: own }))).toBe(own);
  });
});

describe("overlapping turns become cues", () => {
  // A talks 0-10 s, B interjects 4-5 s and takes over at 9 s; C overlaps B's end.
  const overlapping = result([seg(0, 10, "SPEAKER_01"), seg(4, 5, "SPEAKER_02"), seg(9, 14, "SPEAKER_02"), seg(13, 16, "SPEAKER_03")]);

  test("by default one speaker at a time: cues never overlap, in order, valid in both formats", () => {
    const srt = checkSrt(toSrt(overlapping));
    const vtt = checkVtt(toVtt(overlapping));
    expect(srt.problems).toEqual([]);
    expect(vtt.problems).toEqual([]);
    const expected = [
      [0, 4, "SPEAKER_01"],
      [4, 5, "SPEAKER_02"],
      [5, 9, "SPEAKER_01"],
      [9, 13, "SPEAKER_02"],
      [13, 16, "SPEAKER_03"],
    ];
    expect(srt.cues.map((c) => [c.start, c.end, c.lines[0]])).toEqual(expected);
    expect(vtt.cues.map((c) => [c.start, c.end, c.lines[0]])).toEqual(expected.map(([s, e, n]) => [s, e, `<v ${n}>${n}</v>`]));
    expect(sequential(srt.cues)).toBe(true);
  });

  test('view "turns": the turns as they are, overlapping cues sorted by start (valid WebVTT)', () => {
    const vtt = checkVtt(toVtt(overlapping, { view: "turns" }));
    expect(vtt.problems).toEqual([]);
    expect(vtt.cues.map((c) => [c.start, c.end])).toEqual([
      [0, 10],
      [4, 5],
      [9, 14],
      [13, 16],
    ]);
    expect(sequential(vtt.cues)).toBe(false);
    expect(checkSrt(toSrt(overlapping, { view: "turns" })).problems).toEqual([]);
  });
});

describe("what each format must not contain", () => {
  test("names and text with markup characters, arrows, blank lines; cues under a millisecond dropped", () => {
    const cues = [
      { start: 0, end: 1, speaker: "Ann & <Bob>", text: "a --> b\n\n  & <i>c</i> 3 > 2  " },
      { start: 1, end: 1.0004, speaker: "X", text: "gone" },
      { start: 2, end: 3, speaker: "SPEAKER_01", text: "\n\n" },
      { start: 3.5, end: 4, speaker: "SPEAKER_02" },
      { start: 4, end: 5, speaker: "A-->B\nC", text: "hi" },
      { start: 6, end: Infinity, speaker: "X", text: "forever" },
      { start: NaN, end: 7, speaker: "X", text: "never" },
    ];
    const vtt = writeVtt(cues);
    const srt = writeSrt(cues);
    expect(checkVtt(vtt).problems).toEqual([]);
    expect(checkSrt(srt).problems).toEqual([]);
    expect(vtt).toContain("<v Ann &amp; &lt;Bob&gt;>a -&gt; b\n&amp; &lt;i&gt;c&lt;/i&gt; 3 &gt; 2</v>");
    expect(srt).toContain("1\n00:00:00,000 --> 00:00:01,000\nAnn & <Bob>: a -> b\n& <i>c</i> 3 > 2\n");
    expect([vtt, srt].some((file) => /gone|forever|never/.test(file))).toBe(false);
    expect(checkVtt(vtt).cues.map((c) => c.lines.join("|"))).toEqual([
      "<v Ann &amp; &lt;Bob&gt;>a -&gt; b|&amp; &lt;i&gt;c&lt;/i&gt; 3 &gt; 2</v>",
      "<v SPEAKER_01>SPEAKER_01</v>",
      "<v SPEAKER_02>SPEAKER_02</v>",
      "<v A--&gt;B C>hi</v>",
    ]);
    // SRT has no escapes: a name's arrow would make its line read as a timing line.
    expect(checkSrt(srt).cues.map((c) => c.lines.join("|"))).toEqual(["Ann & <Bob>: a -> b|& <i>c</i> 3 > 2", "SPEAKER_01", "SPEAKER_02", "A->B C: hi"]);
  });

  test("the checkers catch what they are for", () => {
    expect(checkVtt("WEBVTT\n\n00:00:02.000 --> 00:00:01.000\nx\n").problems).toHaveLength(1);
    expect(checkVtt("WEBVTT\n\n00:01.000 --> 00:02.000\na & b\n").problems).toHaveLength(1);
    expect(checkVtt("WEBVTT\n\n00:01.000 --> 00:02.000\n<v A>x\n").problems).toHaveLength(1);
    expect(checkVtt("WEBVTT\n\n00:05.000 --> 00:06.000\nx\n\n00:01.000 --> 00:02.000\ny\n").problems).toHaveLength(1);
    expect(checkVtt("WEBVTT\n00:01.000 --> 00:02.000\nx\n").problems.length).toBeGreaterThan(0);
    expect(checkSrt("1\n00:00:01,000 --> 00:00:02,000\nx\n\n3\n00:00:03,000 --> 00:00:04,000\ny\n").problems).toHaveLength(1);
    expect(checkSrt("1\n00:00:01.000 --> 00:00:02,000\nx\n").problems).toHaveLength(1);
  });
});

describe("a long result", () => {
  test("3 hours of alternating turns: every cue valid, numbered, in order", () => {
    const turns: Segment[] = [];
    let t = 0.3;
    for (let i = 0; t < 3 * 3600; i++) {
      const length = 1 + ((i * 7919) % 13);
      turns.push(seg(t, t + length, `SPEAKER_0${1 + (i % 4)}`));
      t += length + ((i * 31) % 3) * 0.37;
    }
    const srt = checkSrt(toSrt(result(turns)));
    const vtt = checkVtt(toVtt(result(turns)));
    expect([srt.problems, vtt.problems]).toEqual([[], []]);
    expect([srt.cues.length, vtt.cues.length]).toEqual([turns.length, turns.length]);
    expect(srt.cues.at(-1)!.end).toBeCloseTo(turns.at(-1)!.end, 3);
  });
});
