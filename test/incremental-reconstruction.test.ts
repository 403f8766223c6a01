/**
 * The live snapshots' reconstruction kept between updates equals the reconstruction of the whole file
 * at every step: windows added a few at a time, new windows labelled while the old labels stay, and
 * now and then a new clustering (all labels and the speaker count change).
 */
import { expect, test } from "bun:test";
import { IncrementalReconstruction } from "../src/pipeline/overlap/incremental-reconstruction.ts";
import { FRAMES_PER_WINDOW, LOCAL_SPEAKERS, WINDOW_SAMPLES, windowStart } from "../src/pipeline/overlap/local-segmentation.ts";
import { reconstructActivity, withBorrowedVotes, withMinDurations } from "../src/pipeline/overlap/reconstruction.ts";

/** A deterministic generator in [0, 1). */
function generator(seed: number): () => number {
  let x = seed;
  return () => ((x = (Math.imul(x, 1103515245) + 12345) >>> 0) / 2 ** 32);
}

for (const [stepFrames, centerFrames, countFrames, minDurations, borrowSec] of [
  [118, 177, 177, { minDurationOffSec: 0.5 }, undefined],
  [177, 237, 355, { minDurationOffSec: 0.5 }, 2],
  [178, 178, 178, { minDurationOffSec: 0.5, minDurationOnSec: 0.3 }, 0],
  [59, 300, 120, {}, undefined],
] as const) {
  test(`kept frames give the whole reconstruction (step ${stepFrames}, votes ${centerFrames} / ${countFrames}, ${JSON.stringify(minDurations)}, borrow ${borrowSec ?? "default"})`, () => {
    const random = generator(stepFrames);
    const total = 90;
    // Runs of one local-speaker mask, some short enough for the duration rules to act on.
    const activity = new Uint8Array(total * FRAMES_PER_WINDOW);
    let mask = 1;
    for (let i = 0; i < activity.length; i++) {
      if (random() < 0.04) mask = [0, 1, 2, 4, 3, 5, 6][Math.floor(random() * 7)]!;
      activity[i] = mask;
    }
    let speakers = 3;
    const labels = new Int32Array(total * LOCAL_SPEAKERS);
    const label = (from: number) => {
      for (let i = from * LOCAL_SPEAKERS; i < labels.length; i++) labels[i] = random() < 0.15 ? -1 : Math.floor(random() * speakers);
    };
    label(0);
    const kept = new IncrementalReconstruction();
    const options = { centerFrames, countFrames, borrowSec };
    let resets = 0;
    for (let windows = 1; windows <= total; windows += 1 + Math.floor(random() * 3)) {
      if (random() < 0.1) {
        speakers = 2 + Math.floor(random() * 4);
        label(0);
        kept.reset();
        resets++;
      } else {
        label(windows);
      }
      const segmentation = { windowCount: windows, stepFrames, activity: activity.subarray(0, windows * FRAMES_PER_WINDOW), sampleCount: windowStart({ stepFrames }, windows - 1) + WINDOW_SAMPLES };
      const own = labels.subarray(0, windows * LOCAL_SPEAKERS);
      const got = kept.update(segmentation, own, speakers, options, minDurations);
      const whole = withMinDurations(withBorrowedVotes(reconstructActivity(segmentation, own, speakers, options), options), minDurations);
      expect(got.frameCount).toBe(whole.frameCount);
      expect(got.speakers).toBe(whole.speakers);
      expect(Buffer.from(got.count).equals(Buffer.from(whole.count))).toBe(true);
      expect(Buffer.from(got.active).equals(Buffer.from(whole.active))).toBe(true);
      // Room for at most twice the frames, whatever the speaker counts were before.
      expect(kept.bytes).toBeLessThanOrEqual(Math.max(2 * whole.frameCount, 4096) * (10 * speakers + 1));
    }
    expect(resets).toBeGreaterThan(0);
  });
}
