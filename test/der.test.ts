import { afterAll, describe, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ConfigError } from "../src/errors.ts";
import {
  diarizationErrorRate,
  maxWeightAssignment,
  scoreFiles,
  sumComponents,
  writeRttm,
  type DerComponents,
  type Turn,
} from "../src/eval/index.ts";
import type { TimeSpan } from "../src/types.ts";

const FIXTURES = join(import.meta.dir, "fixtures", "der");
type RawTurn = [number, number, string];
type Expected = DerComponents;
interface Setting {
  name: string;
  collar: number;
  skipOverlap: boolean;
  uem: "file" | null | [number, number][];
}
const golden = JSON.parse(readFileSync(join(FIXTURES, "pyannote-cases.json"), "utf8")) as {
  reference: Record<string, RawTurn[]>;
  uem: Record<string, [number, number][]>;
  settings: Setting[];
  cases: { uri: string; perturbation: string; hypothesis: RawTurn[]; expected: Expected[] }[];
  totals: Record<string, Expected[]>;
  synthetic: { reference: RawTurn[]; hypothesis: RawTurn[]; uem: [number, number][] | null; collar: number; skipOverlap: boolean; expected: Expected }[];
};

const turns = (raw: RawTurn[]): Turn[] => raw.map(([start, end, speaker]) => ({ start, end, speaker }));
const spans = (raw: [number, number][]): TimeSpan[] => raw.map(([start, end]) => ({ start, end }));
const t = (start: number, end: number, speaker: string): Turn => ({ start, end, speaker });

// Required agreement with pyannote.metrics: DER within 0.001 absolute, components within 0.1 ms.
const DER_TOLERANCE = 1e-3;
const SECONDS_TOLERANCE = 1e-4;
const KEYS = ["der", "missed", "falseAlarm", "confusion", "correct", "total"] as const;

/** Descriptions of the components that disagree beyond tolerance (empty when all agree). */
function disagreements(label: string, got: DerComponents, want: Expected): string[] {
  return KEYS.filter((k) => Math.abs(got[k] - want[k]) > (k === "der" ? DER_TOLERANCE : SECONDS_TOLERANCE)).map(
    (k) => `${label}: ${k} ${got[k]} vs pyannote ${want[k]}`,
  );
}

function expectClose(got: DerComponents, want: Partial<DerComponents>) {
  for (const [k, v] of Object.entries(want)) expect(got[k as keyof DerComponents]).toBeCloseTo(v, 9);
}

