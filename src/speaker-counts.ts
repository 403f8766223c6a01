/**
 * @module numSpeakers, minSpeakers and maxSpeakers that contradict each other, in the words of who set them:
 * the Diarizer's option names, or the command line's flags.
 */

interface SpeakerCounts {
  numSpeakers?: number;
  minSpeakers?: number;
  maxSpeakers?: number;
}

/** What contradicts in `counts` (each a whole number of at least 1 already), option names spelt by `spell`; undefined when nothing does. */
export function speakerCountsClash({ numSpeakers, minSpeakers, maxSpeakers }: SpeakerCounts, spell: (key: keyof SpeakerCounts) => string = (key) => key): string | undefined {
  if (minSpeakers && maxSpeakers && minSpeakers > maxSpeakers) return `${spell("minSpeakers")} (${minSpeakers}) is larger than ${spell("maxSpeakers")} (${maxSpeakers})`;
  // Checked for both pipelines: overlap-aware would otherwise give numSpeakers whatever the bounds say.
  if (numSpeakers !== undefined && minSpeakers !== undefined && numSpeakers < minSpeakers) {
    return `${spell("numSpeakers")} (${numSpeakers}) is smaller than ${spell("minSpeakers")} (${minSpeakers})`;
  }
  if (numSpeakers !== undefined && maxSpeakers !== undefined && numSpeakers > maxSpeakers) {
    return `${spell("numSpeakers")} (${numSpeakers}) is larger than ${spell("maxSpeakers")} (${maxSpeakers})`;
  }
  return undefined;
}
