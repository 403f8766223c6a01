/**
 * @module The incremental form of "vad-windows", for live sessions. Silero runs frame by frame as the
 * audio arrives (the same probabilities as one pass over the whole file); a window is embedded once the
 * speech regions so far fix it (./vad-postprocess.ts `settled`), and never again; the audio before the
 * first window that may still change is released. Snapshots label the windows through
 * ./snapshot-clustering.ts. `finish` ends with the result `run` gives for the whole audio: the same
 * windows and embeddings (windows that batch zero-pads are embedded again with that padding, from their
 * kept fbank), then the same clustering and segments stages.
 *
 * Equality with batch holds when each inference lane runs one intra-op thread (the default: as many
 * lanes as threads): CAM++ then computes each row of a batch alone, so a window's embedding does not
 * depend on which windows share its batch.
 */
import { SenkoError } from "../errors.ts";
import { GrowableArray } from "../growable-array.ts";
import { FBANK_FRAME_LENGTH, FBANK_FRAME_SHIFT, fbankOfSpans, toSampleSpans } from "../features/fbank.ts";
import {
  EMBEDDING_BATCH_SIZE,
  EMBEDDING_DIM,
  embeddingBatches,
  embedInBatches,
  FBANK_BINS,
  MIN_FRAMES,
  SileroStream,
  SILERO_FRAME_SAMPLES,
  type Device,
  type EmbeddingBatch,
} from "../models/index.ts";
import { SAMPLE_RATE, type Embeddings, type FbankFeatures, type PipelineResult, type Segment, type TimeSpan } from "../types.ts";
import type { IncrementalDiarization, IncrementalSnapshot, PipelineRun } from "./diarization-pipeline.ts";
import { HeldAudio } from "./held-audio.ts";
import { labelTurns, meanByLabel, mergeSegments, SEGMENT_DEFAULTS } from "./segments.ts";
import { SnapshotClustering } from "./snapshot-clustering.ts";
import { resolveVad } from "./speech.ts";
import { subsegment, WINDOWS, type SubsegmentOptions } from "./subsegment.ts";
import { SileroRegionTracker, type SettledRegions } from "./vad-postprocess.ts";
import type { VadWindowsOptions } from "./vad-windows.ts";
import { clusterOptions, windowsResult } from "./vad-windows.ts";

/** Fbank frames of a whole window (give or take a rounded sample): windows with fewer may be zero-padded in batch. */
function fullWindowFrames(windowSec: number): number {
  return 1 + Math.floor((Math.round(windowSec * SAMPLE_RATE) - 1 - FBANK_FRAME_LENGTH) / FBANK_FRAME_SHIFT);
}

/** The options live sessions cannot take: Silero in stretches, or a VAD that needs whole chunks of audio. */
export async function vadWindowsLiveRefusal(options: Readonly<VadWindowsOptions>, device: Device, spell: (key: string, value: string) => string): Promise<string | undefined> {
  if (options.sileroStretches) return "sileroStretches cannot run live: each stretch's speech depends on the audio after it; leave it off";
  const vad = options.vad ?? "auto";
  if (resolveVad(vad, device) === "silero") return undefined;
  const chosen = vad === "auto" ? `${options.vad === undefined ? "the default VAD" : spell("vad", "auto")} is pyannote on CUDA` : spell("vad", vad);
  return `live diarization runs the Silero VAD only (${chosen}): use ${spell("vad", "silero")}`;
}

/** Use it through a live session, which has asked vadWindowsLiveRefusal first. */
export function vadWindowsIncremental(run: PipelineRun<VadWindowsOptions>): IncrementalDiarization {
  return new VadWindowsLive(run);
}

class VadWindowsLive implements IncrementalDiarization {
  readonly #run: PipelineRun<VadWindowsOptions>;
  readonly #audio = new HeldAudio();
  readonly #silero: SileroStream;
  readonly #tracker = new SileroRegionTracker(SILERO_FRAME_SAMPLES, SAMPLE_RATE);
  readonly #clustering: SnapshotClustering;
  /** windows embedded so far, in order: exactly the first windows of the whole audio */
  readonly #windows: TimeSpan[] = [];
  /** fbank frames of each window embedded */
  readonly #frameCounts = new GrowableArray(Uint32Array, { minCapacity: 256 });
  readonly #embeddings = new GrowableArray(Float32Array, { width: EMBEDDING_DIM, minCapacity: 256 });
  /** fbank of windows shorter than a whole one (by window index), which batch may embed zero-padded */
  readonly #shortFeatures = new Map<number, Float32Array>();
  /** leading regions whose windows are all embedded */
  #regionsDone = 0;
  /** windows embedded of each region not yet settled (by its start) */
  readonly #taken = new Map<number, number>();
  #settled: SettledRegions = { regions: [], final: 0, endAtLeast: [], nextStartAtLeast: 0 };
  /** the earliest time (s) a window not yet embedded may start */
  #openFrom = 0;
  #disposed = false;
  /** the window length and shift batch uses */
  readonly #windowing: Required<SubsegmentOptions>;
  readonly #fullWindowFrames: number;

