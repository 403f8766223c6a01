/**
 * Where the overlap-aware pipeline's model time goes, and whether onnxruntime's session options change it:
 * (1) onnxruntime's own per-operator profile of pyannote segmentation-3.0 (batches of 4 windows of real AMI
 * audio, one intra-op thread, as each inference lane runs it), summed by operator and by part of the network
 * (SincNet front end, LSTM, the rest); (2) CPU milliseconds per segmentation window and per 3 s CAM++
 * embedding under each graph optimisation level, the levels interleaved, median of the rounds.
 *   bun run bench/model-profile.ts [--rounds 5]
 * Session options as src/models/session.ts sets them (sequential, one inter-op thread, no spinning) unless varied.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as ort from "onnxruntime-node";
import { resolveModel } from "../models/fetch.ts";
import { readAudio } from "../src/audio/index.ts";
import { loadAmi } from "./ami-eval.ts";
import { runInfo } from "./run-info.ts";
import { benchArgs, toNumber } from "./args.ts";
import { cpuSeconds, median } from "./measure.ts";

const { values } = benchArgs(import.meta.path, { rounds: { type: "string", default: "5" } });
const rounds = toNumber(values.rounds, "--rounds");
const LEVELS = ["disabled", "basic", "extended", "all"] as const;
type Level = (typeof LEVELS)[number];

const options = (level: Level, profile?: string): ort.InferenceSession.SessionOptions => ({
  graphOptimizationLevel: level,
  intraOpNumThreads: 1,
  interOpNumThreads: 1,
  executionMode: "sequential",
  extra: { session: { intra_op: { allow_spinning: "0" } } },
  ...(profile ? { enableProfiling: true, profileFilePrefix: profile } : {}),
});
const cpuMs = () => cpuSeconds() * 1000;

// Four 10 s windows 2.99 s apart, and sixteen 3 s fbank-like inputs (CAM++'s cost does not depend on the values).
const { samples } = await readAudio(loadAmi().files[0]!);
const windows = new Float32Array(4 * 160_000);
for (let b = 0; b < 4; b++) windows.set(samples.subarray(b * 47_790, b * 47_790 + 160_000), b * 160_000);
const segInput = new ort.Tensor("float32", windows, [4, 1, 160_000]);
const camInput = new ort.Tensor("float32", Float32Array.from({ length: 16 * 300 * 80 }, (_, i) => Math.sin(i * 0.37)), [16, 300, 80]);
const segPath = (await resolveModel("pyannote-segmentation")).path;
const camPath = (await resolveModel("campplus")).path;

console.log(`bench/model-profile.ts ${runInfo()}`);

// (1) The per-operator profile.
const dir = mkdtempSync(join(tmpdir(), "senko-profile-"));
try {
  const session = await ort.InferenceSession.create(segPath, options("all", join(dir, "segmentation")));
  for (let i = 0; i < 2 + rounds; i++) await session.run({ [session.inputNames[0]!]: segInput });
  // onnxruntime-node writes the profile (prefix + a timestamp + .json) when the session ends profiling or is released.
  (session as unknown as { endProfiling(): void }).endProfiling();
  await session.release();
  const file = readdirSync(dir).find((f) => f.startsWith("segmentation") && f.endsWith(".json"));
  if (!file) throw new Error(`onnxruntime wrote no profile into ${dir}`);
  type Event = { cat?: string; name: string; dur: number; args?: { op_name?: string } };
  const events = (JSON.parse(readFileSync(join(dir, file), "utf8")) as Event[]).filter(
    (e) => e.cat === "Node" && e.name.endsWith("_kernel_time"),
  );
  // An If node's time includes the subgraph it runs (here the SincNet convolution, also listed by itself).
  const kernels = events.filter((e) => e.args?.op_name !== "If");
  const total = kernels.reduce((s, e) => s + e.dur, 0);
  const sum = (pick: (e: Event) => string) => {
    const by = new Map<string, number>();
    for (const e of kernels) by.set(pick(e), (by.get(pick(e)) ?? 0) + e.dur);
    return [...by].sort((a, b) => b[1] - a[1]);
  };
  const part = (e: Event) => (e.name.startsWith("/sincnet/") || e.name.startsWith("Conv_") ? "SincNet" : e.name.startsWith("/lstm/") ? "LSTM" : "linear, softmax, other");
  const pct = (us: number) => `${((100 * us) / total).toFixed(1)} %`;
  console.log(`\nsegmentation-3.0, batches of 4 windows, 1 thread: onnxruntime profile of ${rounds + 2} runs (kernel time, If nodes counted through their subgraph)`);
  console.log("by part:", sum(part).map(([k, v]) => `${k} ${pct(v)}`).join(", "));
  console.log("by operator:", sum((e) => e.args?.op_name ?? "?").slice(0, 8).map(([k, v]) => `${k} ${pct(v)}`).join(", "));
  console.log("largest nodes:", sum((e) => e.name.replace(/_kernel_time$/, "")).slice(0, 6).map(([k, v]) => `${k} ${pct(v)}`).join(", "));
} finally {
  rmSync(dir, { recursive: true, force: true });
}

// (2) Graph optimisation levels, interleaved.
for (const [name, path, input, items, unit] of [
  ["segmentation-3.0", segPath, segInput, 4, "window"],
  ["CAM++", camPath, camInput, 16, "3 s embedding"],
] as const) {
  const sessions = await Promise.all(LEVELS.map((level) => ort.InferenceSession.create(path, options(level))));
  const per = LEVELS.map(() => [] as number[]);
  for (const s of sessions) await s.run({ [s.inputNames[0]!]: input });
  for (let r = 0; r < rounds; r++) {
    for (let i = 0; i < sessions.length; i++) {
      const s = sessions[i]!;
      const start = cpuMs();
      await s.run({ [s.inputNames[0]!]: input });
      per[i]!.push((cpuMs() - start) / items);
    }
  }
  console.log(`\n${name}, CPU ms per ${unit} (batch ${items}, 1 thread; median of ${rounds} interleaved rounds):`);
  console.log(LEVELS.map((level, i) => `${level} ${median(per[i]!).toFixed(1)}`).join(", "));
  await Promise.all(sessions.map((s) => s.release()));
}
