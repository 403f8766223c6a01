/**
 * @module A speaker count asked for and missed: segmentation-3.0 can hear two people who take turns in one
 * 10 s window as one local speaker, and clustering then has one embedding where two voices speak (issue 12:
 * 10 s of AMI dev00 with numSpeakers 2 gave one speaker). When the clusters are fewer than numSpeakers /
 * minSpeakers asks, the local speakers of the largest cluster are embedded again in pieces of 1.5 to 3 s of
 * their active frames, the pieces clustered to the missing count plus the voice kept, and in every window the
 * frames of the pieces of an extra cluster move to a free local-speaker slot (segmentation-3.0 has three),
 * labelled as a new speaker. Frames move between slots of one window, so how many speak in a frame stays as
 * segmentation says; only who speaks changes. Nothing changes when no count is missed.
 */
import { FBANK_FRAME_SHIFT, FBANK_SAMPLE_RATE } from "../../features/fbank.ts";
import {
  averageLinkage,
  cutDendrogram,
  DEFAULT_MIN_TRAIN_CLEAN_FRAMES,
  unitRows,
  type ConstrainedClusteringOptions,
} from "./constrained-clustering.ts";
import { embeddingPlan, embedLocalSpeakers, firstFbankFrame, localFrame, type EmbeddingPlan, type EmbeddingRunner, type LocalEmbeddings } from "./local-embeddings.ts";
import { FRAMES_PER_WINDOW, LOCAL_SPEAKERS, windowStart, type LocalSegmentation } from "./local-segmentation.ts";

/** Fbank frames of a piece at least (1.5 s, the embedding plan's bar for a clean embedding); a piece holds fewer than twice this. */
export const PIECE_FBANK_FRAMES = 1.5 * (FBANK_SAMPLE_RATE / FBANK_FRAME_SHIFT);

/** Pieces of local speakers, each embedded: piece i owns the active frames of its local speaker in frames [from[i], to[i]) of its window. */
export interface VoicePieces {
  readonly window: Uint32Array;
  readonly speaker: Uint8Array;
  readonly from: Uint16Array;
  readonly to: Uint16Array;
  /** count x dim */
  readonly data: Float32Array;
  readonly dim: number;
}

/** The count the clusters must reach, when one is asked for. */
export function countAsked(options: Pick<ConstrainedClusteringOptions, "numSpeakers" | "minSpeakers">): number | undefined {
  return options.numSpeakers ?? options.minSpeakers;
}

/**
 * Whether clustering may find fewer clusters than asked for: only with fewer training embeddings than that,
 * hence fewer with the clean frames training wants. The embeddings' pieces are needed only then.
 */
export function mayMissCount(cleanFrames: ArrayLike<number>, options: ConstrainedClusteringOptions): boolean {
  const asked = countAsked(options);
  if (asked === undefined || asked < 2) return false;
  const minClean = options.minTrainCleanFrames ?? DEFAULT_MIN_TRAIN_CLEAN_FRAMES;
  let clean = 0;
  for (let i = 0; i < cleanFrames.length && clean < asked; i++) if (cleanFrames[i]! >= minClean) clean++;
  return clean < asked;
}

/**
 * Cuts the active fbank frames (of the whole window) of each (window[i], speaker[i]) in order into pieces of
 * PIECE_FBANK_FRAMES to twice that; a local speaker with less than two pieces' worth has none. The frame
 * ranges tile the window: a piece owns the model frames from its first fbank frame's to the next piece's.
 */