describe("diarizationErrorRate, hand-computed", () => {
  test("each component on paper", () => {
    // ref A 0-10, B 10-20; hyp X 0-8, Y 8-16, Z 18-22. Co-occurrence X-A 8, Y-A 2, Y-B 6, Z-B 2:
    // best mapping X->A, Y->B (14 s); Z stays unmapped.
    // 0-8 correct, 8-10 confusion (Y=B on A), 10-16 correct, 16-18 missed, 18-20 confusion (Z), 20-22 false alarm.
    const ref = [t(0, 10, "A"), t(10, 20, "B")];
    const hyp = [t(0, 8, "X"), t(8, 16, "Y"), t(18, 22, "Z")];
    const want = { missed: 2, falseAlarm: 2, confusion: 4, correct: 14, total: 20, der: 0.4 };
    expectClose(diarizationErrorRate(ref, hyp, { collar: 0 }), want);
    expectClose(diarizationErrorRate(ref, hyp, { collar: 0, uem: [{ start: 0, end: 22 }] }), want);
  });

  test("identical up to label names scores 0, whatever the names", () => {
    const ref = [t(0, 5, "A"), t(5, 9, "B"), t(9, 12, "A")];
    expectClose(diarizationErrorRate(ref, [t(0, 5, "B"), t(5, 9, "A"), t(9, 12, "B")], { collar: 0 }), {
      der: 0,
      correct: 12,
      total: 12,
    });
  });

  test("collar is the total width, centred on reference boundaries (pyannote.metrics)", () => {
    const ref = [t(10, 20, "A")];
    const hyp = [t(10.1, 20, "S")]; // starts 0.1 s late
    // collar 0: 0.1 s missed of 10 s
    expectClose(diarizationErrorRate(ref, hyp, { collar: 0 }), { missed: 0.1, total: 10, der: 0.01 });
    // 0.25 -> +-0.125 around 10 and 20: the late start is forgiven, 0.25 s of speech not scored
    expectClose(diarizationErrorRate(ref, hyp), { missed: 0, total: 9.75, der: 0 });
    // 0.15 -> +-0.075: scoring starts at 10.075, so 0.025 s is missed of 9.85 s
    expectClose(diarizationErrorRate(ref, hyp, { collar: 0.15 }), { missed: 0.025, total: 9.85, der: 0.025 / 9.85 });
    // hypothesis speech inside a collar is forgiven too: 0.1 s early start
    expectClose(diarizationErrorRate(ref, [t(9.9, 20, "S")]), { falseAlarm: 0, der: 0 });
  });

  test("collars of close boundaries merge; collars never add scored time outside the UEM", () => {
    const ref = [t(1, 1.1, "A"), t(1.2, 3, "B")];
    // +-0.125 around 1, 1.1, 1.2, 3 -> holes 0.875-1.325 and 2.875-3.125; UEM 0-3 -> scored 0-0.875, 1.325-2.875
    expectClose(diarizationErrorRate(ref, [t(0, 3, "X")], { uem: [{ start: 0, end: 3 }] }), {
      total: 1.55,
      falseAlarm: 0.875,
      correct: 1.55,
    });
  });

  test("overlapped speech: each reference speaker counts; missing ones are missed", () => {
    // A 0-10 and B 5-15 overlap 5-10; one hypothesis speaker 0-15 is mapped to A or B (a tie,
    // same score): 5 s missed in the overlap, 5 s confused where only the other speaks.
    const ref = [t(0, 10, "A"), t(5, 15, "B")];
    expectClose(diarizationErrorRate(ref, [t(0, 15, "X")], { collar: 0 }), { total: 20, missed: 5, confusion: 5, correct: 10, der: 0.5 });
    // two hypothesis speakers where there is one reference speaker: false alarm
    expectClose(diarizationErrorRate([t(0, 10, "A")], [t(0, 10, "X"), t(0, 4, "Y")], { collar: 0 }), {
      falseAlarm: 4,
      correct: 10,
      der: 0.4,
    });
    // skipOverlap removes 5-10 from scoring: 10 s scored, 5 of them confused
    expectClose(diarizationErrorRate(ref, [t(0, 15, "X")], { collar: 0, skipOverlap: true }), { total: 10, confusion: 5, der: 0.5 });
  });

  test("UEM: only inside is scored; without one, the joint extent of reference and hypothesis", () => {
    const ref = [t(0, 10, "A")];
    const hyp = [t(0, 10, "X"), t(20, 30, "Y")];
    expectClose(diarizationErrorRate(ref, hyp, { collar: 0, uem: [{ start: 0, end: 10 }] }), { der: 0, total: 10 });
    expectClose(diarizationErrorRate(ref, hyp, { collar: 0 }), { falseAlarm: 10, der: 1 });
    // two spans, overlapping ones merged: 2-6 and 8-9 -> 5 s scored
    expectClose(
      diarizationErrorRate(ref, [], {
        collar: 0,
        uem: [
          { start: 8, end: 9 },
          { start: 2, end: 5 },
          { start: 4, end: 6 },
        ],
      }),
      { missed: 5, total: 5, der: 1 },
    );
  });

  test("empty reference: DER 1 if anything is hypothesised, else 0", () => {
    expectClose(diarizationErrorRate([], [t(0, 2, "X")], { collar: 0 }), { total: 0, falseAlarm: 2, der: 1 });
    expectClose(diarizationErrorRate([], [], {}), { total: 0, der: 0 });
  });

  test("rejects a negative or non-finite collar and backwards turns", () => {
    expect(() => diarizationErrorRate([], [], { collar: -0.1 })).toThrow(ConfigError);
    expect(() => diarizationErrorRate([], [], { collar: Number.NaN })).toThrow(ConfigError);
    expect(() => diarizationErrorRate([t(2, 1, "A")], [])).toThrow(ConfigError);
    expect(() => diarizationErrorRate([], [], { uem: [{ start: 3, end: 1 }] })).toThrow(ConfigError);
  });
});

