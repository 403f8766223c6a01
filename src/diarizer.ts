/**
 * @module The Diarizer composes the stages: readAudio -> detectSpeech -> subsegment -> extractFbank
 * -> embed -> cluster -> toSegments. It owns nothing the stages do not; it times them, reports progress,
 * and keeps the loaded models for the next file.
 */
import { readAudio, type AudioInput, type ReadAudioOptions } from "./audio/index.ts";
import { cluster } from "./cluster/cluster.ts";
import { ConfigError } from "./errors.ts";
import { extractFbank } from "./features/fbank.ts";
import { setNativeThreads } from "./ffi.ts";
import { embed, prepareModels, type Device } from "./models/index.ts";
import { speakerColorSets } from "./output/colors.ts";
import { toSegments, type Segment } from "./pipeline/segments.ts";
import { detectSpeech, type VadChoice } from "./pipeline/speech.ts";
import { subsegment } from "./pipeline/subsegment.ts";
import type { Embeddings } from "./types.ts";

export type Stage = "audio" | "vad" | "subsegment" | "fbank" | "embeddings" | "clustering" | "segments";

export interface Progress {
  stage: Stage;
  done: number;
  total: number;
}

export interface DiarizerOptions {
  /** "auto" uses CUDA when onnxruntime-node has it, else the CPU */
  device?: Device;
  /** "auto" picks pyannote on CUDA and Silero on the CPU */
  vad?: VadChoice;
  /** run each model once on dummy input at load, so the first file is not slower */
  warmup?: boolean;
  /** no log lines on stderr */
  quiet?: boolean;
  onProgress?: (progress: Progress) => void;
  /** fixes the number of speakers */
  numSpeakers?: number;
  minSpeakers?: number;
  maxSpeakers?: number;
  /** add `speakerColorSets` to results */
  colors?: boolean;
  /** where model files are (default: the user cache, filled by `bun run models`) */
  modelsDir?: string;
  /** threads of the native stages and of CAM++/pyannote inference (0 = one per CPU) */
  threads?: number;
  /**
   * inference lanes: threads with their own onnxruntime sessions that run Silero stretches and CAM++
   * batches at once, `threads` split between them (default: one lane per thread; 1 = the calling thread only)
   */
  lanes?: number;
  /**
   * Silero over independent stretches of a minute or more, batched and run in the lanes (default false:
   * one sequential pass). Faster VAD, but it changes the DER of long files (BENCHMARKS.md, End-to-end speed)
   */
  sileroStretches?: boolean;
  /** subsegments per CAM++ call (default 32: with one lane per core, batches of 64 cost ~400 MiB more for an hour, for no speed) */
  embeddingBatchSize?: number;
}

export interface TimingStats {
  /** seconds per stage, and in all */
  audio: number;
  vad: number;
  subsegment: number;
  fbank: number;
  embeddings: number;
  clustering: number;
  segments: number;
  total: number;
}

export interface DiarizationResult {
  rawSegments: Segment[];
  mergedSegments: Segment[];
  rawSpeakersDetected: number;
  mergedSpeakersDetected: number;
  speakerCentroids: Record<string, Float32Array>;
  timingStats: TimingStats;
  /** seconds of audio */
  durationSec: number;
  vad: "silero" | "pyannote";
  clustering: "spectral" | "umap-hdbscan" | "single" | "none";
  /** windows (1.5 s embeddings) HDBSCAN called noise and gave to the nearest speaker; 0 with spectral clustering */
  noiseReassigned: number;
  speakerColorSets?: Record<string, Record<string, string>>;
  /** what readAudio noticed about the input (e.g. a WAV still being written), as readable sentences */
  warnings: string[];
}

function validate(options: DiarizerOptions): void {
  const positiveInt = (name: string, v: number | undefined) => {
    if (v !== undefined && !(Number.isInteger(v) && v >= 1)) {
      throw new ConfigError(`${name} must be a whole number of at least 1, got ${v}`);
    }
  };
  positiveInt("numSpeakers", options.numSpeakers);
  positiveInt("minSpeakers", options.minSpeakers);
  positiveInt("maxSpeakers", options.maxSpeakers);
  if (options.minSpeakers && options.maxSpeakers && options.minSpeakers > options.maxSpeakers) {
    throw new ConfigError(`minSpeakers (${options.minSpeakers}) is larger than maxSpeakers (${options.maxSpeakers})`);
  }
  positiveInt("lanes", options.lanes);
  positiveInt("embeddingBatchSize", options.embeddingBatchSize);
  if (options.threads !== undefined && !(Number.isInteger(options.threads) && options.threads >= 0)) {
    throw new ConfigError(`threads must be a whole number >= 0, got ${options.threads}`);
  }
}