export function planVoicePieces(
  segmentation: LocalSegmentation,
  fbankFrames: number,
  keys: { readonly window: ArrayLike<number>; readonly speaker: ArrayLike<number> },
): { plan: EmbeddingPlan; from: Uint16Array; to: Uint16Array } {
  const window: number[] = [];
  const speaker: number[] = [];
  const from: number[] = [];
  const to: number[] = [];
  const chunks: number[][] = [];
  for (let i = 0; i < keys.window.length; i++) {
    const w = keys.window[i]!;
    const k = keys.speaker[i]!;
    const start = windowStart(segmentation, w);
    const frames: number[] = [];
    const local: number[] = [];
    for (let j = firstFbankFrame(start); j < fbankFrames; j++) {
      const f = localFrame(j, start);
      if (f < 0) continue;
      if (f >= FRAMES_PER_WINDOW) break;
      if ((segmentation.activity[w * FRAMES_PER_WINDOW + f]! >> k) & 1) {
        frames.push(j);
        local.push(f);
      }
    }
    const pieces = Math.floor(frames.length / PIECE_FBANK_FRAMES);
    if (pieces < 2) continue;
    for (let p = 0; p < pieces; p++) {
      const first = Math.floor((p * frames.length) / pieces);
      const next = Math.floor(((p + 1) * frames.length) / pieces);
      chunks.push(frames.slice(first, next));
      window.push(w);
      speaker.push(k);
      from.push(p === 0 ? 0 : local[first]!);
      to.push(p === pieces - 1 ? FRAMES_PER_WINDOW : local[next]!);
    }
  }
  // Pieces are not chosen for being heard alone: no clean frames.
  const plan = embeddingPlan(chunks, window, speaker, new Array<number>(chunks.length).fill(0));
  return { plan, from: Uint16Array.from(from), to: Uint16Array.from(to) };
}

/** Embeds planned pieces (CAM++ on `fbank`'s frames, as the local speakers were). */
export async function embedVoicePieces(
  fbank: Float32Array,
  pieces: ReturnType<typeof planVoicePieces>,
  runners: readonly EmbeddingRunner[],
): Promise<VoicePieces> {
  const { plan, from, to } = pieces;
  const embedded: LocalEmbeddings = await embedLocalSpeakers(fbank, plan, runners);
  return { window: plan.window, speaker: plan.speaker, from, to, data: embedded.data, dim: embedded.dim };
}

/** Pieces embedded in parts (a live session's), as one. */
export function concatPieces(parts: readonly VoicePieces[], dim: number): VoicePieces {
  const count = parts.reduce((n, p) => n + p.window.length, 0);
  const join = <T extends Uint32Array | Uint16Array | Uint8Array | Float32Array>(out: T, of: (p: VoicePieces) => ArrayLike<number>): T => {
    let at = 0;
    for (const p of parts) {
      out.set(of(p), at);
      at += of(p).length;
    }
    return out;
  };
  return {
    window: join(new Uint32Array(count), (p) => p.window),
    speaker: join(new Uint8Array(count), (p) => p.speaker),
    from: join(new Uint16Array(count), (p) => p.from),
    to: join(new Uint16Array(count), (p) => p.to),
    data: join(new Float32Array(count * dim), (p) => p.data),
    dim,
  };
}

/** Who speaks for reconstruction: the activity of each window's local speakers and the global speaker of each. */
export interface LocalSpeakers {
  readonly segmentation: LocalSegmentation;
  /** global speaker of (window, local speaker), -1 for none: windowCount x LOCAL_SPEAKERS */
  readonly labels: Int32Array;
  readonly clusterCount: number;
  /** clusterCount x dim, unit length */
  readonly centroids: Float32Array;
}

/**
 * The local speakers with the largest cluster split by voice when the clusters are fewer than `asked`
 * (`speakers` itself otherwise, or when the cluster's pieces are too few or its windows have no free slot).
 * A window whose free slots run out keeps the frames of the groups left in the speaker they were in.
 */