describe("maxWeightAssignment", () => {
  function bruteForceBest(w: number[][]): number {
    const rows = w.length;
    const cols = w[0]!.length;
    let best = -Infinity;
    const used = new Array<boolean>(cols).fill(false);
    const go = (r: number, sum: number, assigned: number) => {
      if (r === rows) {
        if (assigned === Math.min(rows, cols)) best = Math.max(best, sum);
        return;
      }
      if (rows - r > cols - assigned) go(r + 1, sum, assigned); // this row may stay unassigned
      for (let c = 0; c < cols; c++) {
        if (used[c]) continue;
        used[c] = true;
        go(r + 1, sum + w[r]![c]!, assigned + 1);
        used[c] = false;
      }
    };
    go(0, 0, 0);
    return best;
  }

  test("matches brute force on random rectangular matrices", () => {
    let seed = 12345;
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
    for (let trial = 0; trial < 300; trial++) {
      const rows = 1 + Math.floor(random() * 6);
      const cols = 1 + Math.floor(random() * 6);
      // integer weights make ties common, fractional ones exercise the potentials
      const w = Array.from({ length: rows }, () => Array.from({ length: cols }, () => (trial % 2 ? Math.floor(random() * 4) : random() * 100 - 20)));
      const assignment = maxWeightAssignment(w);
      const assigned = [...assignment].filter((c) => c >= 0);
      expect(assigned.length).toBe(Math.min(rows, cols));
      expect(new Set(assigned).size).toBe(assigned.length);
      const sum = [...assignment].reduce((s, c, r) => s + (c >= 0 ? w[r]![c]! : 0), 0);
      expect(sum).toBeCloseTo(bruteForceBest(w), 9);
    }
  });

  test("edge cases", () => {
    expect([...maxWeightAssignment([])]).toEqual([]);
    expect([...maxWeightAssignment([[], []])]).toEqual([-1, -1]);
    expect([...maxWeightAssignment([[1, 5, 2]])]).toEqual([1]);
    expect([...maxWeightAssignment([[1], [5], [2]])]).toEqual([-1, 0, -1]);
    expect(() => maxWeightAssignment([[1, 2], [3]])).toThrow(RangeError);
  });
});