export class Diarizer {
  readonly options: Readonly<DiarizerOptions>;
  #ready: Promise<{ vad: "silero" | "pyannote" }> | undefined;

  constructor(options: DiarizerOptions = {}) {
    validate(options);
    this.options = { ...options };
    if (options.threads !== undefined) setNativeThreads(options.threads);
  }

  /** Loads (and warms up) the models; `diarize` calls it, call it yourself to load ahead of time. */
  ready(): Promise<{ vad: "silero" | "pyannote" }> {
    this.#ready ??= prepareModels({
      device: this.options.device ?? "auto",
      vad: this.options.vad ?? "auto",
      warmup: this.options.warmup ?? true,
      quiet: this.options.quiet ?? true,
      modelsDir: this.options.modelsDir,
      threads: this.options.threads || undefined,
      lanes: this.options.lanes,
    });
    return this.#ready;
  }

  /**
   * Diarizes a file path, WAV (or other) bytes, `{ samples, sampleRate }`, or a bare Float32Array with
   * `{ sampleRate, channels? }` in `audioOptions` (which also take readAudio's `name` and `ffmpeg`).
   */
  async diarize(input: AudioInput, audioOptions: ReadAudioOptions = {}): Promise<DiarizationResult> {
    const { vad } = await this.ready();
    const timing: TimingStats = { audio: 0, vad: 0, subsegment: 0, fbank: 0, embeddings: 0, clustering: 0, segments: 0, total: 0 };
    const progress = this.options.onProgress;
    const t0 = performance.now();
    const timed = async <T>(stage: Exclude<keyof TimingStats, "total">, run: () => T | Promise<T>): Promise<T> => {
      const start = performance.now();
      const out = await run();
      timing[stage] = (performance.now() - start) / 1000;
      return out;
    };

    const audio = await timed("audio", () => readAudio(input, audioOptions));
    progress?.({ stage: "audio", done: 1, total: 1 });
    const regions = await timed("vad", () =>
      detectSpeech(audio.samples, {
        vad,
        lanes: this.options.lanes,
        sileroStretches: this.options.sileroStretches,
        onProgress: progress && ((done, total) => progress({ stage: "vad", done, total })),
      }),
    );
    const windows = await timed("subsegment", () => subsegment(regions));
    const empty = (): DiarizationResult => ({
      rawSegments: [],
      mergedSegments: [],
      rawSpeakersDetected: 0,
      mergedSpeakersDetected: 0,
      speakerCentroids: {},
      timingStats: { ...timing, total: (performance.now() - t0) / 1000 },
      durationSec: audio.durationSec,
      warnings: audio.warnings,
      vad,
      clustering: "none",
      noiseReassigned: 0,
      ...(this.options.colors ? { speakerColorSets: {} } : {}),
    });
    if (windows.length === 0) return empty();

    const features = await timed("fbank", () => extractFbank(audio.samples, windows));
    let embeddings: Embeddings;
    try {
      embeddings = await timed("embeddings", () =>
        embed(features, {
          lanes: this.options.lanes,
          batchSize: this.options.embeddingBatchSize,
          onProgress: progress && ((done, total) => progress({ stage: "embeddings", done, total })),
        }),
      );
    } finally {
      features.free();
    }

    const clustered = await timed("clustering", () =>
      cluster(embeddings, {
        audioDurationSec: audio.durationSec,
        numSpeakers: this.options.numSpeakers,
        minSpeakers: this.options.minSpeakers,
        maxSpeakers: this.options.maxSpeakers,
      }),
    );
    const segments = await timed("segments", () => toSegments(windows, clustered.labels, embeddings));
    timing.total = (performance.now() - t0) / 1000;
    return {
      rawSegments: segments.rawSegments,
      mergedSegments: segments.mergedSegments,
      rawSpeakersDetected: segments.rawSpeakersDetected,
      mergedSpeakersDetected: segments.mergedSpeakersDetected,
      speakerCentroids: segments.speakerCentroids,
      timingStats: timing,
      durationSec: audio.durationSec,
      warnings: audio.warnings,
      vad,
      clustering: clustered.method,
      noiseReassigned: clustered.noiseReassigned,
      ...(this.options.colors ? { speakerColorSets: speakerColorSets(segments.mergedSegments) } : {}),
    };
  }
}
