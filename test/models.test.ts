/**
 * The three real models: resolution, verification and caching of the files; shapes of the wrappers;
 * and quality checks on the AMI fixtures that wrong weights cannot pass.
 */
import { afterAll, describe, expect, test } from "bun:test";
import { mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { resolveModel } from "../models/fetch.ts";
import { MODEL_IDS, modelSpec, type ModelSource } from "../models/manifest.ts";
import { readAudio } from "../src/audio/index.ts";
import { ModelLoadError } from "../src/errors.ts";
import { extractFbank } from "../src/features/fbank.ts";
import {
  campplusEmbeddings,
  embedBatch,
  EMBEDDING_DIM,
  loadModel,
  powersetToSpeakers,
  SEGMENTATION,
  segmentationScores,
  segmentationScoresBatch,
  segmentationSpeechFrames,
  sileroSpeechProbabilities,
  SILERO_FRAME_SAMPLES,
} from "../src/models/index.ts";
import type { TimeSpan } from "../src/types.ts";
import { AMI_DIR, withoutAmi } from "./helpers/fixtures.ts";

const NAMES = ["dev00", "dev01", "trn01", "trn02", "trn03", "trn04", "trn05", "trn06", "trn07", "trn08", "trn09"];
const SR = 16000;
const noAmi = withoutAmi("models.test.ts");

const temps: string[] = [];
async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "senko-models-test-"));
  temps.push(dir);
  return dir;
}
afterAll(async () => {
  for (const dir of temps) await rm(dir, { recursive: true, force: true });
});

interface Turn extends TimeSpan {
  speaker: string;
}
async function rttm(): Promise<Map<string, Turn[]>> {
  const turns = new Map<string, Turn[]>();
  for (const file of ["train.rttm", "dev.rttm"]) {
    for (const line of (await Bun.file(join(AMI_DIR, file)).text()).split("\n")) {
      const f = line.trim().split(/\s+/);
      if (f[0] !== "SPEAKER") continue;
      const list = turns.get(f[1]!) ?? [];
      list.push({ start: Number(f[3]), end: Number(f[3]) + Number(f[4]), speaker: f[7]! });
      turns.set(f[1]!, list);
    }
  }
  return turns;
}
const activeAt = (turns: readonly Turn[], t: number) => turns.filter((x) => x.start <= t && t < x.end);

describe("model files", () => {
  test("each model resolves from the cache, SHA-256 verified, and loads with the manifest's tensors", async () => {
    for (const id of MODEL_IDS) {
      const resolved = await resolveModel(id, { offline: true });
      expect(["cache", "models-dir"]).toContain(resolved.origin);
      expect(resolved.verification).toBe("sha256");
      const { session } = await loadModel(id);
      expect(session.inputNames.length).toBe(modelSpec(id).inputs.length);
      expect(session.outputNames.length).toBe(modelSpec(id).outputs.length);
    }
  });

  test("a file with the wrong SHA-256 is rejected, with every place tried in one error", async () => {
    const modelsDir = await tempDir();
    const cacheDir = await tempDir();
    const spec = modelSpec("silero-vad");
    await writeFile(join(modelsDir, spec.file), new Uint8Array(1000).fill(7));
    const wrong = join(modelsDir, "wrong.onnx");
    await writeFile(wrong, new Uint8Array(spec.bytes)); // right size, wrong bytes
    const sources: ModelSource[] = [{ kind: "url", url: pathToFileURL(wrong).href }];
    const error = await resolveModel("silero-vad", { modelsDir, cacheDir, sources }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ModelLoadError);
    const message = (error as ModelLoadError).message;
    expect((error as ModelLoadError).modelId).toBe("silero-vad");
    expect(message).toContain(`${join(modelsDir, spec.file)}: SHA-256 mismatch`);
    expect(message).toContain(`${join(cacheDir, spec.file)}: not there`);
    expect(message).toContain(`${pathToFileURL(wrong).href}: SHA-256 mismatch`);
    expect(message).toContain(spec.sha256);
    // One line, each place tried also in `tried`.
    expect(message).not.toContain("\n");
    const tried = (error as ModelLoadError).tried;
    expect(tried.map((t) => t.slice(0, t.indexOf(": ")))).toEqual([join(modelsDir, spec.file), join(cacheDir, spec.file), pathToFileURL(wrong).href]);
    expect(tried.every((t) => message.includes(t))).toBe(true);
    // Nothing unverified is left in the cache.
    expect(await readdir(cacheDir)).toEqual([]);
  });

  test("a download is cached: the second resolve reuses it, and a dead source before a good one is not fatal", async () => {
    const cacheDir = await tempDir();
    const good = (await resolveModel("silero-vad", { offline: true })).path;
    const sources: ModelSource[] = [
      // Nothing listens on the discard port: the connection is refused at once.
      { kind: "url", url: "http://127.0.0.1:9/silero_vad.onnx" },
      { kind: "url", url: pathToFileURL(good).href },
    ];
    const lines: string[] = [];
    const log = (line: string) => lines.push(line);
    const started = performance.now();
    const first = await resolveModel("silero-vad", { cacheDir, sources, log, timeoutMs: 5000 });
    expect(performance.now() - started).toBeLessThan(5000);
    expect(first.origin).toBe("download");
    expect(first.source).toBe(pathToFileURL(good).href);
    expect(first.path).toBe(join(cacheDir, modelSpec("silero-vad").file));
    const dead = lines.findIndex((l) => l.includes("fetching from http://127.0.0.1:9/"));
    expect(lines[dead + 1]).toContain("failed");

    lines.length = 0;
    const second = await resolveModel("silero-vad", { cacheDir, sources, log });
    expect(second.origin).toBe("cache");
    expect(second.sha256).toBe(first.sha256);
    expect(lines).toEqual([]);
    expect(await readdir(cacheDir)).toEqual([modelSpec("silero-vad").file]);
  });
});

