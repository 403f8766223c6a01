/**
 * Many people who each speak a few times (a panel, a classroom): by default the overlap-aware pipeline keeps
 * speakers too small for pyannote's 12-embedding minimum when they are heard alone long enough. With the
 * size rule alone (`minClusterSpeechSec: Infinity`) this file gives 4 speakers of 10 (BENCHMARKS.md,
 * "overlap-aware: small clusters").
 */
import { expect, test } from "bun:test";
import { simulateConversation } from "../bench/simulate.ts";
import { Diarizer } from "../src/diarizer.ts";
import { diarizationErrorRate } from "../src/eval/der.ts";
import { withoutLibriSpeech } from "./helpers/fixtures.ts";

test.skipIf(withoutLibriSpeech("many-speakers.test.ts"))("10 speakers with three turns each: the count within one, by default", async () => {
  const conversation = await simulateConversation({ speakers: 10, turnsPerSpeaker: 3, seed: 1 });
  await using diarizer = new Diarizer({ quiet: true });
  const result = await diarizer.diarize(conversation.samples, { sampleRate: 16000 });
  expect(result.pipeline).toBe("overlap-aware");
  expect(Math.abs(result.mergedSpeakersDetected - 10)).toBeLessThanOrEqual(1);
  // With the size rule alone: 4 speakers and 43 % DER on this file (2026-12-02).
  const { der } = diarizationErrorRate(conversation.reference, result.mergedSegments, { uem: conversation.uem });
  expect(der).toBeLessThan(0.25);
}, 120_000);

test("minClusterSpeechSec must be seconds above 0, or Infinity for the size rule alone", () => {
  expect(() => new Diarizer({ minClusterSpeechSec: 0 })).toThrow("minClusterSpeechSec must be a number of seconds above 0 (Infinity: off), got 0");
  expect(() => new Diarizer({ minClusterSpeechSec: Number.NaN })).toThrow("minClusterSpeechSec");
  expect(new Diarizer({ minClusterSpeechSec: Infinity }).options.minClusterSpeechSec).toBe(Infinity);
});
