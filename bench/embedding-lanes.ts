/**
 * CAM++ embedding throughput on real fbank features (1.5 s windows every 0.6 s over the AMI fixtures
 * repeated): one lane with every thread inside each call, against one lane per thread (this thread and
 * workers, one intra-op thread each), for a few batch sizes; interleaved in one process, wall and
 * process CPU seconds, median of `repeats`; and the largest difference between their embeddings.
 *   bun run bench/embedding-lanes.ts [--windows 640] [--threads 2] [--repeats 3]
 */
import { extractFbank } from "../src/features/fbank.ts";
import { ComputeContext } from "../src/compute-context.ts";
import { campplusEmbeddings } from "../src/models/index.ts";
import { buildMeetingSignal } from "./long-audio.ts";
import { benchArgs, toNumber } from "./args.ts";
import { median } from "./measure.ts";

const { values } = benchArgs(import.meta.path, { windows: { type: "string", default: "640" }, threads: { type: "string", default: "2" }, repeats: { type: "string", default: "3" } });
const count = toNumber(values.windows, "--windows");
const threads = toNumber(values.threads, "--threads");
const samples = await buildMeetingSignal(count * 0.6 + 1);
const windows = Array.from({ length: count }, (_, i) => ({ start: i * 0.6, end: i * 0.6 + 1.5 }));
const features = await extractFbank(samples, windows);

const oneLane = new ComputeContext({ threads, lanes: 1 });
const laneEach = new ComputeContext({ threads, lanes: threads });
const configs: [string, { context: ComputeContext; batchSize: number }][] = [
  [`1 lane x ${threads} threads, batch 64`, { context: oneLane, batchSize: 64 }],
  [`${threads} lanes x 1 thread, batch 64`, { context: laneEach, batchSize: 64 }],
  [`${threads} lanes x 1 thread, batch 32`, { context: laneEach, batchSize: 32 }],
  [`${threads} lanes x 1 thread, batch 16`, { context: laneEach, batchSize: 16 }],
];
const outputs = new Map<string, Float32Array>();
for (const [name, options] of configs) outputs.set(name, (await campplusEmbeddings(features, options)).data);
const times = new Map<string, { wall: number[]; cpu: number[] }>();
for (let r = 0; r < toNumber(values.repeats, "--repeats"); r++) {
  for (const [name, options] of configs) {
    const cpu = process.cpuUsage();
    const start = performance.now();
    await campplusEmbeddings(features, options);
    const used = process.cpuUsage(cpu);
    const t = times.get(name) ?? { wall: [], cpu: [] };
    t.wall.push((performance.now() - start) / 1000);
    t.cpu.push((used.user + used.system) / 1e6);
    times.set(name, t);
  }
}
features.free();
const reference = outputs.get(configs[0]![0])!;
console.log(`CAM++ on ${count} windows of 1.5 s, ${threads} threads; median of ${values.repeats}`);
for (const [name] of configs) {
  const t = times.get(name)!;
  const out = outputs.get(name)!;
  let diff = 0;
  for (let i = 0; i < out.length; i++) diff = Math.max(diff, Math.abs(out[i]! - reference[i]!));
  console.log(
    `${name.padEnd(30)} ${(count / median(t.wall)).toFixed(1).padStart(6)} emb/s wall  ${(count / median(t.cpu)).toFixed(1).padStart(6)} emb/s per CPU-s  ` +
      `(wall ${t.wall.map((w) => w.toFixed(2)).join(" ")})  max |diff| ${diff.toExponential(1)}`,
  );
}