describe.skipIf(noAmi)("model outputs", () => {
  test("Silero: one probability in [0, 1] per 512-sample frame, the last frame zero-padded", async () => {
    const audio = await readAudio(join(AMI_DIR, "trn05.wav"));
    const p = await sileroSpeechProbabilities(audio.samples);
    expect(p.length).toBe(Math.ceil(audio.samples.length / SILERO_FRAME_SAMPLES));
    for (const v of p) expect(v >= 0 && v <= 1).toBe(true);
    const short = await sileroSpeechProbabilities(audio.samples.subarray(0, 1000));
    expect(short.length).toBe(2);
    expect(short[0]).toBeCloseTo(p[0]!, 6);
  });

  test("segmentation: 589 x 7 log-probabilities per 10 s chunk; batches and zero-padding agree with single chunks", async () => {
    const audio = await readAudio(join(AMI_DIR, "trn04.wav"));
    const chunk = audio.samples.subarray(SR * 10, SR * 20);
    const scores = await segmentationScores(chunk);
    expect(scores.length).toBe(SEGMENTATION.framesPerChunk * SEGMENTATION.classes);
    for (let f = 0; f < SEGMENTATION.framesPerChunk; f++) {
      let sum = 0;
      for (let c = 0; c < 7; c++) sum += Math.exp(scores[f * 7 + c]!);
      expect(Math.abs(sum - 1)).toBeLessThan(1e-3);
    }
    const half = audio.samples.subarray(0, SR * 5);
    const padded = new Float32Array(SEGMENTATION.chunkSamples);
    padded.set(half);
    const [a, b] = await segmentationScoresBatch([chunk, half]);
    const single = await segmentationScores(padded);
    let diff = 0;
    for (let i = 0; i < scores.length; i++) diff = Math.max(diff, Math.abs(a![i]! - scores[i]!), Math.abs(b![i]! - single[i]!));
    expect(diff).toBeLessThan(1e-4);

    const hard = powersetToSpeakers(scores);
    const soft = powersetToSpeakers(scores, "soft");
    expect(hard.length).toBe(SEGMENTATION.framesPerChunk * 3);
    for (let f = 0; f < SEGMENTATION.framesPerChunk; f++) {
      const active = hard[f * 3]! + hard[f * 3 + 1]! + hard[f * 3 + 2]!;
      expect(active).toBeLessThanOrEqual(2);
      for (let s = 0; s < 3; s++) expect(soft[f * 3 + s]! >= 0 && soft[f * 3 + s]! <= 1 + 1e-5).toBe(true);
    }
    expect(hard.some((v) => v === 1)).toBe(true); // trn04 has speech in 10-20 s
  });

  test("CAM++: B x 192 embeddings; campplusEmbeddings returns them in the subsegments' order whatever the batching", async () => {
    const audio = await readAudio(join(AMI_DIR, "trn09.wav"));
    const raw = await embedBatch(new Float32Array(2 * 148 * 80).map((_, i) => Math.sin(i / 7)), 2, 148);
    expect(raw.length).toBe(2 * EMBEDDING_DIM);
    expect(raw.some((v) => v < 0)).toBe(true); // the model's own output, before Senko's ReLU

    // Lengths from 0.3 to 1.5 s so sorting by length reorders them.
    const windows: TimeSpan[] = Array.from({ length: 24 }, (_, i) => ({ start: i * 1.1, end: i * 1.1 + 0.3 + ((i * 7) % 13) * 0.1 }));
    const features = await extractFbank(audio.samples, windows);
    // Batches of one are not padded: each embedding is the model's output for that window alone.
    const alone = await campplusEmbeddings(features, { batchSize: 1 });
    const batched = await campplusEmbeddings(features, { batchSize: 16 });
    const whole = await campplusEmbeddings(features, { batchSize: 64 });
    expect(alone.count).toBe(windows.length);
    expect(alone.dim).toBe(EMBEDDING_DIM);
    expect(batched.data.length).toBe(windows.length * EMBEDDING_DIM);
    expect(batched.data.every((v) => v >= 0)).toBe(true);
    let diff = 0;
    for (const i of [0, 7, 19, 23]) {
      const frames = features.frameCounts[i]!;
      const from = features.frameOffsets[i]! * 80;
      const own = await embedBatch(features.data.slice(from, from + frames * 80), 1, frames);
      for (let d = 0; d < EMBEDDING_DIM; d++) diff = Math.max(diff, Math.abs(alone.data[i * EMBEDDING_DIM + d]! - Math.max(0, own[d]!)));
    }
    expect(diff).toBeLessThan(1e-5);
    features.free();

    // One batch either way: the reversed order must give the same embeddings, reversed.
    const rf = await extractFbank(audio.samples, [...windows].reverse());
    const reversed = await campplusEmbeddings(rf, { batchSize: 64 });
    rf.free();
    diff = 0;
    for (let i = 0; i < windows.length; i++) {
      const j = windows.length - 1 - i;
      for (let d = 0; d < EMBEDDING_DIM; d++) diff = Math.max(diff, Math.abs(whole.data[i * EMBEDDING_DIM + d]! - reversed.data[j * EMBEDDING_DIM + d]!));
    }
    expect(diff).toBeLessThan(1e-4);
  }, 30_000);
});