describe("agreement with pyannote.metrics 4.2 (test/fixtures/der, made by tools/validate-der.py)", () => {
  const uemFor = (setting: Setting, uri: string): TimeSpan[] | undefined =>
    setting.uem === "file" ? spans(golden.uem[uri]!) : setting.uem === null ? undefined : spans(setting.uem);

  golden.settings.forEach((setting, k) => {
    test(`AMI references vs perturbed hypotheses, ${setting.name}`, () => {
      const bad: string[] = [];
      let maxDerDiff = 0;
      for (const c of golden.cases) {
        const got = diarizationErrorRate(turns(golden.reference[c.uri]!), turns(c.hypothesis), {
          collar: setting.collar,
          skipOverlap: setting.skipOverlap,
          uem: uemFor(setting, c.uri),
        });
        maxDerDiff = Math.max(maxDerDiff, Math.abs(got.der - c.expected[k]!.der));
        bad.push(...disagreements(`${c.uri} ${c.perturbation}`, got, c.expected[k]!));
      }
      expect(bad).toEqual([]);
      expect(maxDerDiff).toBeLessThan(1e-9); // same arithmetic: the differences are rounding only
    });
  });

  test("totals over files (sums of components, then the ratio)", () => {
    const bad: string[] = [];
    for (const [perturbation, expected] of Object.entries(golden.totals)) {
      const cases = golden.cases.filter((c) => c.perturbation === perturbation);
      const reference = new Map(cases.map((c) => [c.uri, turns(golden.reference[c.uri]!)]));
      const hypothesis = new Map(cases.map((c) => [c.uri, turns(c.hypothesis)]));
      golden.settings.forEach((setting, k) => {
        const uem = setting.uem === null ? undefined : new Map(cases.map((c) => [c.uri, uemFor(setting, c.uri)!]));
        const report = scoreFiles(reference, hypothesis, { collar: setting.collar, skipOverlap: setting.skipOverlap, uem });
        expect(report.files.length).toBe(cases.length);
        bad.push(...disagreements(`${perturbation}, ${setting.name}`, report.total, expected[k]!));
      });
    }
    expect(bad).toEqual([]);
    // the totals are not a degenerate all-zero set
    expect(Math.max(...Object.values(golden.totals).map((e) => e[1]!.der))).toBeGreaterThan(0.5);
  });

  test("random synthetic references and hypotheses (overlaps, collars up to 1 s, split UEMs)", () => {
    const bad: string[] = [];
    golden.synthetic.forEach((c, i) => {
      const got = diarizationErrorRate(turns(c.reference), turns(c.hypothesis), {
        collar: c.collar,
        skipOverlap: c.skipOverlap,
        uem: c.uem ? spans(c.uem) : undefined,
      });
      bad.push(...disagreements(`synthetic ${i}`, got, c.expected));
    });
    expect(bad).toEqual([]);
  });
});

describe("scoreFiles", () => {
  test("sums components over files; a missing hypothesis is all missed; UEM-only files are scored", () => {
    const reference = new Map([
      ["a", [t(0, 10, "A")]],
      ["b", [t(0, 4, "B")]],
    ]);
    const hypothesis = new Map([
      ["a", [t(0, 8, "X")]],
      ["c", [t(0, 1, "Y")]],
    ]);
    const report = scoreFiles(reference, hypothesis, { collar: 0 });
    expect(report.files.map((f) => f.uri)).toEqual(["a", "b"]);
    expectClose(report.total, { missed: 6, total: 14, der: 6 / 14 });
    expect(report.total).toEqual(sumComponents(report.files));
    expect(report.missingHypotheses).toEqual(["b"]);
    expect(report.ignoredHypotheses).toEqual(["c"]);

    const uem = new Map([
      ["a", [{ start: 0, end: 10 }]],
      ["b", [{ start: 0, end: 10 }]],
      ["c", [{ start: 0, end: 10 }]],
    ]);
    const withUem = scoreFiles(reference, hypothesis, { collar: 0, uem });
    expect(withUem.files.map((f) => f.uri)).toEqual(["a", "b", "c"]);
    expectClose(withUem.total, { missed: 6, falseAlarm: 1, total: 14, der: 7 / 14 });
    expect(withUem.ignoredHypotheses).toEqual([]);
    expect(() => scoreFiles(reference, hypothesis, { uem: new Map([["a", [{ start: 0, end: 1 }]]]) })).toThrow("the UEM has no span for file 'b'");
  });
});

