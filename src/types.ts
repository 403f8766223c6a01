/** @module Types shared between stages. */

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
