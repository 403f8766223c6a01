/**
 * @module The incremental form of "overlap-aware", for live sessions. A 10 s window is segmented as
 * soon as the audio covers it, and its local speakers are embedded once a later window exists (the
 * last window of a file uses more of its frames): both never again. Segmentation rows and unpadded
 * CAM++ rows do not depend on which others share their batch, and fbank frames start from sample 0
 * without mean normalisation, so this work is the batch's, bit for bit. The audio before the first
 * window not yet embedded is released. `finish` segments and embeds the remaining windows as batch
 * does (the last ones zero-padded), then runs batch's clustering and reconstruction on everything.
 *
 * Snapshots cluster on a growth schedule (../snapshot-clustering.ts reclusterGrowth, as "vad-windows"
 * snapshots do): the full constrained clustering when the embeddings have grown by a share since it last
 * ran, otherwise each new window's local speakers are assigned to the last centroids; the frames are then
 * reconstructed from the windows embedded so far.
 */
import type { InContext } from "../../compute-context.ts";
import { FBANK_FRAME_LENGTH as FBANK_LENGTH, FBANK_FRAME_SHIFT as FBANK_SHIFT, fbankOfSpans } from "../../features/fbank.ts";
import { EMBEDDING_DIM } from "../../models/index.ts";
import { SenkoError } from "../../errors.ts";
import { GrowableArray } from "../../growable-array.ts";
import { SAMPLE_RATE, type PipelineResult, type Segment } from "../../types.ts";
import type { IncrementalDiarization, IncrementalSnapshot, PipelineRun } from "../diarization-pipeline.ts";
import { HeldAudio } from "../held-audio.ts";
import { reclusterGrowth } from "../snapshot-clustering.ts";
import { assignPerWindow, constrainedClustering, unitRows } from "./constrained-clustering.ts";
import { embedLocalSpeakers, planEmbeddings, type LocalEmbeddings } from "./local-embeddings.ts";
import { decodePowerset, FRAMES_PER_WINDOW, heardTogether, LOCAL_SPEAKERS, WINDOW_SAMPLES, windowCount, windowStart, type LocalSegmentation } from "./local-segmentation.ts";
import { concatPieces, embedVoicePieces, mayMissCount, planVoicePieces, type VoicePieces } from "./voice-split.ts";
import { IncrementalReconstruction, reachFrames } from "./incremental-reconstruction.ts";
import { activityTurns, frameSpanSec } from "./reconstruction.ts";
import {
  clusteredResult,
  DEFAULT_MIN_DURATIONS,
  pipelineResultOf,
  windowFrames,
  type OverlapPipelineOptions,
  type OverlapRunners,
  type WindowFrames,
} from "./overlap-diarization.ts";

/** windows per segmentation call */
const SEGMENTATION_BATCH = 8;

/** The embeddings of one window range or more, appended in window order (plan order within a window). */
class GrowingEmbeddings {
  readonly #window = new GrowableArray(Uint32Array, { minCapacity: 256 });
  readonly #speaker = new GrowableArray(Uint8Array, { minCapacity: 256 });
  readonly #clean = new GrowableArray(Uint32Array, { minCapacity: 256 });
  readonly #data = new GrowableArray(Float32Array, { width: EMBEDDING_DIM, minCapacity: 256 });

  get count(): number {
    return this.#window.count;
  }

  push(e: LocalEmbeddings): void {
    this.#window.push(e.window);
    this.#speaker.push(e.speaker);
    this.#clean.push(e.cleanFrames);
    this.#data.push(e.data);
  }

  /** All of them as LocalEmbeddings (views; the frame indices are not kept: clustering does not read them). */
  view(): LocalEmbeddings {
    const n = this.count;
    return {
      count: n,
      window: this.#window.view(),
      speaker: this.#speaker.view(),
      cleanFrames: this.#clean.view(),
      indices: new Uint32Array(0),
      offsets: new Uint32Array(n),
      lengths: new Uint32Array(n),
      data: this.#data.view(),
      dim: EMBEDDING_DIM,
    };
  }
}

/** Whole-file fbank frame indices made indices into the fbank of a span from frame `firstFrame` on (of `frames` frames), in place. */
function toSpanFrames(indices: Uint32Array, firstFrame: number, frames: number): void {
  for (let i = 0; i < indices.length; i++) {
    const j = indices[i]! - firstFrame;
    if (j < 0 || j >= frames) throw new SenkoError(`internal error: live fbank frame ${indices[i]} is outside the frames computed`);
    indices[i] = j;
  }
}

/** Fbank frames of `samples` samples from sample 0 (25 ms every 10 ms, whole frames only). */
function fbankFrameCount(samples: number): number {
  return samples < FBANK_LENGTH ? 0 : 1 + Math.floor((samples - FBANK_LENGTH) / FBANK_SHIFT);
}

