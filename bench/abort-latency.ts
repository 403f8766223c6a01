/**
 * How soon `diarizer.diarize(input, { signal })` rejects once the signal is aborted, on a 5-minute input:
 *   bun run bench/abort-latency.ts [--threads 2] [--points 10] [--pipelines overlap-aware,vad-windows]
 * The input is the ten 30 s AMI fixtures one after another (samples in memory). Per pipeline: two full runs,
 * the second timed (T), then `points` runs on the same Diarizer aborted by a timer at evenly spread times in
 * (0, T). Printed per run: the stage it was in (by the full run's stage times), the time from abort() to the
 * rejection, and from the time the timer was due (a native call that holds the JS thread delays the timer
 * too: what a caller waits). Last, one more full run on that Diarizer is compared with a fresh Diarizer's:
 * the aborted runs left nothing behind.
 */
import { join } from "node:path";
import { readAudio } from "../src/audio/index.ts";
import { Diarizer, type DiarizationResult } from "../src/diarizer.ts";
import type { PipelineName } from "../src/pipeline/registry.ts";
import { benchArgs, toNumber } from "./args.ts";
import { AMI_DIR, needFixture } from "./fixtures.ts";
import { runInfo } from "./run-info.ts";

const { values } = benchArgs(import.meta.path, {
  threads: { type: "string", default: "2" },
  points: { type: "string", default: "10" },
  pipelines: { type: "string", default: "overlap-aware,vad-windows" },
});
const threads = toNumber(values.threads, "--threads");
const points = toNumber(values.points, "--points");
const NAMES = ["dev00", "dev01", "trn01", "trn02", "trn03", "trn04", "trn05", "trn06", "trn07", "trn08"];

const parts = await Promise.all(NAMES.map(async (n) => (await readAudio(needFixture(join(AMI_DIR, `${n}.wav`)))).samples));
const samples = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
parts.reduce((at, p) => (samples.set(p, at), at + p.length), 0);
const input = { samples, sampleRate: 16000 };

const same = (a: DiarizationResult, b: DiarizationResult) => JSON.stringify(a.mergedSegments) === JSON.stringify(b.mergedSegments);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

console.log(runInfo());
console.log(`input: ${(samples.length / 16000).toFixed(0)} s (${NAMES.join(" + ")}), threads ${threads}`);
for (const pipeline of values.pipelines.split(",") as PipelineName[]) {
  await using diarizer = new Diarizer({ pipeline, threads });
  await diarizer.ready();
  // The second full run is the one timed: the first starts the worker lanes' sessions.
  await diarizer.diarize(input);
  let t = performance.now();
  const full = await diarizer.diarize(input);
  const totalMs = performance.now() - t;
  console.log(`\n${pipeline}: full run ${(totalMs / 1000).toFixed(2)} s (${Object.entries(full.timingStats).map(([k, v]) => `${k} ${v.toFixed(2)}`).join(", ")})`);
  const sinceAbort: number[] = [];
  const sinceDue: number[] = [];
  for (let i = 1; i <= points; i++) {
    const delayMs = (totalMs * i) / (points + 1);
    const controller = new AbortController();
    let abortedAt = 0;
    t = performance.now();
    const run = diarizer.diarize(input, { signal: controller.signal });
    setTimeout(() => {
      abortedAt = performance.now();
      controller.abort();
    }, delayMs);
    const outcome = await run.then(
      () => "finished first",
      (error: unknown) => (error instanceof DOMException && error.name === "AbortError" ? "AbortError" : String(error)),
    );
    const end = performance.now();
    const due = t + delayMs;
    if (outcome !== "AbortError") {
      console.log(`  abort at ${(delayMs / 1000).toFixed(2)} s: ${outcome}`);
      continue;
    }
    const stage = stageAt(full, abortedAt - t);
    sinceAbort.push(end - abortedAt);
    sinceDue.push(end - due);
    console.log(`  abort at ${(delayMs / 1000).toFixed(2)} s (${stage}): rejected ${(end - abortedAt).toFixed(0)} ms after abort(), ${(end - due).toFixed(0)} ms after it was due`);
  }
  if (sinceAbort.length > 0) {
    console.log(`  after abort(): median ${median(sinceAbort).toFixed(0)} ms, max ${Math.max(...sinceAbort).toFixed(0)} ms; after the due time: median ${median(sinceDue).toFixed(0)} ms, max ${Math.max(...sinceDue).toFixed(0)} ms`);
  }
  const again = await diarizer.diarize(input);
  await using fresh = new Diarizer({ pipeline, threads });
  const reference = await fresh.diarize(input);
  console.log(`  a full run after the aborted ones gives the fresh Diarizer's turns: ${same(again, reference) ? "yes" : "NO"} (${again.mergedSegments.length} turns, ${again.mergedSpeakersDetected} speakers)`);
}

/** The stage a run of the full run's timings would be in `ms` after its start. */
function stageAt(result: DiarizationResult, ms: number): string {
  let at = 0;
  for (const [name, sec] of Object.entries(result.timingStats)) {
    if (name === "total") continue;
    at += sec * 1000;
    if (ms < at) return name;
  }
  return "after the last stage";
}
