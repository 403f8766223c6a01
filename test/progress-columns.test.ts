/** The progress bar of every stage that reports progress starts at the same column: one under the other. */
import { expect, test } from "bun:test";
import { ProgressBar } from "../src/output/progress.ts";

test("the bars of audio, vad, segmentation and embeddings line up", () => {
  let text = "";
  const bar = new ProgressBar({ write: (s) => (text += s), columns: 120, interval: 0 });
  bar.start("meeting.wav");
  for (const stage of ["audio", "vad", "segmentation", "embeddings"]) bar.update({ stage, done: 1, total: 2 });
  const frames = text.split("\r").filter((f) => f.trim() !== "");
  expect(frames).toHaveLength(4);
  expect(new Set(frames.map((f) => f.indexOf("[")))).toEqual(new Set([frames[0]!.indexOf("[")]));
});
