/**
 * @module A live diarization session (`diarizer.live(options)`): audio is pushed as it arrives (any rate,
 * mono or interleaved channels, float samples or PCM bytes), each push answers with a snapshot of who
 * spoke when so far, and `close()` ends with the result `diarizer.diarize()` gives for the whole audio.
 *
 * The session converts the audio to 16 kHz as it comes (../audio/stream.ts), hands it to the pipeline's
 * incremental form (DiarizationPipeline.incremental), which keeps the work later audio cannot change,
 * and names the speakers so that a name, once shown, stays (./stable-names.ts). With the Diarizer's `voices`, a
 * speaker whose centroid matches a voice is shown by the voice's name instead, from the snapshot it first matches
 * in (its earlier turns too) until another speaker matches that voice; the result is named as `diarize` names it.
 */
import { checkSignal, untilAborted } from "../abort.ts";
import { Mono16kStream } from "../audio/stream.ts";
import type { SampleEncoding } from "../audio/wav.ts";
import type { Diarizer, DiarizationResult, TimingStats } from "../diarizer.ts";
import { ConfigError, SenkoError } from "../errors.ts";
import { refuseUnknownOptions } from "../option-names.ts";
import { speakerColorSets } from "../output/colors.ts";
import { speakerCountWarning, type IncrementalDiarization, type PipelineRun } from "../pipeline/diarization-pipeline.ts";
import type { PipelineName } from "../pipeline/registry.ts";
import { SAMPLE_RATE, type PipelineResult } from "../types.ts";
import { matchVoices, nameSpeakers, voiceMatchThreshold, type NamedResult } from "../voices/name-speakers.ts";
import { StableNames, type LiveTurn, type NamedSnapshot } from "./stable-names.ts";

export type { LiveTurn } from "./stable-names.ts";

/** What a live session is pushed: its rate, channels and encoding. */
export interface LiveOptions {
  /** rate of the audio pushed, in Hz */
  sampleRate: number;
  /** interleaved channels of the audio pushed (default 1), averaged to mono */
  channels?: number;
  /** encoding of the bytes pushed as a Uint8Array (default "float32"); a Float32Array is always float32 */
  encoding?: SampleEncoding;
}

/** The options of one call of a session (push, append, snapshot, close). */
export interface LiveCallOptions {
  /**
   * aborted before the call starts its work, the call rejects with the signal's reason and the session goes on
   * (not so for close(), which then ends it); aborted during it, the call stops at the next stage and the
   * session ends, as on a failure: its state is partial, and later calls reject with the same reason
   */
  signal?: AbortSignal;
}

/** Every option a live session reads (a key missing here, or one LiveOptions lacks, fails `tsc`). */
const LIVE_OPTION_NAMES = { sampleRate: true, channels: true, encoding: true } as const satisfies Record<keyof LiveOptions, true>;

/** Who has spoken when so far, after a push or append; times in seconds from the session's start. */
export interface LiveSnapshot {
  /** seconds of audio received */
  durationSec: number;
  /** every turn so far in time order; a speaker keeps its name from one snapshot to the next */
  turns: LiveTurn[];
  /** turns ending by this time are final (`final: true`): every later snapshot has them as they are */
  finalSec: number;
  /** the turns that became final with this update */
  settled: LiveTurn[];
  /** the speakers named in `turns` */
  speakers: string[];
}

/**
 * Audio pushed as it arrives (`diarizer.live(options)`): `push` returns a snapshot of the turns so far, `close()`
 * the result `diarize` gives for all of it (README, Live).
 */
export class LiveDiarization {
  readonly #diarizer: Diarizer;
  readonly #stream: Mono16kStream;
  readonly #names = new StableNames();
  readonly #timing: TimingStats;
  #pipeline: IncrementalDiarization | undefined;
  /** every call runs after the previous one */
  #queue: Promise<unknown> = Promise.resolve();
  #failure: unknown;
  /** what ended the session, for the error of a later call */
  #endedBy: "close()" | "abort()" | undefined;
  /** what close() gives, once called */
  #result: Promise<DiarizationResult> | undefined;
  #samples = 0;
  #last: LiveSnapshot = { durationSec: 0, turns: [], finalSec: 0, settled: [], speakers: [] };
  #resultNames: Record<string, string> = {};
  #revised: LiveTurn[] = [];
  #reclusterings = 0;
  /** the signal of the call running, checked between its stages */
  #signal: AbortSignal | undefined;
  /** the Diarizer's voices' prints, made when the session starts (undefined without voices) */
  readonly #loadPrints: (() => Promise<ReadonlyMap<string, Float32Array>>) | undefined;
  #prints: ReadonlyMap<string, Float32Array> | undefined;
  /** the voice each stable name is shown by */
  readonly #voiceOf = new Map<string, string>();