export function splitByVoice(speakers: LocalSpeakers, pieces: VoicePieces, asked: number | undefined): LocalSpeakers {
  const { segmentation, labels, clusterCount } = speakers;
  if (asked === undefined || clusterCount === 0 || clusterCount >= asked) return speakers;
  // The pieces of each cluster; the one with the most is split.
  const ofCluster: number[][] = Array.from({ length: clusterCount }, () => []);
  for (let i = 0; i < pieces.window.length; i++) {
    const c = labels[pieces.window[i]! * LOCAL_SPEAKERS + pieces.speaker[i]!]!;
    if (c >= 0) ofCluster[c]!.push(i);
  }
  const target = ofCluster.reduce((best, list, c) => (list.length > ofCluster[best]!.length ? c : best), 0);
  const members = ofCluster[target]!;
  const groups = Math.min(members.length, asked - clusterCount + 1);
  if (groups < 2) return speakers;
  const { dim } = pieces;
  const x = new Float32Array(members.length * dim);
  members.forEach((i, r) => x.set(pieces.data.subarray(i * dim, (i + 1) * dim), r * dim));
  const unit = unitRows(x, dim);
  const cut = cutDendrogram(averageLinkage(unit, members.length, dim), members.length - groups);
  const groupCentroids = unitRows(groupSums(unit, dim, cut, groups), dim);
  // The group nearest the cluster's own centroid keeps its slot; the others are new speakers.
  const kept = nearestRow(speakers.centroids.subarray(target * dim, (target + 1) * dim), groupCentroids, dim);
  const speakerOf = Array.from({ length: groups }, (_, g) => (g === kept ? target : clusterCount + g - (g > kept ? 1 : 0)));

  const activity = segmentation.activity.slice();
  const split = labels.slice();
  let moved = false;
  // slot[w * groups + g]: the local slot of window w that group g's frames move to (-1: none yet, -2: no free slot)
  const slot = new Int8Array(segmentation.windowCount * groups).fill(-1);
  members.forEach((i, r) => {
    const g = cut[r]!;
    if (g === kept) return;
    const w = pieces.window[i]!;
    const k = pieces.speaker[i]!;
    if (slot[w * groups + g] === -1) slot[w * groups + g] = freeSlot(activity, split, w);
    const s = slot[w * groups + g]!;
    if (s < 0) return;
    split[w * LOCAL_SPEAKERS + s] = speakerOf[g]!;
    for (let f = pieces.from[i]!; f < pieces.to[i]!; f++) {
      const at = w * FRAMES_PER_WINDOW + f;
      // A frame the slot already holds (another local speaker of the group) keeps its bit: the count stays.
      if ((activity[at]! >> k) & 1 && !((activity[at]! >> s) & 1)) activity[at] = (activity[at]! & ~(1 << k)) | (1 << s);
    }
    moved = true;
  });
  if (!moved) return speakers;
  const centroids = new Float32Array((clusterCount + groups - 1) * dim);
  centroids.set(speakers.centroids.subarray(0, clusterCount * dim));
  speakerOf.forEach((c, g) => {
    if (g !== kept) centroids.set(groupCentroids.subarray(g * dim, (g + 1) * dim), c * dim);
  });
  return { segmentation: { ...segmentation, activity }, labels: split, clusterCount: clusterCount + groups - 1, centroids };
}

/** A local slot of window w with no activity and no speaker (-2 when all are taken); it is claimed by the caller's label. */
function freeSlot(activity: Uint8Array, labels: Int32Array, w: number): number {
  let used = 0;
  for (let f = 0; f < FRAMES_PER_WINDOW; f++) used |= activity[w * FRAMES_PER_WINDOW + f]!;
  for (let s = 0; s < LOCAL_SPEAKERS; s++) if (!((used >> s) & 1) && labels[w * LOCAL_SPEAKERS + s]! < 0) return s;
  return -2;
}

/** Row sums of each of `groups` labels. */
function groupSums(x: Float32Array, dim: number, labels: Int32Array, groups: number): Float32Array {
  const sums = new Float64Array(groups * dim);
  labels.forEach((g, i) => {
    for (let d = 0; d < dim; d++) sums[g * dim + d]! += x[i * dim + d]!;
  });
  return Float32Array.from(sums);
}

/** Row of `rows` with the largest dot product with `v`. */
function nearestRow(v: Float32Array, rows: Float32Array, dim: number): number {
  let best = 0;
  let bestDot = -Infinity;
  for (let r = 0; r < rows.length / dim; r++) {
    let s = 0;
    for (let d = 0; d < dim; d++) s += v[d]! * rows[r * dim + d]!;
    if (s > bestDot) [best, bestDot] = [r, s];
  }
  return best;
}
