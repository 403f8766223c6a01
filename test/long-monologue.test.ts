/**
 * One voice for 25 minutes (espeak-ng reading licence texts; installed by `npm run setup` on Debian): past
 * the 20-minute switch to UMAP + HDBSCAN, a monologue must still come out as one speaker.
 */
import { expect, test } from "bun:test";
import { synthesizeMonologue } from "../bench/long-audio.ts";
import { Diarizer } from "senko";

const MINUTES = 25;
const speech = await synthesizeMonologue(MINUTES * 60);
if (!speech) console.warn("[long-monologue] espeak-ng or /usr/share/common-licenses missing: skipped (npm run setup installs espeak-ng)");

test.skipIf(!speech)(`a ${MINUTES}-minute monologue is one speaker`, async () => {
  await using diarizer = new Diarizer({ vad: "silero", quiet: true });
  const result = await diarizer.diarize({ samples: speech!, sampleRate: 16000 });
  expect(result.clustering).toBe("umap-hdbscan");
  expect(result.mergedSpeakersDetected).toBe(1);
  expect(result.rawSpeakersDetected).toBe(1);
  // espeak pauses only between sentences: speech covers most of the recording.
  const covered = result.mergedSegments.reduce((s, t) => s + t.end - t.start, 0);
  expect(covered).toBeGreaterThan(0.8 * MINUTES * 60);
}, 300_000);
