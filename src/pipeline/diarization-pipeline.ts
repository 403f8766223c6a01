/**
 * @module The contract every diarization pipeline meets. The Diarizer reads the audio, then hands it to
 * the pipeline its `pipeline` option names (./registry.ts) together with its ComputeContext; the
 * pipeline runs its own stages on the shared ones (fbank, embeddings, clustering, segments) and returns
 * the fields of the result every pipeline produces. Pipelines know nothing of each other.
 */
import type { AudioData } from "../audio/index.ts";
import type { ComputeContext } from "../compute-context.ts";
import type { PipelineResult } from "../types.ts";

/** Options every pipeline honours. */
export interface CommonPipelineOptions {
  /** run each model once on dummy input at load, so the first file is not slower (default true) */
  warmup?: boolean;
  /** fixes the number of speakers */
  numSpeakers?: number;
  minSpeakers?: number;
  maxSpeakers?: number;
}

/** What a pipeline gets for one file besides the audio. */
export interface PipelineRun<Options> {
  readonly context: ComputeContext;
  /** the Diarizer's options; a pipeline reads those it knows */
  readonly options: Readonly<Options>;
  /** runs `work` as `stage` (one of the pipeline's `stages`) and records its seconds in timingStats */
  stage<T>(stage: string, work: () => T | Promise<T>): Promise<T>;
  /** the progress callback of `stage` for a stage function's `onProgress`; undefined when nobody listens */
  progress(stage: string): ((done: number, total: number) => void) | undefined;
}

export interface DiarizationPipeline<Options extends CommonPipelineOptions = CommonPipelineOptions> {
  /** what `--pipeline` and the `pipeline` option take, and what results carry */
  readonly name: string;
  /** one line: what it does (shown by `--help`) */
  readonly description: string;
  /** its stages in run order (after the Diarizer's own "audio"): the progress stages and timingStats keys */
  readonly stages: readonly string[];
  /** loads (and warms up) the models it needs into the context; the Diarizer calls it once */
  prepare(context: ComputeContext, options: Readonly<Options>): Promise<void>;
  run(audio: AudioData, run: PipelineRun<Options>): Promise<PipelineResult>;
}
