/**
 * A transcript of another (longer) recording: words that start after the diarized recording ends all took
 * the last turn's speaker without a word. stderr now says how many, after the summary.
 */
import { afterAll, expect, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

const root = resolve(import.meta.dir, "..");
const dir = mkdtempSync(join(tmpdir(), "senko-attribute-late-"));
afterAll(() => rmSync(dir, { recursive: true }));

const words = (starts: number[]) => JSON.stringify({ segments: [{ start: starts[0], end: starts.at(-1)! + 0.5, text: "x", words: starts.map((s, i) => ({ word: ` w${i}`, start: s, end: s + 0.4 })) }] });
writeFileSync(join(dir, "d.json"), JSON.stringify({ durationSec: 30, mergedSegments: [{ start: 0, end: 12, speaker: "SPEAKER_01" }, { start: 12, end: 29, speaker: "SPEAKER_02" }] }));
writeFileSync(join(dir, "here.json"), words([1, 5, 20]));
writeFileSync(join(dir, "other.json"), words([20, 100, 110]));

function stderrOf(transcript: string): string {
  const run = Bun.spawnSync([join(root, "node_modules", ".bin", "bun"), join(root, "diarize.ts"), "attribute", transcript, "d.json"], { cwd: dir, stdout: "ignore", stderr: "pipe" });
  expect(run.exitCode).toBe(0);
  return run.stderr.toString();
}

test("words after the end of senko's diarized recording: a warning with how many", () => {
  expect(stderrOf("here.json")).toBe("here.json: 3 word(s), 2 speaker(s), 2 turn(s) (whisper-json)\n");
  expect(stderrOf("other.json")).toBe(
    "other.json: 3 word(s), 1 speaker(s), 1 turn(s) (whisper-json)\nsenko: warning: other.json: 2 of 3 word(s) start after the recording ends (30.0 s): is it the transcript of this recording?\n",
  );
});