export class OverlapAwareLive implements IncrementalDiarization {
  readonly #run: Pick<PipelineRun<unknown>, "stage">;
  readonly #settings: OverlapPipelineOptions & InContext;
  readonly #runners: OverlapRunners;
  readonly #stepFrames: number;
  readonly #frames: WindowFrames;
  readonly #audio = new HeldAudio();
  /** decoded activity of the windows segmented so far (window-major, FRAMES_PER_WINDOW each) */
  readonly #activity = new GrowableArray(Uint8Array, { width: FRAMES_PER_WINDOW, minCapacity: 64 });
  #segmented = 0;
  /** windows whose local speakers are embedded (a later window exists, so batch embeds them alike) */
  #embedded = 0;
  readonly #embeddings = new GrowingEmbeddings();
  /** the local speakers' pieces, embedded while clustering may miss a count asked for (./voice-split.ts) */
  readonly #pieces: VoicePieces[] = [];
  /** snapshot clustering: labels of the embeddings labelled so far, centroids of the last full clustering */
  readonly #labels = new GrowableArray(Int32Array, { minCapacity: 256 });
  #clustered = 0;
  #centroids: Float32Array = new Float32Array(0);
  #clusterCount = 0;
  /** the snapshots' frames, kept while the labels stay */
  readonly #reconstruction = new IncrementalReconstruction();
  #disposed = false;

  /** `settings` as `overlapAwareDiarization` takes them; the stages run through `run.stage`. */
  constructor(run: Pick<PipelineRun<unknown>, "stage">, settings: OverlapPipelineOptions & InContext, runners: OverlapRunners) {
    this.#run = run;
    this.#settings = settings;
    this.#runners = runners;
    this.#frames = windowFrames(settings);
    this.#stepFrames = this.#frames.stepFrames;
  }

  get heldSamples(): number {
    return this.#audio.held;
  }

  #segmentation(windows: number, sampleCount: number): LocalSegmentation {
    return { windowCount: windows, stepFrames: this.#stepFrames, activity: this.#activity.data.subarray(0, windows * FRAMES_PER_WINDOW), sampleCount };
  }