  constructor(run: PipelineRun<VadWindowsOptions>) {
    this.#run = run;
    this.#silero = new SileroStream({ context: run.context });
    const { context, options } = run;
    this.#windowing = WINDOWS[options.windows ?? "default"];
    this.#fullWindowFrames = fullWindowFrames(this.#windowing.windowSec);
    this.#clustering = new SnapshotClustering({ ...clusterOptions(options), context });
  }

  get heldSamples(): number {
    return this.#audio.held;
  }

  async append(samples: Float32Array): Promise<void> {
    this.#guard();
    if (samples.length === 0) return;
    const { stage } = this.#run;
    this.#audio.append(samples);
    await stage("vad", async () => this.#tracker.push(await this.#silero.push(samples)));
    this.#settled = this.#tracker.settled(this.#audio.end);
    const fresh = await stage("subsegment", () => this.#settledWindows());
    await this.#embed(fresh);
    this.#audio.release(Math.max(0, Math.floor(this.#openFrom * SAMPLE_RATE) - 1));
  }

  /** Windows the regions so far fix that are not embedded yet; updates #openFrom. */
  #settledWindows(): TimeSpan[] {
    const { regions, final, endAtLeast, nextStartAtLeast } = this.#settled;
    const { shiftSec, windowSec } = this.#windowing;
    const out: TimeSpan[] = [];
    let openFrom = nextStartAtLeast;
    for (let r = this.#regionsDone; r < regions.length; r++) {
      const region = regions[r]!;
      const settled = r < final;
      const endsAfter = settled ? region.end : endAtLeast[r - final]!;
      if (endsAfter < 0) {
        openFrom = Math.min(openFrom, region.start);
        break;
      }
      const windows = subsegment([settled ? region : { start: region.start, end: endsAfter }], this.#windowing);
      // A region that may still grow: its last window (aligned to the end) is not fixed yet.
      const fixed = settled ? windows : windows.slice(0, -1);
      const taken = this.#taken.get(region.start) ?? 0;
      out.push(...fixed.slice(taken));
      if (settled) {
        this.#regionsDone = r + 1;
        this.#taken.delete(region.start);
      } else {
        this.#taken.set(region.start, fixed.length);
        // The next whole window, or the window aligned to the end, whichever starts first.
        openFrom = Math.min(openFrom, region.start + fixed.length * shiftSec, Math.max(region.start, endsAfter - windowSec));
      }
    }
    this.#openFrom = openFrom;
    return out;
  }

  /** Fbank and CAM++ of new windows, from the held audio. */
  async #embed(fresh: readonly TimeSpan[]): Promise<void> {
    if (fresh.length === 0) return;
    const { context, options, stage } = this.#run;
    const first = this.#windows.length;
    const last = this.#windows.at(-1);
    if (last && fresh[0]!.start < last.start) throw new SenkoError("internal error: live windows out of order");
    const spans = toSampleSpans(fresh, this.#audio.end);
    const from = this.#audio.start;
    for (let i = 0; i < spans.length; i++) spans[i]! -= from;
    if (spans[0]! > this.#audio.end - from) throw new SenkoError("internal error: a live window starts before the held audio");
    const features = await stage("fbank", () => fbankOfSpans(this.#audio.from(from), spans, { context }));
    try {
      const frameCounts = this.#frameCounts.resize(first + fresh.length);
      for (let i = 0; i < fresh.length; i++) {
        const frames = features.frameCounts[i]!;
        frameCounts[first + i] = frames;
        if (frames < this.#fullWindowFrames) {
          const at = features.frameOffsets[i]! * FBANK_BINS;
          this.#shortFeatures.set(first + i, features.data.slice(at, at + frames * FBANK_BINS));
        }
      }
      // Each window unpadded (batches of one length): at close, those batch pads are embedded again.
      const embeddings = await stage("embeddings", () => embedInBatches(features, sameLengthBatches(features.frameCounts, options.embeddingBatchSize ?? EMBEDDING_BATCH_SIZE), { context }));
      this.#embeddings.push(embeddings.data);
    } finally {
      features.free();
    }
    this.#windows.push(...fresh);
  }

  #embeddingsView(): Embeddings {
    return { data: this.#embeddings.view(), count: this.#embeddings.count, dim: EMBEDDING_DIM };
  }

  async snapshot(): Promise<IncrementalSnapshot> {
    this.#guard();
    const { stage } = this.#run;
    const embeddings = this.#embeddingsView();
    const labels = await stage("clustering", () => this.#clustering.labels(embeddings, this.#audio.end / SAMPLE_RATE));
    return stage("segments", () => {
      // Windows not fixed yet are shown with the speaker of the window before them in their region.
      const windows: TimeSpan[] = this.#windows.slice();
      const all = Array.from(labels);
      const { regions } = this.#settled;
      for (let r = this.#regionsDone; r < regions.length; r++) {
        const region = regions[r]!;
        const previous = windows.length - 1;
        if (previous < 0 || windows[previous]!.start < region.start) continue;
        for (const w of subsegment([region], this.#windowing).slice(this.#taken.get(region.start) ?? 0)) {
          windows.push(w);
          all.push(all[previous]!);
        }
      }
      const turns = labelTurns(windows, Int32Array.from(all));
      const segments = mergeSegments(turns.map((t): Segment => ({ start: t.start, end: t.end, speaker: String(t.label) })));
      const speakerCentroids = Object.fromEntries([...meanByLabel(labels, embeddings)].map(([label, c]) => [String(label), c]));
      return { segments, settledSec: settledEnd(segments, this.#openFrom), reclustered: this.#clustering.reclustered, speakerCentroids };
    });
  }

  async finish(): Promise<PipelineResult> {
    this.#guard();
    const { context, options, stage } = this.#run;
    const vad = resolveVad(options.vad ?? "auto", context.device);
    await stage("vad", async () => this.#tracker.push(await this.#silero.finish()));
    const windows = await stage("subsegment", () => subsegment(this.#tracker.regions(this.#audio.end), this.#windowing));
    for (let i = 0; i < this.#windows.length; i++) {
      const a = this.#windows[i]!;
      const b = windows[i];
      if (!b || a.start !== b.start || a.end !== b.end) throw new SenkoError(`internal error: live window ${i} differs from the whole file's`);
    }
    await this.#embed(windows.slice(this.#windows.length));
    const embeddings = this.#embeddingsView();
    await stage("embeddings", () => this.#padLikeBatch(embeddings));
    return windowsResult(windows, embeddings, this.#audio.end / SAMPLE_RATE, vad, this.#run);
  }

  /** Re-embeds the windows batch zero-pads, padded as batch pads them (the same lengths), from their kept fbank. */
  async #padLikeBatch(embeddings: Embeddings): Promise<void> {
    const { context, options } = this.#run;
    const counts = this.#frameCounts.view().subarray(0, embeddings.count);
    const padded: number[] = [];
    const batches: EmbeddingBatch[] = [];
    for (const { members, frames } of embeddingBatches(counts, options.embeddingBatchSize ?? EMBEDDING_BATCH_SIZE, context.lanes)) {
      const short = members.filter((w) => counts[w]! < frames);
      if (short.length === 0) continue;
      batches.push({ members: short.map((_, i) => padded.length + i), frames });
      padded.push(...short);
    }
    if (padded.length === 0) return;
    const features = padded.map((w) => {
      const f = this.#shortFeatures.get(w);
      if (!f) throw new SenkoError(`internal error: the fbank of live window ${w} was not kept`);
      return f;
    });
    const again = await embedInBatches(fbankRows(features), batches, { context });
    padded.forEach((w, i) => embeddings.data.set(again.data.subarray(i * EMBEDDING_DIM, (i + 1) * EMBEDDING_DIM), w * EMBEDDING_DIM));
  }

  dispose(): void {
    this.#disposed = true;
    this.#shortFeatures.clear();
  }

  #guard(): void {
    if (this.#disposed) throw new SenkoError("live diarization used after it ended");
  }
}

/**
 * The end of the last turn that new windows (all starting at or after `openFrom`) cannot change: the
 * turn after it must be long enough not to be dropped, and it must end more than the merge gap before
 * `openFrom`, so no later turn of its speaker joins it.
 */
function settledEnd(merged: readonly Segment[], openFrom: number): number {
  const { mergeGapSec, minDurationSec } = SEGMENT_DEFAULTS;
  let settled = 0;
  for (let i = 0; i + 1 < merged.length; i++) {
    const turn = merged[i]!;
    const next = merged[i + 1]!;
    if (turn.end + mergeGapSec >= openFrom || Math.min(next.end, openFrom) - next.start <= minDurationSec) break;
    settled = turn.end;
  }
  return settled;
}

/** Fbank features of several subsegments (each frames x 80) as one FbankFeatures in ordinary memory. */
function fbankRows(rows: readonly Float32Array[]): FbankFeatures {
  const frameCounts = Uint32Array.from(rows, (r) => r.length / FBANK_BINS);
  const frameOffsets = new Uint32Array(rows.length);
  for (let i = 1; i < rows.length; i++) frameOffsets[i] = frameOffsets[i - 1]! + frameCounts[i - 1]!;
  const data = new Float32Array(rows.reduce((n, r) => n + r.length, 0));
  rows.forEach((r, i) => data.set(r, frameOffsets[i]! * FBANK_BINS));
  return { data, frameCounts, frameOffsets, melBins: FBANK_BINS, segmentCount: rows.length, free: () => undefined };
}

/** Batches of at most `size` subsegments of one frame count each: no member is zero-padded (beyond MIN_FRAMES). */
function sameLengthBatches(frameCounts: Uint32Array, size: number): EmbeddingBatch[] {
  const byLength = new Map<number, number[]>();
  frameCounts.forEach((frames, i) => (byLength.get(frames) ?? byLength.set(frames, []).get(frames)!).push(i));
  const batches: EmbeddingBatch[] = [];
  for (const [frames, members] of byLength) {
    for (let at = 0; at < members.length; at += size) batches.push({ members: members.slice(at, at + size), frames: Math.max(MIN_FRAMES, frames) });
  }
  return batches;
}
