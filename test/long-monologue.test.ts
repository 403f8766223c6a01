/**
 * One voice for 25 minutes (espeak-ng reading licence texts; installed by `npm run setup` on Debian): with the
 * default agglomerative clustering and with Senko's (past its 20-minute switch to UMAP + HDBSCAN), a
 * monologue must come out as one speaker. The embeddings are computed once and clustered both ways.
 */
import { expect, test } from "bun:test";
import { synthesizeMonologue } from "../bench/long-audio.ts";
import { cluster, detectSpeech, embed, extractFbank, prepareModels, subsegment, toSegments } from "senko";

const MINUTES = 25;
const speech = await synthesizeMonologue(MINUTES * 60);
if (!speech) console.warn("[long-monologue] espeak-ng or /usr/share/common-licenses missing: skipped (npm run setup installs espeak-ng)");

test.skipIf(!speech)(`a ${MINUTES}-minute monologue is one speaker, agglomerative and UMAP + HDBSCAN`, async () => {
  await prepareModels({ vad: "silero", warmup: false });
  const windows = subsegment(await detectSpeech(speech!, { vad: "silero" }));
  const features = await extractFbank(speech!, windows);
  const embeddings = await embed(features, {});
  features.free();
  for (const [method, ran] of [["agglomerative", "agglomerative"], ["auto", "umap-hdbscan"]] as const) {
    const clustered = await cluster(embeddings, { audioDurationSec: MINUTES * 60, method });
    expect(clustered.method).toBe(ran);
    const result = toSegments(windows, clustered.labels, embeddings);
    expect(result.mergedSpeakersDetected, method).toBe(1);
    expect(result.rawSpeakersDetected, method).toBe(1);
    // espeak pauses only between sentences: speech covers most of the recording.
    const covered = result.mergedSegments.reduce((s, t) => s + t.end - t.start, 0);
    expect(covered).toBeGreaterThan(0.8 * MINUTES * 60);
  }
}, 300_000);