describe.skipIf(noAmi)("quality on the AMI fixtures", () => {
  test("CAM++: windows of one speaker are more alike than windows of different speakers, on every fixture that has both", async () => {
    const turns = await rttm();
    const cosine = (x: Float32Array, i: number, j: number) => {
      let dot = 0;
      let a = 0;
      let b = 0;
      for (let d = 0; d < EMBEDDING_DIM; d++) {
        const u = x[i * EMBEDDING_DIM + d]!;
        const v = x[j * EMBEDDING_DIM + d]!;
        dot += u * v;
        a += u * u;
        b += v * v;
      }
      return dot / Math.sqrt(a * b);
    };
    const margins: Record<string, number> = {};
    for (const name of NAMES) {
      const ts = turns.get(name) ?? [];
      // 1.5 s windows every 0.5 s lying wholly in time where exactly one speaker talks.
      const windows: Turn[] = [];
      for (let s = 0; s + 1.5 <= 30; s += 0.5) {
        const speakers = new Set<string>();
        let single = true;
        for (let k = 0; k <= 150 && single; k++) {
          const active = activeAt(ts, s + k * 0.01);
          single = active.length === 1;
          if (single) speakers.add(active[0]!.speaker);
        }
        if (single && speakers.size === 1) windows.push({ start: s, end: s + 1.5, speaker: [...speakers][0]! });
      }
      const perSpeaker = new Set(windows.map((w) => w.speaker));
      if (perSpeaker.size < 2 || windows.length < 3) continue;
      const audio = await readAudio(join(AMI_DIR, `${name}.wav`));
      const features = await extractFbank(audio.samples, windows);
      const e = await campplusEmbeddings(features);
      features.free();
      let same = 0;
      let sameN = 0;
      let other = 0;
      let otherN = 0;
      for (let i = 0; i < windows.length; i++) {
        for (let j = i + 1; j < windows.length; j++) {
          const c = cosine(e.data, i, j);
          if (windows[i]!.speaker === windows[j]!.speaker) {
            same += c;
            sameN++;
          } else {
            other += c;
            otherN++;
          }
        }
      }
      if (sameN === 0) continue;
      margins[name] = same / sameN - other / otherN;
    }
    console.log("CAM++ mean cosine, same minus different speaker:", margins);
    // Measured 2026-11-26: dev00 0.197, dev01 0.385, trn04 0.410. The other fixtures lack a second
    // speaker with a clean 1.5 s window (or, trn07, a speaker with two).
    expect(Object.keys(margins).sort()).toEqual(["dev00", "dev01", "trn04"]);
    for (const margin of Object.values(margins)) expect(margin).toBeGreaterThan(0.1);
  }, 30_000);

  test("Silero and pyannote speech activity agree with the RTTM speech regions", async () => {
    const turns = await rttm();
    let sileroHits = 0;
    let sileroFrames = 0;
    let sileroSpeech = 0;
    let pyannoteHits = 0;
    let pyannoteFrames = 0;
    let pyannoteSpeech = 0;
    const { stepSec, durationSec } = SEGMENTATION.timing;
    const starts = [0, 10 * SR, 20 * SR];
    // Every fixture's two passes at once (Silero runs on one thread).
    const passes = await Promise.all(
      NAMES.map(async (name) => {
        const audio = await readAudio(join(AMI_DIR, `${name}.wav`));
        const [p, frames] = await Promise.all([sileroSpeechProbabilities(audio.samples), segmentationSpeechFrames(audio.samples, starts)]);
        return { name, durationSecAll: audio.samples.length / SR, p, frames };
      }),
    );
    for (const { name, durationSecAll, p, frames } of passes) {
      const ts = turns.get(name) ?? [];
      for (let f = 0; f < p.length; f++) {
        const speech = activeAt(ts, ((f + 0.5) * SILERO_FRAME_SAMPLES) / SR).length > 0;
        sileroFrames++;
        sileroSpeech += Number(speech);
        sileroHits += Number(p[f]! > 0.5 === speech);
      }
      frames.forEach((speechFrames, c) => {
        for (let f = 0; f < speechFrames.length; f++) {
          const t = starts[c]! / SR + f * stepSec + durationSec / 2;
          if (t >= durationSecAll) continue;
          const speech = activeAt(ts, t).length > 0;
          pyannoteFrames++;
          pyannoteSpeech += Number(speech);
          pyannoteHits += Number(speechFrames[f] === 1 === speech);
        }
      });
    }
    const silero = sileroHits / sileroFrames;
    const pyannote = pyannoteHits / pyannoteFrames;
    // Saying "speech" (or "silence") everywhere scores this much:
    const sileroBaseline = Math.max(sileroSpeech / sileroFrames, 1 - sileroSpeech / sileroFrames);
    const pyannoteBaseline = Math.max(pyannoteSpeech / pyannoteFrames, 1 - pyannoteSpeech / pyannoteFrames);
    console.log(`frame accuracy vs RTTM: Silero ${silero.toFixed(3)}, pyannote ${pyannote.toFixed(3)} (constant guess: ${sileroBaseline.toFixed(3)})`);
    // Measured 2026-11-26 over the 11 fixtures: Silero 0.812 (it drops the pauses inside RTTM turns), pyannote 0.933, constant guess 0.61.
    expect(silero).toBeGreaterThan(0.78);
    expect(pyannote).toBeGreaterThan(0.9);
    expect(silero - sileroBaseline).toBeGreaterThan(0.15);
    expect(pyannote - pyannoteBaseline).toBeGreaterThan(0.25);
  }, 30_000);
});
