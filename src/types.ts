/** @module Types shared between stages, and the sample rate they all run at. */

/**
 * The rate of all audio inside senko: what readAudio returns and the fbank and the models take
 * (libsenko's senko_audio_output_rate and senko_fbank_sample_rate; test/shared-constants.test.ts).
 */
export const SAMPLE_RATE = 16000;

/** A span of audio in seconds. */
export interface TimeSpan {
  /** seconds from the start of the audio */
  start: number;
  /** seconds from the start of the audio */
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
  /** frames of each subsegment (25 ms frames every 10 ms) */
  readonly frameCounts: Uint32Array;
  /** offset of each subsegment's first frame, in frames */
  readonly frameOffsets: Uint32Array;
  /** floats per frame (80) */
  readonly melBins: number;
  /** subsegments: one per window given to extractFbank */
  readonly segmentCount: number;
  /** releases the native buffer (idempotent); the views throw after it */
  free(): void;
}

/** N speaker embeddings of `dim` floats each, row-major. */
export interface Embeddings {
  /** row-major: embedding i is data[i * dim ... (i + 1) * dim] */
  readonly data: Float32Array;
  /** embeddings: one per subsegment or span */
  readonly count: number;
  /** floats per embedding (192 for CAM++) */
  readonly dim: number;
}

/** One speaker turn, in seconds; `speaker` is SPEAKER_01, SPEAKER_02, ... */
export interface Segment {
  /** seconds from the start of the audio */
  start: number;
  /** seconds from the start of the audio */
  end: number;
  /** SPEAKER_01, SPEAKER_02, ... by talk time, longest first (or a voice's name, with `voices`) */
  speaker: string;
}

/** Frame f of a frame-level signal covers [startSec + f * stepSec, startSec + f * stepSec + durationSec) seconds. */
export interface FrameTiming {
  startSec: number;
  durationSec: number;
  stepSec: number;
}

/**
 * What the writers (`toRttm`, `toCsv`, `toText`, `toSrt`, `toVtt`, `toHtml`) read of a result: its turns. A
 * `diarize` result has them, and so has `toSegments` (stage by stage), whose turns are all exclusive.
 */
export interface ResultTurns {
  /** speaker turns in seconds from the start of the audio; may overlap (overlap-aware) */
  mergedSegments: Segment[];
  /** one speaker at any instant; without it, the exclusive view of `mergedSegments` (`exclusiveView`) */
  exclusiveSegments?: Segment[];
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
  /** speakers in rawSegments */
  rawSpeakersDetected: number;
  /** speakers in mergedSegments */
  mergedSpeakersDetected: number;
  /** per speaker, the mean of its embeddings */
  speakerCentroids: Record<string, Float32Array>;
  /** the voice activity detector that found the speech (or the model that decided it) */
  vad: "silero" | "pyannote";
  /** the clustering that ran ("single": too few embeddings, one speaker; "none": no speech) */
  clustering: "spectral" | "umap-hdbscan" | "agglomerative" | "single" | "none";
  /** windows (1.5 s embeddings) that HDBSCAN called noise and gave to the nearest speaker; 0 for other clusterings */
  noiseReassigned: number;
}
