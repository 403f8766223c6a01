import { describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { ConfigError } from "../src/errors.ts";
import { AnnotationFormatError, readRttm, readUem, writeRttm, type Turn } from "../src/eval/index.ts";

const FIXTURES = join(import.meta.dir, "fixtures", "der");
const golden = JSON.parse(readFileSync(join(FIXTURES, "pyannote-cases.json"), "utf8")) as {
  reference: Record<string, [number, number, string][]>;
  uem: Record<string, [number, number][]>;
};

/** The error a call throws (fails the test if it does not throw). */
function thrown(fn: () => unknown): Error {
  try {
    fn();
  } catch (error) {
    return error as Error;
  }
  throw new Error("expected an error");
}

describe("readRttm", () => {
  test("reads SPEAKER lines per file; skips blanks, comments and other line types", () => {
    const text = [
      ";; NIST-style comment",
      "# another comment",
      "",
      "SPKR-INFO f1 1 <NA> <NA> <NA> unknown A <NA> <NA>",
      "SPEAKER f1 1 0.500 1.250 <NA> <NA> A <NA> <NA>\r",
      "   ",
      "SPEAKER f2 1 3 2 <NA> <NA> MÉO069 <NA>", // 9 fields (no lookahead)
      "SPEAKER\tf1  1 2.000 0.000 <NA> <NA> B", // 8 fields, tabs, zero duration
    ].join("\n");
    const files = readRttm(text);
    expect([...files.keys()]).toEqual(["f1", "f2"]);
    expect(files.get("f1")).toEqual([
      { start: 0.5, end: 1.75, speaker: "A" },
      { start: 2, end: 2, speaker: "B" },
    ]);
    expect(files.get("f2")).toEqual([{ start: 3, end: 5, speaker: "MÉO069" }]);
  });

  test("malformed lines throw AnnotationFormatError with the source and line number", () => {
    const cases: [string, RegExp][] = [
      ["SPEAKER f1 1 0.5 <NA> <NA> A", /^ref\.rttm:2: SPEAKER line has 7 fields/],
      ["SPEAKER f1 1 abc 1.0 <NA> <NA> A <NA> <NA>", /^ref\.rttm:2: start 'abc' is not a number/],
      ["SPEAKER f1 1 1.0 -0.5 <NA> <NA> A <NA> <NA>", /^ref\.rttm:2: duration -0.5 is negative/],
      ["SPEAKER f1 1 0x10 1 <NA> <NA> A <NA> <NA>", /^ref\.rttm:2: start '0x10' is not a number/],
      ["SPEAKER f1 1 1e400 1 <NA> <NA> A <NA> <NA>", /^ref\.rttm:2: start '1e400' is not a number/],
      ["SPEAKER f1 1 0 1 <NA> <NA> A <NA> <NA> extra", /^ref\.rttm:2: SPEAKER line has 11 fields/],
      ["SPEAKR f1 1 0 1 <NA> <NA> A <NA> <NA>", /^ref\.rttm:2: unknown RTTM line type 'SPEAKR'/],
      // An mp3 given for an RTTM: its bytes are not repeated to the terminal.
      ["ID3\u0003\u0000\u0000 #TSSE Lavf59\ufffd\u0007", /^ref\.rttm:2: not an RTTM file: it holds binary data \(an audio file\?\)$/],
    ];
    for (const [line, message] of cases) {
      const error = thrown(() => readRttm(`# header\n${line}\n`, "ref.rttm"));
      expect(error).toBeInstanceOf(AnnotationFormatError);
      expect(error.message).toMatch(message);
      expect((error as AnnotationFormatError).line).toBe(2);
    }
  });

  test("agrees with pyannote.database's load_rttm on the AMI fixtures", () => {
    const files = readRttm(readFileSync(join(FIXTURES, "ami.rttm"), "utf8"));
    expect([...files.keys()].sort()).toEqual(Object.keys(golden.reference).sort());
    for (const [uri, expected] of Object.entries(golden.reference)) {
      const got = files
        .get(uri)!
        .map((t) => [t.start, t.end, t.speaker] as const)
        .sort((a, b) => a[0] - b[0] || a[1] - b[1] || a[2].localeCompare(b[2]));
      expect(got.length).toBe(expected.length);
      got.forEach(([start, end, speaker], i) => {
        const [s, e, spk] = expected[i]!;
        expect(speaker).toBe(spk);
        expect(Math.abs(start - s)).toBeLessThan(1e-9);
        expect(Math.abs(end - e)).toBeLessThan(1e-9);
      });
    }
  });
});

describe("writeRttm", () => {
  const turns: Turn[] = [
    { start: 0, end: 1.2345, speaker: "SPEAKER_01" },
    { start: 1.0004, end: 7.9996, speaker: "SPEAKER_02" },
    { start: 12.3456789, end: 3600.5, speaker: "SPEAKER_01" },
  ];

  test("writes the standard ten-field SPEAKER lines at millisecond precision", () => {
    expect(writeRttm("meeting", turns)).toBe(
      "SPEAKER meeting 1 0.000 1.235 <NA> <NA> SPEAKER_01 <NA> <NA>\n" +
        "SPEAKER meeting 1 1.000 7.000 <NA> <NA> SPEAKER_02 <NA> <NA>\n" +
        "SPEAKER meeting 1 12.346 3588.154 <NA> <NA> SPEAKER_01 <NA> <NA>\n",
    );
    expect(writeRttm("empty", [])).toBe("");
  });

  test("round trip: read(write(turns)) matches to the millisecond, and writing again is identical", () => {
    const text = writeRttm("meeting", turns);
    const back = readRttm(text).get("meeting")!;
    expect(back.map((t) => t.speaker)).toEqual(turns.map((t) => t.speaker));
    back.forEach((t, i) => {
      expect(Math.abs(t.start - turns[i]!.start)).toBeLessThanOrEqual(0.0005 + 1e-9);
      expect(Math.abs(t.end - turns[i]!.end)).toBeLessThanOrEqual(0.0005 + 1e-9);
    });
    expect(writeRttm("meeting", back)).toBe(text);
    // and the AMI fixture survives read -> write -> read exactly to the millisecond
    const ami = readRttm(readFileSync(join(FIXTURES, "ami.rttm"), "utf8"));
    for (const [uri, fileTurns] of ami) {
      const again = readRttm(writeRttm(uri, fileTurns)).get(uri)!;
      again.forEach((t, i) => {
        expect(Math.abs(t.start - fileTurns[i]!.start)).toBeLessThan(1e-9);
        expect(Math.abs(t.end - fileTurns[i]!.end)).toBeLessThan(1e-9);
      });
    }
  });

  test("rejects ids and labels that would not read back, and backwards turns", () => {
    expect(() => writeRttm("my file", turns)).toThrow(ConfigError);
    expect(() => writeRttm("f", [{ start: 0, end: 1, speaker: "two words" }])).toThrow(ConfigError);
    expect(() => writeRttm("f", [{ start: 0, end: 1, speaker: "" }])).toThrow(ConfigError);
    expect(() => writeRttm("f", [{ start: 2, end: 1, speaker: "A" }])).toThrow(ConfigError);
    expect(() => writeRttm("f", [{ start: Number.NaN, end: 1, speaker: "A" }])).toThrow(ConfigError);
  });
});

describe("readUem", () => {
  test("reads spans per file and agrees with pyannote.database's load_uem", () => {
    const uem = readUem(readFileSync(join(FIXTURES, "ami.uem"), "utf8"));
    expect(Object.fromEntries([...uem].map(([uri, spans]) => [uri, spans.map((s) => [s.start, s.end])]))).toEqual(golden.uem);
    expect(readUem("# c\n\nf1 1 0 10\nf1 1 20.5 30\n").get("f1")).toEqual([
      { start: 0, end: 10 },
      { start: 20.5, end: 30 },
    ]);
  });

  test("malformed lines throw with the line number", () => {
    expect(thrown(() => readUem("f1 1 0\n", "a.uem")).message).toMatch(/^a\.uem:1: UEM line has 3 fields/);
    expect(thrown(() => readUem("\nf1 1 5 4\n", "a.uem")).message).toMatch(/^a\.uem:2: end 4 is before start 5/);
    expect(thrown(() => readUem("f1 1 x 4\n", "a.uem"))).toBeInstanceOf(AnnotationFormatError);
  });
});
