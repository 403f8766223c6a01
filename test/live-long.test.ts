/**
 * A live session over a simulated conversation of several minutes (bench/simulate.ts: LibriSpeech voices
 * taking turns, with pauses, overlaps and interjections), pushed in 1 s chunks: the result equals batch,
 * names stay between clusterings, final turns never change, and the audio held stays a few seconds.
 */
import { expect, test } from "bun:test";
import { simulateConversation } from "../bench/simulate.ts";
import { Diarizer } from "../src/diarizer.ts";
import type { LiveSnapshot, LiveTurn } from "../src/live/session.ts";
import { withoutLibriSpeech } from "./helpers/fixtures.ts";
import { withoutTiming } from "./helpers/live.ts";

test.skipIf(withoutLibriSpeech("live-long.test.ts"))("a 6-minute simulated conversation, live in 1 s chunks, ends with the batch result", async () => {
  const conversation = await simulateConversation({ speakers: 4, minutes: 6, seed: 3 });
  const { samples } = conversation;
  await using diarizer = new Diarizer({ pipeline: "vad-windows", vad: "silero", quiet: true });
  // The batch result, computed while the session runs (it does not depend on what else the Diarizer runs).
  const batching = diarizer.diarize(samples, { sampleRate: 16000 });

  const session = diarizer.live({ sampleRate: 16000 });
  let previous: LiveSnapshot | undefined;
  let maxHeld = 0;
  let reclusterings = 0;
  let unchanged = 0;
  for (let at = 0; at < samples.length; at += 16000) {
    const snapshot = await session.push(samples.subarray(at, at + 16000));
    maxHeld = Math.max(maxHeld, session.heldSamples);
    const reclustered = session.reclusterings > reclusterings;
    reclusterings = session.reclusterings;
    if (previous) {
      const final = previous.turns.filter((t) => t.final);
      expect(snapshot.turns.slice(0, final.length)).toEqual(final);
      if (!reclustered) {
        // Without a new clustering, a turn that is still there (same start) keeps its speaker.
        const before = new Map(previous.turns.map((t) => [`${t.start}`, t.speaker]));
        for (const t of snapshot.turns) {
          const name = before.get(`${t.start}`);
          if (name !== undefined) {
            expect(t.speaker).toBe(name);
            unchanged++;
          }
        }
      }
    }
    previous = snapshot;
  }
  const live = await session.close();
  const batch = await batching;
  expect(batch.mergedSpeakersDetected).toBeGreaterThan(1);
  expect(withoutTiming(live)).toEqual(withoutTiming(batch));
  // Checks that ran: snapshots between clusterings, and the clustering did not run at every push.
  expect(unchanged).toBeGreaterThan(100);
  expect(reclusterings).toBeLessThan(samples.length / 16000 / 4);
  // Turns became final during the session, and the audio held stayed far below what was pushed.
  const final = previous!.turns.filter((t) => t.final);
  expect(final.length).toBeGreaterThan(10);
  // The result clusters the whole recording once more: the final turns it labels or cuts otherwise are
  // named (final means the snapshots keep a turn, not that the result must agree), and they are few.
  const inResult = (t: LiveTurn) => live.mergedSegments.some((s) => s.start === t.start && s.end === t.end && session.resultNames[s.speaker] === t.speaker);
  expect(session.revised).toEqual(final.filter((t) => !inResult(t)));
  console.log(`final turns the result labels or cuts otherwise: ${session.revised.length} of ${final.length}`);
  expect(session.revised.length).toBeLessThan(final.length / 4);
  expect(maxHeld).toBeLessThan(30 * 16000);
}, 600_000);
