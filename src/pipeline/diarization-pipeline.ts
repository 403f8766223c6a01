/**
 * @module The contract every diarization pipeline meets. The Diarizer reads the audio, then hands it to
 * the pipeline its `pipeline` option names (./registry.ts) together with its ComputeContext; the
 * pipeline runs its own stages on the shared ones (fbank, embeddings, clustering, segments) and returns
 * the fields of the result every pipeline produces. Pipelines know nothing of each other.
 */
import type { AudioData } from "../audio/index.ts";
import type { ComputeContext } from "../compute-context.ts";
import type { Device } from "../models/index.ts";
import type { PipelineResult, Segment } from "../types.ts";

/** Options every pipeline honours. */
export interface CommonPipelineOptions {
  /** run each model once on dummy input at load, so the first file is not slower (default true) */
  warmup?: boolean;
  /** fixes the number of speakers */
  numSpeakers?: number;
  /** at least this many speakers */
  minSpeakers?: number;
  /** at most this many speakers */
  maxSpeakers?: number;
}

/** The options a pipeline reads beyond the common ones. */
export type OwnOptionKey<Options extends CommonPipelineOptions> = Exclude<keyof Options, keyof CommonPipelineOptions>;

/** What a pipeline gets for one file besides the audio. */
export interface PipelineRun<Options> {
  /** the Diarizer's sessions, lanes and threads: pass it to every stage function */
  readonly context: ComputeContext;
  /** the Diarizer's options; a pipeline reads those it knows */
  readonly options: Readonly<Options>;
  /**
   * runs `work` as `stage` (one of the pipeline's `stages`) and records its seconds in timingStats; throws the
   * abort reason, before or after `work`, once the call has been aborted
   */
  stage<T>(stage: string, work: () => T | Promise<T>): Promise<T>;
  /**
   * the progress callback of `stage` for a stage function's `onProgress` (after each batch); undefined when
   * nobody listens and nothing can abort. It throws the abort reason once the call has been aborted: a stage
   * function's batch loops end there, each runner after the batch it is in (src/abort.ts, runBatchLoops)
   */
  progress(stage: string): ((done: number, total: number) => void) | undefined;
  /** the call's AbortSignal, for stage functions whose batch loops stop at once on abort (src/abort.ts, runBatchLoops) */
  readonly signal?: AbortSignal;
}

/**
 * A diarization pipeline: its stages run on a ComputeContext it is given and know nothing of other pipelines.
 * `PIPELINES` holds those the `pipeline` option names.
 */
export interface DiarizationPipeline<Options extends CommonPipelineOptions = CommonPipelineOptions> {
  /** what `--pipeline` and the `pipeline` option take, and what results carry */
  readonly name: string;
  /** one line: what it does (shown by `--help`) */
  readonly description: string;
  /** its stages in run order (after the Diarizer's own "audio"): the progress stages and timingStats keys */
  readonly stages: readonly string[];
  /**
   * Every option it reads beyond CommonPipelineOptions (a key missing or unknown here does not compile): the
   * Diarizer and the CLI refuse them when another pipeline runs, where they would go silently unused.
   */
  readonly ownOptions: Readonly<Record<OwnOptionKey<Options>, true>>;
  /** loads (and warms up) the models it needs into the context; the Diarizer calls it once */
  prepare(context: ComputeContext, options: Readonly<Options>): Promise<void>;
  /** diarizes one file's audio, running its stages through `run.stage` */
  run(audio: AudioData, run: PipelineRun<Options>): Promise<PipelineResult>;
  /**
   * The incremental form live sessions use (src/live/session.ts), for pipelines that have one: it takes
   * the audio as it arrives, keeps the work that later audio cannot change, and ends with what `run`
   * gives for the whole audio.
   */
  incremental?(run: PipelineRun<Options>): IncrementalDiarization;
  /**
   * Why its incremental form cannot take `options` on `device` (undefined when it can), known before any
   * model loads. `spell` writes an option and a value as the user gives them (e.g. as a CLI flag).
   */
  liveRefusal?(options: Readonly<Options>, device: Device, spell: (key: string, value: string) => string): Promise<string | undefined>;
}

/** A pipeline run over audio that arrives in pieces. Calls never overlap: the session awaits each one. */
export interface IncrementalDiarization {
  /** the next 16 kHz mono samples: does the work they make final (VAD, features, embeddings of finished windows) */
  append(samples: Float32Array): Promise<void>;
  /** the diarization of the audio so far, speakers named as the pipeline likes (the session renames them) */
  snapshot(): Promise<IncrementalSnapshot>;
  /** no more audio: the result `run` gives for all of it (same turns, speakers and centroids) */
  finish(): Promise<PipelineResult>;
  /** releases what it holds (idempotent); the session calls it after `finish` or when it is abandoned */
  dispose(): void;
  /** 16 kHz samples it holds now (for the memory figures) */
  readonly heldSamples: number;
}

export interface IncrementalSnapshot {
  /** turns of the audio so far (they may overlap when the pipeline reports overlapped speech) */
  segments: Segment[];
  /**
   * turns that end by this time (seconds) keep their start and end whatever audio follows; only a new
   * clustering may still give them another speaker
   */
  settledSec: number;
  /** whether this snapshot ran the full clustering again (rather than placing new embeddings by the last one) */
  reclustered: boolean;
  /** per speaker of `segments`, its centroid as the result's `speakerCentroids` (what known voices are matched with) */
  speakerCentroids: Record<string, Float32Array>;
}

/**
 * A sentence for the result's warnings when the speakers found (those with turns in `mergedSegments`) miss the
 * count the options ask for: a pipeline cannot make speakers its models did not hear apart, and saying so beats
 * a result that looks like an answer to the count asked for.
 */
export function speakerCountWarning(pipeline: string, options: CommonPipelineOptions, found: number): string | undefined {
  const { numSpeakers, minSpeakers, maxSpeakers } = options;
  const missed: [string, number] | undefined =
    numSpeakers !== undefined && found !== numSpeakers ? ["numSpeakers", numSpeakers]
    : minSpeakers !== undefined && found < minSpeakers ? ["minSpeakers", minSpeakers]
    : maxSpeakers !== undefined && found > maxSpeakers ? ["maxSpeakers", maxSpeakers]
    : undefined;
  if (missed === undefined) return undefined;
  const [name, asked] = missed;
  const why = found < asked ? ": it did not hear more voices apart in this audio" : "";
  return `${name} is ${asked}, but the ${pipeline} pipeline found ${found} speaker${found === 1 ? "" : "s"} with turns${why}`;
}
