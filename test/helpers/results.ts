/** Hand-made diarization results for the writers' tests: the turns given, the rest empty. */
import type { DiarizationResult } from "../../src/diarizer.ts";
import { exclusiveView } from "../../src/output/exclusive.ts";
import { overlapSeconds, type Segment } from "../../src/pipeline/segments.ts";

export const seg = (start: number, end: number, speaker: string): Segment => ({ start, end, speaker });

/**
 * A result of `mergedSegments` (also its raw segments), its exclusive view and overlap computed, lasting
 * to the last turn's end, unless `extra` says otherwise.
 */
export function resultOf(mergedSegments: Segment[], extra: Partial<DiarizationResult> = {}): DiarizationResult {
  return {
    pipeline: "vad-windows",
    rawSegments: mergedSegments,
    mergedSegments,
    exclusiveSegments: exclusiveView(mergedSegments),
    overlapSec: overlapSeconds(mergedSegments),
    rawSpeakersDetected: new Set(mergedSegments.map((s) => s.speaker)).size,
    mergedSpeakersDetected: new Set(mergedSegments.map((s) => s.speaker)).size,
    speakerCentroids: {},
    timingStats: { audio: 0, vad: 0, subsegment: 0, fbank: 0, embeddings: 0, clustering: 0, segments: 0, total: 0 },
    durationSec: mergedSegments.reduce((max, s) => Math.max(max, s.end), 0),
    vad: "silero",
    clustering: "spectral",
    noiseReassigned: 0,
    warnings: [],
    ...extra,
  };
}
