/**
 * @module The reconstruction of a growing file, for live snapshots: frames that no later window can
 * vote on keep their activity from one snapshot to the next while the labels stay the same, so an
 * update recomputes the frames of the last windows only, and the borrowed votes and duration rules only
 * within their reach of those. Each result equals `reconstructActivity`, `withBorrowedVotes` then
 * `withMinDurations` on the whole file.
 */
import { FRAMES_PER_WINDOW, usedFrames, type LocalSegmentation } from "./local-segmentation.ts";
import {
  borrowFrames,
  frameCountOf,
  minDurationFrames,
  reconstructActivity,
  withBorrowedVotes,
  withMinDurations,
  type FrameActivity,
  type MinDurations,
  type ReconstructionOptions,
} from "./reconstruction.ts";

export class IncrementalReconstruction {
  #speakers = 0;
  #capacity = 0;
  #active = new Uint8Array(0);
  #scores = new Float32Array(0);
  #count = new Uint8Array(0);
  #merged = new Uint8Array(0);
  /** frames before this have their final raw activity under the labels in use */
  #final = 0;

  /** Frames before this have their final raw activity (as of the last update). */
  get finalFrames(): number {
    return this.#final;
  }

  /** Bytes of the kept arrays. */
  get bytes(): number {
    return this.#active.byteLength + this.#scores.byteLength + this.#count.byteLength + this.#merged.byteLength;
  }

  /** The labels of earlier windows changed (a new clustering): the next update starts from frame 0. */
  reset(): void {
    this.#final = 0;
  }

  /**
   * The activity after the duration rules of the file `segmentation` describes, under `labels` (the
   * global speaker of each window and local speaker, the earlier ones as in the last update unless
   * `reset` was called), its last window standing for the file's end until more windows follow.
   */
  update(
    segmentation: LocalSegmentation,
    labels: Int32Array,
    speakers: number,
    options: ReconstructionOptions,
    minDurations: MinDurations,
  ): FrameActivity {
    const frameCount = frameCountOf(segmentation.sampleCount);
    if (speakers !== this.#speakers) {
      this.#speakers = speakers;
      this.#final = 0;
    }
    this.#reserve(frameCount);
    const raw: FrameActivity = {
      frameCount,
      speakers,
      active: this.#active.subarray(0, frameCount * speakers),
      scores: this.#scores.subarray(0, frameCount * speakers),
      count: this.#count.subarray(0, frameCount),
    };
    const from = Math.min(this.#final, frameCount);
    reconstructActivity(segmentation, labels, speakers, options, { activity: raw, fromFrame: from });
    // A merged frame depends on the raw frames within `reach` of it on either side.
    const reach = reachFrames(options, minDurations);
    const start = Math.max(0, from - 2 * reach);
    const kept = Math.max(0, from - reach);
    const tail = withMinDurations(
      withBorrowedVotes(
        { frameCount: frameCount - start, speakers, active: raw.active.subarray(start * speakers), scores: raw.scores.subarray(start * speakers), count: raw.count.subarray(start) },
        options,
      ),
      minDurations,
    );
    this.#merged.set(tail.active.subarray((kept - start) * speakers), kept * speakers);
    const voting = options.centerFrames ?? FRAMES_PER_WINDOW;
    this.#final = Math.min(finalFrames(segmentation, voting), finalFrames(segmentation, options.countFrames ?? voting), frameCount);
    return { ...raw, active: this.#merged.subarray(0, frameCount * speakers) };
  }

  #reserve(frames: number): void {
    const relaid = this.#active.length !== this.#capacity * this.#speakers;
    if (frames <= this.#capacity && !relaid) return;
    // Doubling as the file grows; the same frames when only the speaker count changed. Not a GrowableArray:
    // a growth keeps only the final frames, and a new speaker count relays the rows.
    const capacity = frames > this.#capacity ? Math.max(frames, 2 * this.#capacity, 4096) : this.#capacity;
    const grow = <T extends Uint8Array | Float32Array>(old: T, make: (length: number) => T, per: number): T => {
      const next = make(capacity * per);
      // The kept frames only when the layout (speakers per frame) is unchanged.
      if (this.#final > 0) next.set(old.subarray(0, this.#final * per));
      return next;
    };
    this.#active = grow(this.#active, (l) => new Uint8Array(l), this.#speakers);
    this.#scores = grow(this.#scores, (l) => new Float32Array(l), this.#speakers);
    this.#merged = grow(this.#merged, (l) => new Uint8Array(l), this.#speakers);
    this.#count = grow(this.#count, (l) => new Uint8Array(l), 1);
    this.#capacity = capacity;
  }
}

/** Frames on either side of a merged frame whose raw activity it depends on. */
export function reachFrames(options: ReconstructionOptions, minDurations: MinDurations): number {
  const { minOn, minOff } = minDurationFrames(minDurations);
  return borrowFrames(options) + minOn + minOff + 2;
}

/**
 * Frames of the file of `segmentation` that get no vote from the central `centerFrames` of windows after
 * its last: those start later, and its last votes to its end only while it is the last.
 */
function finalFrames({ windowCount, stepFrames }: LocalSegmentation, centerFrames: number): number {
  const inner = { windowCount: Infinity };
  const next = windowCount * stepFrames + usedFrames(inner, windowCount, centerFrames)[0];
  return Math.min(next, (windowCount - 1) * stepFrames + usedFrames(inner, windowCount - 1, centerFrames)[1]);
}