describe("bun run eval (CLI)", () => {
  const run = (...args: string[]) => {
    const p = Bun.spawnSync([process.execPath, join(import.meta.dir, "..", "tools", "eval.ts"), ...args]);
    return { code: p.exitCode, out: p.stdout.toString(), err: p.stderr.toString() };
  };
  const dir = mkdtempSync(join(tmpdir(), "senko-der-"));
  const ref = join(FIXTURES, "ami.rttm");
  const uem = join(FIXTURES, "ami.uem");

  test("prints a per-file table and the total, matching pyannote's total", () => {
    const dropped = golden.cases.filter((c) => c.perturbation === "dropped speaker");
    const hyp = join(dir, "hyp.rttm");
    writeFileSync(hyp, dropped.map((c) => writeRttm(c.uri, turns(c.hypothesis))).join(""));
    const { code, out, err } = run(ref, hyp, "--uem", uem, "--collar", "0.25");
    // trn02 has a single speaker, so dropping it leaves no turns and no RTTM lines
    expect(err).toBe("eval: warning: no hypothesis for 'trn02', scored as all missed\n");
    expect(code).toBe(0);
    const lines = out.trim().split("\n");
    expect(lines[0]).toMatch(/^file\s+DER %\s+missed %\s+false alarm %\s+confusion %\s+ref speech s$/);
    expect(lines.length).toBe(1 + dropped.length + 2); // header, files, TOTAL, settings line
    const total = lines[lines.length - 2]!.split(/\s+/);
    const want = golden.totals["dropped speaker"]![1]!; // setting 1: collar 0.25, file UEM
    expect(total[0]).toBe("TOTAL");
    expect(Number(total[1])).toBeCloseTo(100 * want.der, 2);
    expect(Number(total[2])).toBeCloseTo((100 * want.missed) / want.total, 2);
    expect(Number(total[5])).toBeCloseTo(want.total, 3);
  });

  test("a reference file whose hypothesis has no turn of any length: all missed, and one note on stderr", () => {
    const refs = join(dir, "ab.rttm");
    const hyps = join(dir, "ab-hyp.rttm");
    writeFileSync(refs, writeRttm("a", [t(0, 2, "A")]) + writeRttm("b", [t(0, 2, "B")]));
    writeFileSync(hyps, writeRttm("a", [t(0, 2, "X")]) + writeRttm("b", [t(1, 1, "X")]));
    const { code, out, err } = run(refs, hyps, "--collar", "0");
    expect([code, err]).toEqual([0, "eval: warning: no hypothesis for 'b', scored as all missed\n"]);
    expect(out).toMatch(/^b +100\.00 +100\.00 /m);
  });

  test("user errors: one line on stderr, exit 2, no stack trace", () => {
    const bad = join(dir, "bad.rttm");
    writeFileSync(bad, "SPEAKER f 1 0.0 1.0 <NA> <NA> A <NA> <NA>\nSPEAKER f 1 zero 1.0 <NA> <NA> A <NA> <NA>\n");
    const cases: [string[], RegExp][] = [
      [[ref, join(dir, "missing.rttm")], /^eval: cannot read hypothesis '.*missing\.rttm': no such file\n$/],
      [[ref, bad], /^eval: .*bad\.rttm:2: start 'zero' is not a number\n$/],
      [[ref, ref, "--collar=-1"], /^eval: --collar needs a number of seconds >= 0, got '-1'\n$/],
      [[ref, ref, "--collar", "abc"], /^eval: --collar needs a number of seconds >= 0, got 'abc'\n$/],
      [[ref, ref, "--collar", "-1"], /^eval: Option '--collar' argument is ambiguous\. Did you forget/],
      [[ref], /^eval: expected <reference\.rttm> <hypothesis\.rttm>, got 1 file\(s\)/],
      [[ref, ref, "--frobnicate"], /^eval: Unknown option '--frobnicate'/],
    ];
    for (const [args, message] of cases) {
      const { code, out, err } = run(...args);
      expect(code).toBe(2);
      expect(out).toBe("");
      expect(err).toMatch(message);
      expect(err.trim().split("\n").length).toBe(1);
    }
  });

  afterAll(() => rmSync(dir, { recursive: true, force: true }));
});
