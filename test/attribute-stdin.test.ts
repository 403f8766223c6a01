/**
 * `senko attribute` reads `-` as stdin, for the transcript or the diarization (not both), as `senko -` does
 * for audio: `whisper-cli ... | senko attribute - talk.json`. It was taken for a file named `-`.
 */
import { afterAll, expect, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

const root = resolve(import.meta.dir, "..");
const bun = join(root, "node_modules", ".bin", "bun");
const dir = mkdtempSync(join(tmpdir(), "senko-attribute-stdin-"));
afterAll(() => rmSync(dir, { recursive: true }));

const transcript = JSON.stringify({
  segments: [{ start: 0.5, end: 3, text: " hello there friend", words: [{ word: " hello", start: 0.5, end: 0.9 }, { word: " there", start: 1, end: 1.4 }, { word: " friend", start: 2.2, end: 2.8 }] }],
});
const rttm = "SPEAKER talk 1 0.000 1.800 <NA> <NA> MEE068 <NA> <NA>\nSPEAKER talk 1 1.800 2.000 <NA> <NA> FEE005 <NA> <NA>\n";
writeFileSync(join(dir, "talk.json"), transcript);
writeFileSync(join(dir, "talk.rttm"), rttm);

function attribute(args: string[], stdin: string) {
  const run = Bun.spawnSync([bun, join(root, "diarize.ts"), "attribute", ...args, "-q"], { cwd: dir, stdin: new TextEncoder().encode(stdin), stdout: "pipe", stderr: "pipe" });
  return { code: run.exitCode, stdout: run.stdout.toString(), stderr: run.stderr.toString() };
}

test("- is stdin for the transcript or for the diarization", () => {
  const expected = "00:00:00.50 - 00:00:01.40  MEE068: hello there\n00:00:02.20 - 00:00:02.80  FEE005: friend\n";
  expect(attribute(["-", "talk.rttm"], transcript)).toEqual({ code: 0, stdout: expected, stderr: "" });
  expect(attribute(["talk.json", "-"], rttm)).toEqual({ code: 0, stdout: expected, stderr: "" });
});

test("stdin given twice, or empty, is one line and exit code 2", () => {
  expect(attribute(["-", "-"], transcript)).toEqual({ code: 2, stdout: "", stderr: "senko: - (stdin) can be given only once\n" });
  expect(attribute(["talk.json", "-"], "")).toEqual({ code: 2, stdout: "", stderr: "senko: -: no bytes on stdin\n" });
});