  async append(samples: Float32Array): Promise<void> {
    this.#guard();
    if (samples.length === 0) return;
    this.#audio.append(samples);
    const end = this.#audio.end;
    const segmentation = this.#segmentation(0, end);
    let whole = this.#segmented;
    while (windowStart(segmentation, whole) + WINDOW_SAMPLES <= end) whole++;
    await this.#segment(whole);
    // A later window exists once the audio goes past this one's end.
    let followed = this.#embedded;
    while (followed < this.#segmented && windowStart(segmentation, followed) + WINDOW_SAMPLES < end) followed++;
    await this.#embed(followed, windowCount(end, this.#stepFrames), end);
    this.#audio.release(windowStart(segmentation, this.#embedded));
  }

  /** Segments windows up to `to` (those past the audio's end zero-padded, as batch pads its last). */
  async #segment(to: number): Promise<void> {
    if (to <= this.#segmented) return;
    this.#activity.resize(to);
    const run = this.#runners.segmentation[0]!;
    const end = this.#audio.end;
    const at = this.#segmentation(0, end);
    await this.#run.stage("segmentation", async () => {
      for (let first = this.#segmented; first < to; first += SEGMENTATION_BATCH) {
        const chunks: Float32Array[] = [];
        const last = Math.min(to, first + SEGMENTATION_BATCH);
        for (let w = first; w < last; w++) {
          const start = windowStart(at, w);
          chunks.push(this.#audio.from(start).subarray(0, Math.min(end, start + WINDOW_SAMPLES) - start));
        }
        const scores = await run(chunks);
        scores.forEach((s, i) => decodePowerset(s, this.#activity.data.subarray((first + i) * FRAMES_PER_WINDOW, (first + i + 1) * FRAMES_PER_WINDOW)));
      }
    });
    this.#segmented = to;
  }

  /**
   * Embeds the local speakers of windows [#embedded, to) of a file of `windows` windows (or at least so
   * many) and `sampleCount` samples (or at least so many), from the fbank of the held audio.
   */
  async #embed(to: number, windows: number, sampleCount: number): Promise<void> {
    const from = this.#embedded;
    if (to <= from) return;
    const { context, embeddings: options } = this.#settings;
    const segmentation = this.#segmentation(windows, sampleCount);
    // Frame j of the whole file is frame j - firstFrame of the fbank of the span from firstFrame's first sample.
    const firstFrame = Math.ceil(windowStart(segmentation, from) / FBANK_SHIFT);
    const spanEnd = Math.min(sampleCount, windowStart(segmentation, to - 1) + WINDOW_SAMPLES);
    const fbank = await this.#run.stage("fbank", () =>
      fbankOfSpans(this.#audio.from(firstFrame * FBANK_SHIFT), Uint32Array.of(0, spanEnd - firstFrame * FBANK_SHIFT), { meanNormalize: false, context }),
    );
    try {
      const fbankFrames = fbankFrameCount(sampleCount);
      const plan = planEmbeddings(segmentation, fbankFrames, { ...options, centerFrames: this.#frames.centerFrames, windows: [from, to] });
      toSpanFrames(plan.indices, firstFrame, fbank.frameCounts[0]!);
      const embeddings = await this.#run.stage("embeddings", () => embedLocalSpeakers(fbank.data, plan, this.#runners.embedding, { ...options }));
      this.#embeddings.push(embeddings);
      // Batch embeds the pieces of every local speaker when clustering may miss a count asked for; this fbank is gone by the end.
      if (!mayMissCount(this.#embeddings.view().cleanFrames, this.#settings.clustering ?? {})) this.#pieces.length = 0;
      else {
        const pieces = planVoicePieces(segmentation, fbankFrames, embeddings);
        toSpanFrames(pieces.plan.indices, firstFrame, fbank.frameCounts[0]!);
        this.#pieces.push(await this.#run.stage("embeddings", () => embedVoicePieces(fbank.data, pieces, this.#runners.embedding)));
      }
    } finally {
      fbank.free();
    }
    this.#embedded = to;
  }

  async snapshot(): Promise<IncrementalSnapshot> {
    this.#guard();
    const windows = this.#embedded;
    if (windows === 0) return { segments: [], settledSec: 0, reclustered: false, speakerCentroids: {} };
    const embeddings = this.#embeddings.view();
    const reclustered = await this.#run.stage("clustering", () => this.#label(embeddings, this.#segmentation(windows, 0)));
    return this.#run.stage("segments", () => {
      const at = this.#segmentation(windows, 0);
      // The last window embedded stands for the file's end: its frames count to its own end.
      const sampleCount = windowStart(at, windows - 1) + WINDOW_SAMPLES;
      const local = new Int32Array(windows * LOCAL_SPEAKERS).fill(-1);
      for (let i = 0; i < embeddings.count; i++) local[embeddings.window[i]! * LOCAL_SPEAKERS + embeddings.speaker[i]!] = this.#labels.data[i]!;
      const minDurations = this.#settings.minDurations ?? DEFAULT_MIN_DURATIONS;
      const reconstruction = { ...this.#settings.reconstruction, centerFrames: this.#frames.voteFrames, countFrames: this.#frames.countFrames };
      const merged = this.#reconstruction.update(this.#segmentation(windows, sampleCount), local, this.#clusterCount, reconstruction, minDurations);
      const segments = activityTurns(merged, sampleCount / SAMPLE_RATE).map((t): Segment => ({ start: t.start, end: t.end, speaker: String(t.speaker) }));
      // A turn ending the borrowed votes' and duration rules' reach before the final frames cannot grow or join a later one.
      const settledFrames = Math.max(0, this.#reconstruction.finalFrames - reachFrames(reconstruction, minDurations));
      const speakerCentroids = Object.fromEntries(Array.from({ length: this.#clusterCount }, (_, c) => [String(c), this.#centroids.slice(c * EMBEDDING_DIM, (c + 1) * EMBEDDING_DIM)]));
      return { segments, settledSec: settledFrames > 0 ? frameSpanSec(settledFrames, settledFrames + 1).start : 0, reclustered, speakerCentroids };
    });
  }

  /** Labels every embedding: the full clustering when they have grown enough, else new ones by the last centroids. Returns whether it re-clustered. */
  #label(embeddings: LocalEmbeddings, segmentation: LocalSegmentation): boolean {
    const { count, dim } = embeddings;
    const labelled = this.#labels.count;
    if (this.#clusterCount === 0 || count >= this.#clustered * (1 + reclusterGrowth(this.#clustered))) {
      const result = constrainedClustering(embeddings, { ...this.#settings.clustering, context: this.#settings.context }, segmentation);
      this.#labels.resize(count);
      this.#labels.data.set(result.labels);
      this.#centroids = result.centroids;
      this.#clusterCount = result.clusterCount;
      this.#clustered = count;
      this.#reconstruction.reset();
      return true;
    }
    if (count > labelled) {
      const fresh = unitRows(embeddings.data.subarray(labelled * dim, count * dim), dim);
      const { window, speaker } = embeddings;
      const together = this.#settings.clustering?.cannotLink === "window"
        ? undefined
        : (i: number, j: number) => heardTogether(segmentation, window[labelled + i]!, speaker[labelled + i]!, speaker[labelled + j]!);
      const assigned = assignPerWindow(fresh, dim, window.subarray(labelled, count), this.#centroids, this.#clusterCount, together);
      this.#labels.resize(count).set(assigned, labelled);
    }
    return false;
  }

  async finish(): Promise<PipelineResult> {
    this.#guard();
    const end = this.#audio.end;
    const windows = windowCount(end, this.#stepFrames);
    await this.#segment(windows);
    await this.#embed(windows, windows, end);
    const embeddings = this.#embeddings.view();
    const pieces = this.#pieces.length === 0 ? undefined : concatPieces(this.#pieces, EMBEDDING_DIM);
    const result = await clusteredResult(this.#segmentation(windows, end), embeddings, this.#settings, (name, work) => this.#run.stage(name, work), pieces);
    return pipelineResultOf(result);
  }

  dispose(): void {
    this.#disposed = true;
    this.#activity.clear();
    this.#pieces.length = 0;
  }

  #guard(): void {
    if (this.#disposed) throw new SenkoError("live diarization used after it ended");
  }
}
