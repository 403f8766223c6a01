/**
 * @module Naming a result's speakers after known voices: speakers and voices matched one to one (the
 * assignment of highest summed cosine similarity between centroids and prints), a match kept only above
 * the threshold; matched speakers take the voice's name in every turn, the others keep SPEAKER_xx.
 */
import { ConfigError, quoted } from "../errors.ts";
import { maxWeightAssignment } from "../eval/hungarian.ts";
import { speakerSimilarity } from "../pipeline/segments.ts";
import type { PipelineName } from "../pipeline/registry.ts";
import type { PipelineResult, Segment } from "../types.ts";

/**
 * Per pipeline, the cosine similarity a speaker's centroid needs with a print to take its name: between the
 * same-speaker and different-speaker similarities measured on LibriSpeech (BENCHMARKS.md, "Naming known
 * voices"). vad-windows' embeddings are non-negative (a ReLU), so any two voices are more alike there.
 */
export const VOICE_MATCH_THRESHOLDS = { "overlap-aware": 0.5, "vad-windows": 0.7 } as const satisfies Record<PipelineName, number>;

/** The threshold a Diarizer of `pipeline` names speakers at: the `voiceThreshold` option, else the pipeline's own. */
export function voiceMatchThreshold(pipeline: PipelineName, voiceThreshold: number | undefined): number {
  return voiceThreshold ?? VOICE_MATCH_THRESHOLDS[pipeline];
}

/** A ConfigError for a `voiceThreshold` that is not a cosine similarity in (-1, 1] (-1 would name every speaker, 1 none). */
export function checkVoiceThreshold(voiceThreshold: unknown, pipeline: PipelineName): void {
  if (!(typeof voiceThreshold === "number" && voiceThreshold > -1 && voiceThreshold <= 1)) {
    throw new ConfigError(
      `voiceThreshold must be a cosine similarity above -1 and at most 1 (${pipeline}'s default: ${VOICE_MATCH_THRESHOLDS[pipeline]}), got ${quoted(voiceThreshold)}`,
    );
  }
}

/** What the naming found for one speaker of the result. */
export interface SpeakerVoice {
  /** the speaker's label before naming (SPEAKER_xx) */
  label: string;
  /** the voice it was named after, or null */
  voice: string | null;
  /** cosine similarity of its centroid with that voice's print; for an unnamed speaker, with the nearest print (-1 without any) */
  similarity: number;
}

export interface NamedResult {
  /** per speaker of the result (by its name in the turns), what the naming found */
  speakerVoices: Record<string, SpeakerVoice>;
}

/** For each speaker label, the voice it matches (one speaker per voice) and the similarity. */
export function matchVoices(
  centroids: Readonly<Record<string, Float32Array>>,
  prints: ReadonlyMap<string, Float32Array>,
  threshold: number,
): Map<string, Omit<SpeakerVoice, "label">> {
  const labels = Object.keys(centroids);
  const voices = [...prints.keys()];
  const similarity = labels.map((label) => voices.map((voice) => speakerSimilarity(centroids[label]!, prints.get(voice)!)));
  const assigned = maxWeightAssignment(similarity);
  return new Map(
    labels.map((label, i): [string, Omit<SpeakerVoice, "label">] => {
      const column = assigned[i]!;
      if (column >= 0 && similarity[i]![column]! > threshold) return [label, { voice: voices[column]!, similarity: similarity[i]![column]! }];
      return [label, { voice: null, similarity: Math.max(-1, ...similarity[i]!) }];
    }),
  );
}

/** `result` with its speakers named after the voices they match (turns, centroids), and what matched. */
export function nameSpeakers<R extends PipelineResult>(result: R, prints: ReadonlyMap<string, Float32Array>, threshold: number): R & NamedResult {
  const matches = matchVoices(result.speakerCentroids, prints, threshold);
  const nameOf = (label: string) => matches.get(label)?.voice ?? label;
  const rename = (segments: readonly Segment[]) => segments.map((s) => ({ ...s, speaker: nameOf(s.speaker) }));
  return {
    ...result,
    rawSegments: rename(result.rawSegments),
    mergedSegments: rename(result.mergedSegments),
    exclusiveSegments: rename(result.exclusiveSegments),
    speakerCentroids: Object.fromEntries(Object.entries(result.speakerCentroids).map(([label, c]) => [nameOf(label), c])),
    speakerVoices: Object.fromEntries([...matches].map(([label, m]) => [nameOf(label), { label, ...m }])),
  };
}
