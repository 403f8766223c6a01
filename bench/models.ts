/**
 * Model timings: session load, Silero per 30 s of audio, pyannote segmentation per 10 s chunk, CAM++
 * embeddings per second (batch 64 of 1.5 s windows), each the median of `repeats` runs on real AMI audio;
 * with --fetch, also the first-run fetch of every model into an empty temporary cache (through the same
 * sources `bun run models` uses).
 *   bun run bench/models.ts [--fetch] [repeats=5]
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { resolveModel } from "../models/fetch.ts";
import { MODEL_IDS } from "../models/manifest.ts";
import { readAudio } from "../src/audio/index.ts";
import { extractFbank } from "../src/features/fbank.ts";
import { releaseModels } from "../src/compute-context.ts";
import { embedBatch, loadModel, segmentationScoresBatch, sileroSpeechProbabilities } from "../src/models/index.ts";
import { benchArgs, toNumber } from "./args.ts";
import { AMI_DIR, needFixture } from "./fixtures.ts";
import { median } from "./measure.ts";

const { values, positionals } = benchArgs(import.meta.path, { fetch: { type: "boolean", default: false } }, { positionals: true });
const fetchToo = values.fetch;
const repeats = toNumber(positionals[0] ?? "5", "repeats");

async function timeMs(run: () => Promise<unknown>): Promise<number> {
  const runs: number[] = [];
  for (let i = 0; i < repeats; i++) {
    const t = performance.now();
    await run();
    runs.push(performance.now() - t);
  }
  return median(runs);
}

if (fetchToo) {
  const cacheDir = await mkdtemp(join(tmpdir(), "senko-bench-models-"));
  try {
    for (const id of MODEL_IDS) {
      const m = await resolveModel(id, { cacheDir });
      console.log(`fetch ${id}: ${((m.fetchMs ?? 0) / 1000).toFixed(1)} s from ${m.source} (${(m.bytes / 1e6).toFixed(1)} MB)`);
    }
  } finally {
    await rm(cacheDir, { recursive: true, force: true });
  }
}

for (const id of MODEL_IDS) {
  const loads: number[] = [];
  for (let i = 0; i < repeats; i++) {
    await releaseModels();
    loads.push((await loadModel(id)).loadMs);
  }
  console.log(`session load ${id}: ${median(loads).toFixed(0)} ms (file verified separately: ${(await timeMs(() => resolveModel(id, { offline: true }))).toFixed(0)} ms)`);
}

const audio = await readAudio(needFixture(join(AMI_DIR, "trn05.wav")));
await sileroSpeechProbabilities(audio.samples);
console.log(`Silero, ${audio.durationSec} s of audio: ${(await timeMs(() => sileroSpeechProbabilities(audio.samples))).toFixed(0)} ms`);

const chunk = audio.samples.subarray(0, 160_000);
for (const batch of [1, 16]) {
  const chunks = Array.from({ length: batch }, () => chunk);
  await segmentationScoresBatch(chunks);
  const ms = await timeMs(() => segmentationScoresBatch(chunks));
  console.log(`segmentation, batches of ${batch}: ${(ms / batch).toFixed(1)} ms per 10 s chunk`);
}

const windows = Array.from({ length: 64 }, (_, i) => ({ start: (i * 0.4) % 28, end: ((i * 0.4) % 28) + 1.5 }));
const features = await extractFbank(audio.samples, windows);
const frames = features.frameCounts[0]!;
const batch = features.data.slice(0, 64 * frames * 80);
features.free();
await embedBatch(batch, 64, frames);
const camMs = await timeMs(() => embedBatch(batch, 64, frames));
console.log(`CAM++, batch 64 x ${frames} frames (1.5 s): ${((64 * 1000) / camMs).toFixed(1)} embeddings/s (${camMs.toFixed(0)} ms per batch)`);
