/**
 * Splitting a local speaker by voice when a speaker count asked for is missed (src/pipeline/overlap/voice-split.ts):
 * which frames make the pieces, which pieces move to a free slot, and that nothing changes otherwise.
 */
import { describe, expect, test } from "bun:test";
import { FRAMES_PER_WINDOW, LOCAL_SPEAKERS, type LocalSegmentation } from "../src/pipeline/overlap/local-segmentation.ts";
import { firstFbankFrame, localFrame } from "../src/pipeline/overlap/local-embeddings.ts";
import { mayMissCount, PIECE_FBANK_FRAMES, planVoicePieces, splitByVoice, type LocalSpeakers, type VoicePieces } from "../src/pipeline/overlap/voice-split.ts";

/** One 10 s window whose local speaker 0 is active on frames [0, active) (and speaker 2 on `also`). */
function oneWindow(active: number, also: [number, number] = [0, 0]): LocalSegmentation {
  const activity = new Uint8Array(FRAMES_PER_WINDOW);
  activity.fill(0b001, 0, active);
  for (let f = also[0]; f < also[1]; f++) activity[f]! |= 0b100;
  return { windowCount: 1, stepFrames: 177, activity, sampleCount: 160_000 };
}

const DIM = 4;
/** Four pieces of speaker 0 tiling its 400 frames, the last two of another voice. */
function pieces(voices: number[][] = [[1, 0, 0, 0], [0.9, 0.1, 0, 0], [0, 0, 1, 0], [0, 0.1, 0.9, 0]]): VoicePieces {
  return {
    window: new Uint32Array(4),
    speaker: new Uint8Array(4),
    from: Uint16Array.of(0, 100, 200, 300),
    to: Uint16Array.of(100, 200, 300, FRAMES_PER_WINDOW),
    data: Float32Array.from(voices.flat()),
    dim: DIM,
  };
}

function oneSpeaker(segmentation: LocalSegmentation): LocalSpeakers {
  const labels = new Int32Array(LOCAL_SPEAKERS).fill(-1);
  labels[0] = 0;
  return { segmentation, labels, clusterCount: 1, centroids: Float32Array.of(1, 0, 0, 0) };
}

describe("planVoicePieces", () => {
  test("cuts a local speaker's active fbank frames into pieces of 1.5 to 3 s whose frame ranges tile the window", () => {
    const segmentation = oneWindow(400);
    const { plan, from, to } = planVoicePieces(segmentation, 1000, { window: [0], speaker: [0] });
    const active = Array.from({ length: 1000 }, (_, j) => j).filter((j) => j >= firstFbankFrame(0) && localFrame(j, 0) < 400);
    expect(plan.count).toBe(Math.floor(active.length / PIECE_FBANK_FRAMES));
    expect(plan.indices).toEqual(Uint32Array.from(active));
    for (let i = 0; i < plan.count; i++) {
      expect(plan.lengths[i]).toBeGreaterThanOrEqual(PIECE_FBANK_FRAMES);
      expect(plan.lengths[i]).toBeLessThan(2 * PIECE_FBANK_FRAMES);
      // Every fbank frame of a piece lies in its frame range.
      for (const j of plan.indices.subarray(plan.offsets[i]!, plan.offsets[i]! + plan.lengths[i]!)) {
        expect(localFrame(j, 0)).toBeGreaterThanOrEqual(from[i]!);
        expect(localFrame(j, 0)).toBeLessThan(to[i]!);
      }
    }
    expect(from[0]).toBe(0);
    expect(to.at(-1)).toBe(FRAMES_PER_WINDOW);
    for (let i = 1; i < plan.count; i++) expect(from[i]).toBe(to[i - 1]!);
  });

  test("a local speaker with less than two pieces' worth of frames has none", () => {
    expect(planVoicePieces(oneWindow(170), 1000, { window: [0], speaker: [0] }).plan.count).toBe(0);
  });
});

test("mayMissCount: only a count asked for, of two or more, with fewer clean embeddings than that", () => {
  expect(mayMissCount([200], {})).toBe(false);
  expect(mayMissCount([200], { numSpeakers: 1 })).toBe(false);
  expect(mayMissCount([200, 10], { numSpeakers: 2 })).toBe(true);
  expect(mayMissCount([200, 60], { minSpeakers: 2 })).toBe(false);
  expect(mayMissCount([200, 60], { numSpeakers: 3 })).toBe(true);
  expect(mayMissCount([200, 60], { numSpeakers: 2, minTrainCleanFrames: 100 })).toBe(true);
});

describe("splitByVoice", () => {
  test("the pieces of the other voice move to a free slot as a new speaker; the speaker count per frame stays", () => {
    const segmentation = oneWindow(400, [350, 380]);
    const split = splitByVoice(oneSpeaker(segmentation), pieces(), 2);
    expect(split.clusterCount).toBe(2);
    expect(Array.from(split.labels)).toEqual([0, 1, -1]);
    const mask = (f: number) => split.segmentation.activity[f];
    expect([mask(0), mask(199), mask(200), mask(349), mask(350), mask(399), mask(400)]).toEqual([0b001, 0b001, 0b010, 0b010, 0b110, 0b010, 0]);
    expect(split.centroids.length).toBe(2 * DIM);
    expect(split.centroids[2 * DIM - 2]).toBeGreaterThan(0.9);
    // The input is left as it was.
    expect(segmentation.activity[200]).toBe(0b001);
  });

  test("the voice nearest the cluster's centroid keeps the slot, whichever comes first", () => {
    const speakers = { ...oneSpeaker(oneWindow(400)), centroids: Float32Array.of(0, 0, 1, 0) };
    const split = splitByVoice(speakers, pieces(), 2);
    expect(split.segmentation.activity[0]).toBe(0b010);
    expect(split.segmentation.activity[200]).toBe(0b001);
  });

  test("nothing changes without a count missed, or without a free slot", () => {
    const speakers = oneSpeaker(oneWindow(400));
    expect(splitByVoice(speakers, pieces(), undefined)).toBe(speakers);
    expect(splitByVoice(speakers, pieces(), 1)).toBe(speakers);
    const two = { ...speakers, clusterCount: 2, centroids: new Float32Array(2 * DIM) };
    expect(splitByVoice(two, pieces(), 2)).toBe(two);
    const full = oneSpeaker(oneWindow(400));
    full.segmentation.activity[500] = 0b110;
    expect(splitByVoice(full, pieces(), 2)).toBe(full);
  });
});