  /** Use `diarizer.live(options)` (which passes its voices' prints as `prints`). */
  constructor(diarizer: Diarizer, options: LiveOptions, prints?: () => Promise<ReadonlyMap<string, Float32Array>>) {
    if (!diarizer.pipeline.incremental) throw new ConfigError(`the ${diarizer.pipeline.name} pipeline has no live form`);
    if (typeof options === "object" && options !== null) refuseUnknownOptions(options, LIVE_OPTION_NAMES, "LiveOptions");
    this.#diarizer = diarizer;
    this.#loadPrints = prints;
    this.#stream = new Mono16kStream(options, diarizer.context);
    this.#timing = { audio: 0, ...Object.fromEntries(diarizer.pipeline.stages.map((name) => [name, 0])), total: 0 };
  }

  /** Seconds of audio received (at 16 kHz, after conversion). */
  get durationSec(): number {
    return this.#samples / SAMPLE_RATE;
  }

  /**
   * The last snapshot (the empty one before any). After `close()`: the result's turns after those already
   * final, every turn final, speakers named as in the snapshots.
   */
  get last(): LiveSnapshot {
    return this.#last;
  }

  /** Snapshots that ran the full clustering again (the others placed new embeddings by the last one). */
  get reclusterings(): number {
    return this.#reclusterings;
  }

  /** 16 kHz samples the pipeline holds now (audio it will still read). */
  get heldSamples(): number {
    return this.#pipeline?.heldSamples ?? 0;
  }

  /**
   * After `close()`: for each speaker of the result, its name in the snapshots (the result names speakers
   * by talk time, as `diarize` does; the snapshots in order of appearance).
   */
  get resultNames(): Readonly<Record<string, string>> {
    return this.#resultNames;
  }

  /**
   * After `close()`: the turns the snapshots gave as final that the result does not have as they were
   * shown (same start, end and speaker). Final means the snapshots keep a turn; the result clusters the
   * whole recording again, as `diarize` does, and may label or cut an early turn otherwise.
   */
  get revised(): readonly LiveTurn[] {
    return this.#revised;
  }

