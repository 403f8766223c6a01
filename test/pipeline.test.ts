/**
 * End to end on every AMI fixture with the real models and the pyannote VAD: the result is well formed and
 * its diarization error rate stays at the level measured when this test was written, so an accuracy
 * regression fails CI (test/helpers/ami-end-to-end.ts; test/live.test.ts runs the same checks with Silero).
 */
import { expect, test } from "bun:test";
import { diarizeAmi, loadAmi } from "../bench/ami-eval.ts";
import { Diarizer } from "senko";
import { describeAmiEndToEnd } from "./helpers/ami-end-to-end.ts";
import { withoutAmi } from "./helpers/fixtures.ts";

const set = loadAmi();

describeAmiEndToEnd("pyannote", set, async () => {
  await using diarizer = new Diarizer({ pipeline: "vad-windows", vad: "pyannote", quiet: true });
  return await diarizeAmi(diarizer, set);
});

test.skipIf(withoutAmi("pipeline.test.ts"))("a known speaker count is obeyed", async () => {
  await using diarizer = new Diarizer({ numSpeakers: 2, quiet: true });
  const result = await diarizer.diarize(set.files.find((f) => f.endsWith("trn09.wav"))!);
  expect(result.rawSpeakersDetected).toBe(2);
});
