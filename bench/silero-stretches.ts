/**
 * Silero VAD over long audio: one sequential pass (the reference) against independent stretches run as
 * batches, in one lane (this thread) and in two (this thread and a worker), interleaved in one process,
 * wall and CPU seconds each; and the speech each finds against the AMI reference turns of the repeated
 * fixtures (missed / false-alarm speech, as % of reference speech, after Silero's post-processing).
 *   bun run bench/silero-stretches.ts [--minutes 10] [--repeats 3]
 */
import { ComputeContext } from "../src/compute-context.ts";
import { sileroSpeechProbabilities, sileroSpeechProbabilitiesParallel } from "../src/models/index.ts";
import { sileroRegions } from "../src/pipeline/vad-postprocess.ts";
import { loadAmi, uriOf } from "./ami-eval.ts";
import { buildMeetingSignal } from "./long-audio.ts";
import { benchArgs, toNumber } from "./args.ts";
import { median } from "./measure.ts";

const { values } = benchArgs(import.meta.path, { minutes: { type: "string", default: "10" }, repeats: { type: "string", default: "3" } });
const seconds = toNumber(values.minutes, "--minutes") * 60;
const samples = await buildMeetingSignal(seconds);

// Reference speech of the repeated signal, in 10 ms steps (long-audio.ts repeats the fixtures in name order, 30 s each).
const set = loadAmi();
const truth = new Uint8Array(seconds * 100);
for (let at = 0, i = 0; at < seconds; at += 30, i++) {
  for (const t of set.reference.get(uriOf(set.files[i % set.files.length]!))!) {
    for (let k = Math.round((at + t.start) * 100); k < Math.min(truth.length, Math.round((at + t.end) * 100)); k++) truth[k] = 1;
  }
}
const speech = truth.reduce((a, b) => a + b, 0);
function vadError(p: Float32Array): string {
  const mask = new Uint8Array(truth.length);
  for (const r of sileroRegions(p, 512, samples.length, 16000)) mask.fill(1, Math.round(r.start * 100), Math.round(r.end * 100));
  let miss = 0;
  let fa = 0;
  for (let i = 0; i < truth.length; i++) {
    if (truth[i] && !mask[i]) miss++;
    else if (!truth[i] && mask[i]) fa++;
  }
  return `missed ${((100 * miss) / speech).toFixed(2)} %, false alarm ${((100 * fa) / speech).toFixed(2)} %`;
}

const oneLane = new ComputeContext({ lanes: 1 });
const twoLanes = new ComputeContext({ lanes: 2 });
const configs: [string, () => Promise<Float32Array>][] = [
  ["sequential (1 stretch)", () => sileroSpeechProbabilities(samples)],
  ["stretches, 1 lane", () => sileroSpeechProbabilitiesParallel(samples, { context: oneLane })],
  ["stretches, 2 lanes", () => sileroSpeechProbabilitiesParallel(samples, { context: twoLanes })],
];
const times = new Map<string, { wall: number[]; cpu: number[] }>();
const outputs = new Map<string, Float32Array>();
// First round warms every session (and starts the worker); not timed.
for (const [name, run] of configs) outputs.set(name, await run());
for (let r = 0; r < toNumber(values.repeats, "--repeats"); r++) {
  for (const [name, run] of configs) {
    const cpu = process.cpuUsage();
    const start = performance.now();
    await run();
    const used = process.cpuUsage(cpu);
    const t = times.get(name) ?? { wall: [], cpu: [] };
    t.wall.push((performance.now() - start) / 1000);
    t.cpu.push((used.user + used.system) / 1e6);
    times.set(name, t);
  }
}
console.log(`Silero on ${values.minutes} min of AMI fixtures repeated; median of ${values.repeats} (wall s, process CPU s)`);
const reference = outputs.get(configs[0]![0])!;
for (const [name] of configs) {
  const t = times.get(name)!;
  const p = outputs.get(name)!;
  let diff = 0;
  for (let i = 0; i < p.length; i++) diff += Math.abs(p[i]! - reference[i]!);
  console.log(
    `${name.padEnd(24)} wall ${median(t.wall).toFixed(2)} s  cpu ${median(t.cpu).toFixed(2)} s  (${t.wall.map((w) => w.toFixed(2)).join(" ")})  ` +
      `${vadError(p)}  mean |p - sequential| ${(diff / p.length).toFixed(4)}`,
  );
}
