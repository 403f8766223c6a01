/**
 * @module The diarization pipelines by name: what the Diarizer's `pipeline` option and the CLI's
 * `--pipeline` choose from. A new pipeline is one module implementing DiarizationPipeline
 * (./diarization-pipeline.ts) and one entry here.
 */
import { ConfigError } from "../errors.ts";
import type { DiarizationPipeline } from "./diarization-pipeline.ts";
import { overlapAware } from "./overlap/overlap-aware.ts";
import { vadWindows } from "./vad-windows.ts";

/** Each key is its pipeline's `name` (a test checks it). */
export const PIPELINES = {
  "overlap-aware": overlapAware,
  "vad-windows": vadWindows,
} as const satisfies Record<string, DiarizationPipeline>;

/** A name the `pipeline` option takes: "overlap-aware" or "vad-windows". */
export type PipelineName = keyof typeof PIPELINES;

/** The pipeline a Diarizer and the CLI run when none is named (issue 12: overlap-aware once its targets held; BENCHMARKS.md). */
export const DEFAULT_PIPELINE: PipelineName = "overlap-aware";

/** The names the `pipeline` option takes, the default first. */
export function pipelineNames(): PipelineName[] {
  return Object.keys(PIPELINES) as PipelineName[];
}

/** The pipeline called `name`; a ConfigError naming the choices otherwise. */
export function findPipeline(name: string): (typeof PIPELINES)[PipelineName] {
  if (!Object.hasOwn(PIPELINES, name)) throw new ConfigError(`unknown pipeline "${name}": use ${pipelineNames().join(" or ")}`);
  return PIPELINES[name as PipelineName];
}

/**
 * The refusal of options in `given` (those not undefined) that only a pipeline other than `pipeline` reads, as
 * one message, or undefined when there are none. `spell` writes an option as the user gave it (e.g. its CLI flag);
 * `choose` tells how to pick the pipeline that reads them.
 */
export function foreignOptionsMessage(
  pipeline: PipelineName,
  given: object,
  { spell = (key) => key, choose }: { spell?: (key: string) => string; choose: (owner: PipelineName) => string },
): string | undefined {
  const owns = (name: PipelineName, key: string) => Object.hasOwn(PIPELINES[name].ownOptions, key);
  const foreign = Object.entries(given)
    .filter(([key, value]) => value !== undefined && !owns(pipeline, key))
    .map(([key]) => key);
  for (const owner of pipelineNames()) {
    const names = foreign.filter((key) => owns(owner, key)).map(spell);
    if (names.length > 0) return `${names.join(", ")} ${names.length === 1 ? "applies" : "apply"} to the ${owner} pipeline only: ${choose(owner)}`;
  }
  return undefined;
}
