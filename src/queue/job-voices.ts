/**
 * @module A job's voices made into prints when the job is submitted (clips enrolled there, saved prints
 * loaded): the job carries the prints (JobVoiceData), so that a worker on any machine needs neither the clips
 * nor the print files, and the job id covers the voices themselves, not their file names.
 */
import { Diarizer } from "../diarizer.ts";
import { DEFAULT_PIPELINE } from "../pipeline/registry.ts";
import { checkVoices, voicePrints, type Voices } from "../voices/voice-sources.ts";
import type { JobDiarizationOptions, JobVoiceData } from "./jobs.ts";

/**
 * The prints of `voices` for jobs of `options`: a clip is enrolled as `senko <audio> --voice` enrolls it (a
 * Diarizer of the same options, loaded here only when a voice is audio); a ConfigError for a voice that
 * cannot work (a clip with no speech, a print of another pipeline or model).
 */
export async function enrollVoices(voices: Voices, options: Omit<JobDiarizationOptions, "voices">): Promise<Record<string, JobVoiceData>> {
  const pipeline = options.pipeline ?? DEFAULT_PIPELINE;
  checkVoices(voices, pipeline);
  let diarizer: Diarizer | undefined;
  try {
    // The threshold names a result's speakers; a print is made without it.
    const { voiceThreshold: _, ...diarizing } = options;
    const prints = await voicePrints(voices, pipeline, (input, name) => (diarizer ??= new Diarizer({ ...diarizing, quiet: true })).voicePrint(input, { name }));
    return Object.fromEntries([...prints].map(([name, print]) => [name, { ...print, vector: Array.from(print.vector) }]));
  } finally {
    await diarizer?.close();
  }
}
