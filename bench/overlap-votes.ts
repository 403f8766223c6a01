/**
 * The overlap-aware pipeline's window step against the width of the reconstruction votes, on both accuracy
 * sets: per step, the segmentation and the embeddings (central `--center` seconds) are computed once per file,
 * then each `who:count` pair of vote widths (seconds at the centre of each window that vote for who speaks and
 * for how many speak) is reconstructed through the pipeline's own clustering and scoring of merged segments.
 *   bun run bench/overlap-votes.ts [--steps 1.99,2.99] [--votes 3:3,4:6,8:8] [--center 3] [--sets ami,simulated]
 * Widths are at least the step (as the pipeline rounds them). Model CPU seconds per audio minute are this
 * process's, with 2 threads in one lane.
 */
import { loadavg } from "node:os";
import { readAudio } from "../src/audio/index.ts";
import { ComputeContext } from "../src/compute-context.ts";
import type { Turn } from "../src/eval/index.ts";
import { extractFbankSync } from "../src/features/fbank.ts";
import { embedBatch, segmentationScoresBatch } from "../src/models/index.ts";
import { embedLocalSpeakers, planEmbeddings, type LocalEmbeddings } from "../src/pipeline/overlap/local-embeddings.ts";
import { FRAME_STEP_SAMPLES, localSegmentation, type LocalSegmentation } from "../src/pipeline/overlap/local-segmentation.ts";
import { clusteredResult, windowFrames } from "../src/pipeline/overlap/overlap-diarization.ts";
import { loadAmi, scoreHypotheses, uriOf, type AmiSet } from "./ami-eval.ts";
import { runInfo } from "./run-info.ts";
import { buildSimulatedSet } from "./simulated-set.ts";
import { benchArgs, toNumber, toNumbers } from "./args.ts";
import { AMI_DIR, needFixture } from "./fixtures.ts";
import { cpuSeconds } from "./measure.ts";

const { values } = benchArgs(import.meta.path, {
  steps: { type: "string", default: "1.99,2.99" },
  votes: { type: "string", default: "3:3,4:6,8:8" },
  center: { type: "string", default: "3" },
  sets: { type: "string", default: "ami,simulated" },
});
const steps = toNumbers(values.steps, "--steps");
const votes = values.votes.split(",").map((pair) => pair.split(":").map(Number) as [number, number]);
const centerSec = toNumber(values.center, "--center");
const context = new ComputeContext({ threads: 2, lanes: 1 });
const call = { context, threads: 2 };
const untimed = async <T>(_: string, work: () => T | Promise<T>) => work();
const sec = (frames: number) => ((frames * FRAME_STEP_SAMPLES) / 16000).toFixed(2);

const sets: [string, AmiSet][] = [];
for (const name of values.sets.split(",")) {
  if (name === "ami") sets.push(["AMI", loadAmi(needFixture(AMI_DIR))]);
  else if (name === "simulated") {
    const files = await buildSimulatedSet();
    sets.push(["simulated", { files: files.map((f) => f.wav), reference: new Map(files.map((f) => [f.name, f.reference])), uem: new Map(files.map((f) => [f.name, f.uem])) }]);
  } else throw new Error(`--sets takes ami and/or simulated, got ${name}`);
}

console.log(`bench/overlap-votes.ts ${runInfo()}`);
console.log("| set | step s | embedded centre s | votes who / count s | DER c0.25 / c0 | missed | FA | confusion | count right | model CPU s / audio min (segmentation + embeddings) |");
console.log("|---|---|---|---|---|---|---|---|---|---|");
for (const stepSec of steps) {
  for (const [name, set] of sets) {
    const prepared: [string, LocalSegmentation, LocalEmbeddings][] = [];
    let segCpu = 0;
    let embCpu = 0;
    let minutes = 0;
    const { stepFrames, centerFrames } = windowFrames({ stepSec, centerSec });
    for (const file of set.files) {
      const audio = await readAudio(file);
      minutes += audio.durationSec / 60;
      let start = cpuSeconds();
      const segmentation = await localSegmentation(audio.samples, [(chunks) => segmentationScoresBatch(chunks, call)], { stepFrames });
      segCpu += cpuSeconds() - start;
      start = cpuSeconds();
      const fbank = extractFbankSync(audio.samples, [{ start: 0, end: audio.durationSec }], { meanNormalize: false, context });
      const plan = planEmbeddings(segmentation, fbank.frameCounts[0] ?? 0, { centerFrames });
      const embeddings = await embedLocalSpeakers(fbank.data, plan, [(f, b, t) => embedBatch(f, b, t, call)]);
      fbank.free();
      embCpu += cpuSeconds() - start;
      prepared.push([uriOf(file), segmentation, embeddings]);
    }
    for (const [voteSec, countSec] of votes) {
      const options = { context, stepSec, centerSec, voteSec, countSec };
      const { voteFrames, countFrames } = windowFrames(options);
      const hypotheses = new Map<string, Turn[]>();
      let right = 0;
      for (const [uri, segmentation, embeddings] of prepared) {
        const result = await clusteredResult(segmentation, embeddings, options, untimed);
        hypotheses.set(uri, result.mergedSegments);
        if (result.speakers.length === new Set(set.reference.get(uri)!.map((t) => t.speaker)).size) right++;
      }
      const [a, b] = [0.25, 0].map((collar) => scoreHypotheses(hypotheses, collar, set).total) as [ReturnType<typeof scoreHypotheses>["total"], ReturnType<typeof scoreHypotheses>["total"]];
      const pct = (x: number) => ((100 * x) / a.total).toFixed(1);
      console.log(
        `| ${name} | ${sec(stepFrames)} | ${sec(centerFrames)} | ${sec(voteFrames)} / ${sec(countFrames)} | ${(100 * a.der).toFixed(1)} / ${(100 * b.der).toFixed(1)} | ${pct(a.missed)} | ${pct(a.falseAlarm)} | ${pct(a.confusion)} | ${right}/${set.files.length} | ${(segCpu / minutes).toFixed(2)} + ${(embCpu / minutes).toFixed(2)} |`,
      );
    }
  }
}
console.log(`load average at the end: ${loadavg().map((x) => x.toFixed(2)).join(" ")}`);
await context.close();
