/** @module The flags that decide a file's result, taken alike by `senko <audio>` and `senko submit`. */
import { CLUSTER_METHODS } from "../cluster/cluster.ts";
import type { DiarizerOptions } from "../diarizer.ts";
import { UsageError } from "../errors.ts";
import { VAD_CHOICES } from "../models/session.ts";
import { DEFAULT_PIPELINE, foreignOptionsMessage, pipelineNames, type PipelineName } from "../pipeline/registry.ts";
import { WINDOWS, type WindowsChoice } from "../pipeline/subsegment.ts";
import { speakerCountsClash } from "../speaker-counts.ts";
import { fraction, oneOf, secondsOrOff, wholeNumber } from "./flag-values.ts";

/** Their parseArgs table. */
export const DIARIZATION_FLAGS = {
  pipeline: { type: "string" },
  vad: { type: "string" },
  "num-speakers": { type: "string" },
  "min-speakers": { type: "string" },
  "max-speakers": { type: "string" },
  "min-cluster-speech": { type: "string" },
  cluster: { type: "string" },
  "merge-cosine": { type: "string" },
  windows: { type: "string" },
} as const satisfies Record<string, { type: "string" }>;

/** The flags that set a Diarizer option, by parse name, and that option: the registry knows which pipeline reads it. */
const OPTION_FLAGS = {
  vad: "vad",
  "num-speakers": "numSpeakers",
  "min-speakers": "minSpeakers",
  "max-speakers": "maxSpeakers",
  "min-cluster-speech": "minClusterSpeechSec",
  cluster: "clusterMethod",
  "merge-cosine": "mergeCosine",
  windows: "windows",
  threads: "threads",
  device: "device",
} as const satisfies Record<string, keyof DiarizerOptions>;

type OptionFlag = keyof typeof OPTION_FLAGS;

/**
 * Flags of options that only another pipeline than `pipeline` reads (the default is overlap-aware): a usage
 * error naming the flags, rather than the Diarizer's ConfigError naming its options.
 */
function checkPipelineOptions(pipeline: PipelineName | undefined, values: Partial<Record<OptionFlag, unknown>>): void {
  const flags = Object.keys(OPTION_FLAGS) as OptionFlag[];
  const given = Object.fromEntries(flags.map((flag) => [OPTION_FLAGS[flag], values[flag]]));
  const foreign = foreignOptionsMessage(pipeline ?? DEFAULT_PIPELINE, given, { spell: optionFlag, choose: (owner) => `add --pipeline ${owner}` });
  if (foreign !== undefined) throw new UsageError(foreign);
}

/** The flag that sets Diarizer option `key`. */
export function optionFlag(key: string): string {
  return `--${(Object.keys(OPTION_FLAGS) as OptionFlag[]).find((flag) => OPTION_FLAGS[flag] === key)}`;
}

/**
 * The Diarizer options of DIARIZATION_FLAGS, each value checked (a UsageError naming the flag), flags of a
 * pipeline other than the chosen one refused (--threads and --device among them, when given), and so are
 * speaker counts that contradict each other.
 */
export function diarizationOptions(values: Partial<Record<keyof typeof DIARIZATION_FLAGS | OptionFlag, string>>) {
  const options = {
    pipeline: oneOf("pipeline", values.pipeline, pipelineNames()),
    vad: oneOf("vad", values.vad, VAD_CHOICES),
    numSpeakers: wholeNumber("num-speakers", values["num-speakers"], 1),
    minSpeakers: wholeNumber("min-speakers", values["min-speakers"], 1),
    maxSpeakers: wholeNumber("max-speakers", values["max-speakers"], 1),
    minClusterSpeechSec: secondsOrOff("min-cluster-speech", values["min-cluster-speech"]),
    clusterMethod: oneOf("cluster", values.cluster, CLUSTER_METHODS),
    mergeCosine: fraction("merge-cosine", values["merge-cosine"]),
    windows: oneOf("windows", values.windows, Object.keys(WINDOWS) as WindowsChoice[]),
  } satisfies DiarizerOptions;
  checkPipelineOptions(options.pipeline, values);
  const counts = speakerCountsClash(options, optionFlag);
  if (counts !== undefined) throw new UsageError(counts);
  return options;
}
