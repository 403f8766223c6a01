/** @module Types shared between stages, and the sample rate they all run at. */

/**
 * The rate of all audio inside senko: what readAudio returns and the fbank and the models take
 * (libsenko's senko_audio_output_rate and senko_fbank_sample_rate; test/shared-constants.test.ts).
 */
export const SAMPLE_RATE = 16000;

/** A span of audio in seconds. */
export interface TimeSpan {
  start: number;
  end: number;
}

/**
 * Log-mel filterbank features of many subsegments, in one contiguous buffer.
 * `data` may be a view over native memory: call `free()` when done (idempotent); using the
 * views after `free()` throws.
 */
export interface FbankFeatures {
  /** frame-major: frame f of subsegment s is data[(frameOffsets[s] + f) * melBins ...] */
  readonly data: Float32Array;
  readonly frameCounts: Uint32Array;
  /** offset of each subsegment's first frame, in frames */
  readonly frameOffsets: Uint32Array;
  readonly melBins: number;
  readonly segmentCount: number;
  free(): void;
}

/** N speaker embeddings of `dim` floats each, row-major. */
export interface Embeddings {
  readonly data: Float32Array;
  readonly count: number;
  readonly dim: number;
}

/** One speaker turn, in seconds; `speaker` is SPEAKER_01, SPEAKER_02, ... */
export interface Segment {
  start: number;
  end: number;
  speaker: string;
}

/** Frame f of a frame-level signal covers [startSec + f * stepSec, startSec + f * stepSec + durationSec) seconds. */
export interface FrameTiming {
  startSec: number;
  durationSec: number;
  stepSec: number;
}

/**
 * Frame-level speaker activity over a whole file: frames x speakers, frame-major (frame f of speaker s
 * is data[f * speakers + s]), either scores in [0, 1] or binary activity (0 or 1). Several speakers
 * may be active in one frame: this is what an overlap-aware pipeline decodes its turns from.
 */
export interface SpeakerActivity extends FrameTiming {
  readonly data: Float32Array;
  readonly frames: number;
  readonly speakers: number;
}

/** The fields of a diarization result that every pipeline produces (the Diarizer adds timing and input facts). */
export interface PipelineResult {
  /** turns straight from the pipeline's decisions, before merging */
  rawSegments: Segment[];
  /** the turns a user wants; may overlap when the pipeline reports overlapped speech */
  mergedSegments: Segment[];
  /** one speaker at any instant (the most likely), for aligning with a transcript or subtitles */
  exclusiveSegments: Segment[];
  /** seconds during which two or more speakers are active in mergedSegments */
  overlapSec: number;
  rawSpeakersDetected: number;
  mergedSpeakersDetected: number;
  /** per speaker, the mean of its embeddings */
  speakerCentroids: Record<string, Float32Array>;
  /** the voice activity detector that found the speech (or the model that decided it) */
  vad: "silero" | "pyannote";
  clustering: "spectral" | "umap-hdbscan" | "agglomerative" | "single" | "none";
  /** windows (1.5 s embeddings) that HDBSCAN called noise and gave to the nearest speaker; 0 for other clusterings */
  noiseReassigned: number;
}