  /** Takes the next audio (interleaved frames; a frame may be cut between two pushes) and returns the snapshot it leads to. */
  push(audio: Float32Array | Uint8Array, options: LiveCallOptions = {}): Promise<LiveSnapshot> {
    return this.#withBytes(audio, options, async (bytes) => {
      await this.#take(bytes);
      return this.#snapshot();
    });
  }

  /** Takes the next audio without computing a snapshot (cheaper when nobody looks). */
  append(audio: Float32Array | Uint8Array, options: LiveCallOptions = {}): Promise<void> {
    return this.#withBytes(audio, options, (bytes) => this.#take(bytes));
  }

  /**
   * Runs `work` on the bytes of `audio` in turn; a wrong kind of input is refused without harming the session.
   * The bytes are copied at the call: the work may wait for earlier calls, and the caller may reuse its buffer
   * (an audio callback's) as soon as the call returns.
   */
  #withBytes<T>(audio: Float32Array | Uint8Array, options: LiveCallOptions, work: (bytes: Uint8Array) => Promise<T>): Promise<T> {
    let bytes: Uint8Array;
    try {
      bytes = this.#bytesOf(audio).slice();
    } catch (error) {
      return Promise.reject(error);
    }
    return this.#serial(() => work(bytes), options);
  }

  /** The bytes of pushed audio. */
  #bytesOf(audio: Float32Array | Uint8Array): Uint8Array {
    if (audio instanceof Float32Array) {
      if (this.#stream.encoding !== "float32") throw new ConfigError(`this session takes ${this.#stream.encoding} bytes (a Uint8Array), not a Float32Array`);
      return new Uint8Array(audio.buffer, audio.byteOffset, audio.byteLength);
    }
    if (audio instanceof Uint8Array) return audio;
    throw new ConfigError("live audio must be a Float32Array of samples or a Uint8Array of PCM bytes");
  }

  /** The snapshot of the audio so far. */
  snapshot(options: LiveCallOptions = {}): Promise<LiveSnapshot> {
    return this.#serial(() => this.#snapshot(), options);
  }

  /**
   * Ends the session: the result `diarizer.diarize()` gives for all the audio pushed. Called again, it
   * gives the same promise (the same result, or the same error), as closing a stream twice does no harm.
   * Aborted (`options.signal`, also before the call), the session ends without a result, as by `abort()`,
   * and later calls reject with the signal's reason.
   */
  close(options: LiveCallOptions = {}): Promise<DiarizationResult> {
    this.#result ??= this.#serial(async () => {
      const start = performance.now();
      const pipeline = await this.#started();
      const tail = await this.#timed("audio", () => this.#stream.finish());
      this.#samples += tail.length;
      const run = pipeline.append(tail).then(() => pipeline.finish());
      const unnamed = await run.finally(() => {
        this.#endedBy = "close()";
        pipeline.dispose();
      });
      // The last snapshot: the result's turns after those already final, named as the speakers were.
      const shown = this.#names.final;
      const { names, ...named } = this.#names.update(unnamed.mergedSegments, Infinity);
      const kept = (t: LiveTurn) => unnamed.mergedSegments.some((s) => s.start === t.start && s.end === t.end && names.get(s.speaker) === t.speaker);
      const result: PipelineResult & Partial<NamedResult> = this.#prints === undefined ? unnamed : nameSpeakers(unnamed, this.#prints, this.#threshold);
      // The last snapshot shows the voices as the result names them.
      const voices = Object.values(result.speakerVoices ?? {});
      this.#voiceOf.clear();
      for (const { label, voice } of voices) if (voice !== null && names.has(label)) this.#voiceOf.set(names.get(label)!, voice);
      const nameInResult = new Map(voices.map(({ label, voice }) => [label, voice ?? label]));
      this.#resultNames = Object.fromEntries([...names].map(([label, name]) => [nameInResult.get(label) ?? label, this.#shown(name)]));
      this.#revised = shown.filter((t) => !kept(t)).map((t) => this.#shownTurn(t));
      this.#view(named);
      this.#timing.total += (performance.now() - start) / 1000;
      const countWarning = speakerCountWarning(this.#diarizer.pipeline.name, this.#diarizer.options, unnamed.mergedSpeakersDetected);
      return {
        ...result,
        pipeline: this.#diarizer.pipeline.name as PipelineName,
        timingStats: { ...this.#timing },
        durationSec: this.#samples / SAMPLE_RATE,
        warnings: [
          ...(this.#stream.cutBytes > 0 ? [`the audio ended inside a frame: ignored the last ${this.#stream.cutBytes} of its ${this.#stream.frameBytes} bytes`] : []),
          ...(countWarning === undefined ? [] : [countWarning]),
        ],
        ...(this.#diarizer.options.colors ? { speakerColorSets: speakerColorSets(result.mergedSegments) } : {}),
      };
    }, options).catch((error: unknown) => {
      // Not only an abort during the work: one before it started would leave the session open, its close() rejected.
      if (options?.signal?.aborted) {
        this.#failure ??= error;
        this.#pipeline?.dispose();
      }
      throw error;
    });
    return this.#result;
  }

  /** Ends the session without a result, releasing what it holds. */
  abort(): Promise<void> {
    const done = this.#queue.then(() => {
      this.#endedBy = "abort()";
      this.#pipeline?.dispose();
    });
    this.#queue = done;
    return done;
  }

  #serial<T>(work: () => Promise<T>, options: LiveCallOptions): Promise<T> {
    if (this.#diarizer.closed) return Promise.reject(new SenkoError("Diarizer used after close()"));
    let signal: AbortSignal | undefined;
    try {
      signal = checkSignal(options?.signal);
      signal?.throwIfAborted();
    } catch (error) {
      return Promise.reject(error);
    }
    const next = this.#queue.then(async () => {
      if (this.#failure !== undefined) throw this.#failure;
      if (this.#endedBy) throw new SenkoError(`live diarization used after ${this.#endedBy}`);
      // Aborted while it waited for earlier calls: nothing of it has run, the session goes on.
      signal?.throwIfAborted();
      this.#signal = signal;
      try {
        return await work();
      } catch (error) {
        // The pipeline's state is unknown after a failure: every later call reports the same error.
        this.#failure = error;
        this.#pipeline?.dispose();
        throw error;
      } finally {
        this.#signal = undefined;
      }
    });
    this.#queue = next.catch(() => undefined);
    return this.#diarizer.track(next);
  }

  async #started(): Promise<IncrementalDiarization> {
    if (this.#pipeline) return this.#pipeline;
    const { context, options, pipeline } = this.#diarizer;
    // Refused before the models load (they take seconds), not after.
    const refusal = await pipeline.liveRefusal?.(options, context.device, (key, value) => `${key} "${value}"`);
    if (refusal !== undefined) throw new ConfigError(refusal);
    await untilAborted(this.#diarizer.ready(), this.#signal);
    if (this.#loadPrints) this.#prints ??= await untilAborted(this.#loadPrints(), this.#signal);
    const run: PipelineRun<typeof options> = {
      context,
      options,
      stage: (name, work) => this.#timed(name, work),
      progress: () => undefined,
    };
    this.#pipeline = pipeline.incremental!(run);
    return this.#pipeline;
  }

  async #timed<T>(name: string, work: () => T | Promise<T>): Promise<T> {
    if (!(name in this.#timing) || name === "total") throw new SenkoError(`pipeline ${this.#diarizer.pipeline.name} ran a stage it does not declare: ${name}`);
    this.#signal?.throwIfAborted();
    const start = performance.now();
    try {
      return await work();
    } finally {
      this.#timing[name]! += (performance.now() - start) / 1000;
      this.#signal?.throwIfAborted();
    }
  }

  async #take(bytes: Uint8Array): Promise<void> {
    const start = performance.now();
    const pipeline = await this.#started();
    const samples = await this.#timed("audio", () => this.#stream.push(bytes));
    this.#samples += samples.length;
    await pipeline.append(samples);
    this.#timing.total += (performance.now() - start) / 1000;
  }

  async #snapshot(): Promise<LiveSnapshot> {
    const start = performance.now();
    const pipeline = await this.#started();
    const { segments, settledSec, reclustered, speakerCentroids } = await pipeline.snapshot();
    if (reclustered) this.#reclusterings++;
    const { names, ...named } = this.#names.update(segments, settledSec, reclustered);
    if (this.#prints !== undefined) this.#matchVoices(speakerCentroids, names, this.#prints);
    this.#timing.total += (performance.now() - start) / 1000;
    return this.#view(named);
  }

  get #threshold(): number {
    return voiceMatchThreshold(this.#diarizer.pipeline.name as PipelineName, this.#diarizer.options.voiceThreshold);
  }

  /** Gives the stable name of each speaker matching a voice that voice (taken from a name that had it before). */
  #matchVoices(centroids: Readonly<Record<string, Float32Array>>, names: ReadonlyMap<string, string>, prints: ReadonlyMap<string, Float32Array>): void {
    // Only speakers with turns: a cluster without any would take a voice nobody is shown by.
    const speaking = Object.fromEntries(Object.entries(centroids).filter(([label]) => names.has(label)));
    for (const [label, { voice }] of matchVoices(speaking, prints, this.#threshold)) {
      if (voice === null) continue;
      const name = names.get(label)!;
      for (const [other, given] of this.#voiceOf) if (given === voice && other !== name) this.#voiceOf.delete(other);
      this.#voiceOf.set(name, voice);
    }
  }

  #shown(name: string): string {
    return this.#voiceOf.get(name) ?? name;
  }

  #shownTurn(turn: LiveTurn): LiveTurn {
    return this.#voiceOf.has(turn.speaker) ? { ...turn, speaker: this.#shown(turn.speaker) } : turn;
  }

  /** The snapshot shown for `named`: speakers by their voice's name where they have one. */
  #view(named: Omit<NamedSnapshot, "names">): LiveSnapshot {
    const turns = named.turns.map((t) => this.#shownTurn(t));
    this.#last = {
      durationSec: this.#samples / SAMPLE_RATE,
      turns,
      finalSec: named.finalSec,
      settled: named.settled.map((t) => this.#shownTurn(t)),
      speakers: [...new Set(turns.map((t) => t.speaker))].sort(),
    };
    return this.#last;
  }
}
