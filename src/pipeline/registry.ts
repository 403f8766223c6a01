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

export type PipelineName = keyof typeof PIPELINES;

/** The pipeline a Diarizer and the CLI run when none is named (issue 12: overlap-aware once its targets held; BENCHMARKS.md). */
export const DEFAULT_PIPELINE: PipelineName = "overlap-aware";

export function pipelineNames(): PipelineName[] {
  return Object.keys(PIPELINES) as PipelineName[];
}

/** The pipeline called `name`; a ConfigError naming the choices otherwise. */
export function findPipeline(name: string): (typeof PIPELINES)[PipelineName] {
  if (!Object.hasOwn(PIPELINES, name)) throw new ConfigError(`unknown pipeline "${name}": use ${pipelineNames().join(" or ")}`);
  return PIPELINES[name as PipelineName];
}
