/**
 * Live diarization against batch on one long file: the file pushed in 1 s chunks (read from disk as it
 * goes, like a recording in progress) through `diarizer.live()`, a snapshot after every push, then
 * `close()`; and `diarize()` on the same file. Each run is its own process (its own peak RSS), the two
 * interleaved. Prints the update latency (median, p90, max) around 10 and 60 minutes of accumulated audio,
 * process CPU of each run, peak RSS, whether the live result equals batch (every field but the timing),
 * and how often the live snapshot re-clustered.
 *   bun run bench:live [--minutes 60] [--threads 2] [--repeats 1] [--source simulated] [--at 10,60] [--modes batch,live] [--snapshot-every 1] [--pipeline <the default pipeline>]
 * --snapshot-every n: a snapshot after every n-th push only (0: none, the cost of the incremental work alone).
 * --source simulated: a simulated conversation of 8 LibriSpeech voices with overlaps (bench/simulate.ts, seed 1);
 *   ami: the eleven AMI fixtures repeated end to end (bench/long-audio.ts).
 */
import { spawnSync } from "node:child_process";
import { closeSync, existsSync, mkdirSync, openSync, readSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { wavFloat } from "../test/helpers/wav.ts";
import { buildMeetingSignal } from "./long-audio.ts";
import { simulateConversation } from "./simulate.ts";
import type { LiveSnapshot } from "../src/live/session.ts";
import { runInfo } from "./run-info.ts";
import { DEFAULT_PIPELINE, type PipelineName } from "../src/pipeline/registry.ts";
import { benchArgs, toNumber, toNumbers } from "./args.ts";

const { values } = benchArgs(import.meta.path, {
  minutes: { type: "string", default: "60" },
  threads: { type: "string", default: "2" },
  repeats: { type: "string", default: "1" },
  source: { type: "string", default: "simulated" },
  pipeline: { type: "string", default: DEFAULT_PIPELINE },
  at: { type: "string", default: "10,60" },
  modes: { type: "string", default: "batch,live" },
  "snapshot-every": { type: "string", default: "1" },
  child: { type: "string" },
});

interface Run {
  mode: "batch" | "live";
  wallSec: number;
  cpuSec: number;
  peakRssMiB: number;
  /** sha-256 of the result without its timing */
  digest: string;
  speakers: number;
  stages: Record<string, number>;
  /** live: per push, [seconds of audio so far, wall ms the push took, process CPU ms it took] */
  updates?: [number, number, number][];
  /** live: snapshot re-clusterings, peak 16 kHz samples held, close() ms */
  reclusterings?: number;
  maxHeldSec?: number;
  closeMs?: number;
  /** live: median seconds from the end of the audio back to the final-turn horizon, over the snapshots */
  finalLagSec?: number;
  /** live: share of the time of the turns final before close whose speaker is the result's (by resultNames) */
  finalAgreement?: number;
}

/** sha-256 of the result without its timing; the result is kept in `save` (a JSON file) to compare runs. */
function digest(result: object, save: string): string {
  const { timingStats: _, ...rest } = result as { timingStats: unknown };
  const json = JSON.stringify(rest, (_key, value) => (value instanceof Float32Array ? Array.from(value) : value));
  writeFileSync(save, json);
  return new Bun.CryptoHasher("sha256").update(json).digest("hex").slice(0, 16);
}

if (values.child) {
  const spec = JSON.parse(values.child) as { mode: "batch" | "live"; file: string; threads: number; snapshotEvery: number; save: string; pipeline: PipelineName };
  const { Diarizer } = await import("../src/diarizer.ts");
  const { parseWavStreamHeader } = await import("../src/audio/wav-stream.ts");
  const diarizer = new Diarizer({ threads: spec.threads, vad: spec.pipeline === "vad-windows" ? "silero" : undefined, pipeline: spec.pipeline, quiet: true });
  await diarizer.ready();
  const cpu = process.cpuUsage();
  const start = performance.now();
  let run: Run;
  if (spec.mode === "batch") {
    const result = await diarizer.diarize(spec.file);
    run = { mode: "batch", wallSec: 0, cpuSec: 0, peakRssMiB: 0, digest: digest(result, spec.save), speakers: result.mergedSpeakersDetected, stages: { ...result.timingStats } };
  } else {
    // The file is read 1 s at a time, as a recorder would hand it over.
    const fd = openSync(spec.file, "r");
    const head = new Uint8Array(1 << 16);
    const got = readSync(fd, head, 0, head.length, 0);
    const header = parseWavStreamHeader(head.subarray(0, got), spec.file);
    if (!header?.dataBytes || !header.layout.encoding) throw new Error("bench/live.ts reads a complete PCM or float WAV file");
    const layout = { ...header.layout, encoding: header.layout.encoding, dataBytes: header.dataBytes };
    const session = diarizer.live({ sampleRate: layout.sampleRate, channels: layout.channels, encoding: layout.encoding });
    const second = layout.sampleRate * layout.blockAlign;
    const updates: [number, number, number][] = [];
    const lags: number[] = [];
    let lastSnapshot: LiveSnapshot | undefined;
    let maxHeld = 0;
    for (let offset = layout.dataOffset, n = 1; offset < layout.dataOffset + layout.dataBytes; offset += second, n++) {
      const chunk = new Uint8Array(Math.min(second, layout.dataOffset + layout.dataBytes - offset));
      readSync(fd, chunk, 0, chunk.length, offset);
      const t = performance.now();
      const c = process.cpuUsage();
      if (spec.snapshotEvery > 0 && n % spec.snapshotEvery === 0) {
        lastSnapshot = await session.push(chunk);
        lags.push(lastSnapshot.durationSec - lastSnapshot.finalSec);
      } else {
        await session.append(chunk);
      }
      const used = process.cpuUsage(c);
      updates.push([session.durationSec, performance.now() - t, (used.user + used.system) / 1000]);
      maxHeld = Math.max(maxHeld, session.heldSamples);
    }
    closeSync(fd);
    const t = performance.now();
    const result = await session.close();
    const closeMs = performance.now() - t;
    // How far the turns final during the session agree with the result (speakers mapped by resultNames).
    const liveName = session.resultNames;
    let agreeing = 0;
    let finalTime = 0;
    for (const turn of lastSnapshot?.turns.filter((x) => x.final) ?? []) {
      finalTime += turn.end - turn.start;
      for (const r of result.mergedSegments) {
        if (liveName[r.speaker] === turn.speaker) agreeing += Math.max(0, Math.min(turn.end, r.end) - Math.max(turn.start, r.start));
      }
    }
    run = {
      mode: "live",
      wallSec: 0,
      cpuSec: 0,
      peakRssMiB: 0,
      digest: digest(result, spec.save),
      speakers: result.mergedSpeakersDetected,
      stages: { ...result.timingStats },
      updates,
      reclusterings: session.reclusterings,
      maxHeldSec: maxHeld / 16000,
      closeMs,
      finalLagSec: lags.sort((a, b) => a - b)[Math.floor(lags.length / 2)] ?? NaN,
      finalAgreement: finalTime > 0 ? agreeing / finalTime : NaN,
    };
  }
  const used = process.cpuUsage(cpu);
  run.wallSec = (performance.now() - start) / 1000;
  run.cpuSec = (used.user + used.system) / 1e6;
  run.peakRssMiB = process.resourceUsage().maxRSS / 1024;
  await diarizer.close();
  console.log(`RESULT ${JSON.stringify(run)}`);
  process.exit(0);
}

const minutes = toNumber(values.minutes, "--minutes");
const dir = join(tmpdir(), "senko-bench");
mkdirSync(dir, { recursive: true });
const file = join(dir, values.source === "ami" ? `ami-repeated-${minutes}min.wav` : `simulated-8spk-${minutes}min-s1.wav`);
if (!existsSync(file)) {
  if (values.source === "ami") writeFileSync(file, wavFloat(await buildMeetingSignal(minutes * 60)));
  else if (values.source === "simulated") writeFileSync(file, wavFloat((await simulateConversation({ speakers: 8, minutes, seed: 1 })).samples));
  else throw new Error(`--source ${values.source}: simulated or ami`);
}

console.log(runInfo());
const every = toNumber(values["snapshot-every"], "--snapshot-every");
console.log(`${values.pipeline}: ${values.source} ${minutes} min (${file}), ${values.threads} threads, live in 1 s chunks, ${every === 0 ? "no snapshots" : every === 1 ? "a snapshot after each" : `a snapshot after every ${every}th`}`);
const quantile = (xs: number[], q: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.floor(q * s.length))]! : NaN;
};
const runs: Run[] = [];
const modes = values.modes.split(",") as ("batch" | "live")[];
for (let r = 0; r < toNumber(values.repeats, "--repeats"); r++) {
  for (const mode of modes) {
    const child = spawnSync(process.execPath, [import.meta.path, "--child", JSON.stringify({ mode, file, threads: toNumber(values.threads, "--threads"), snapshotEvery: toNumber(values["snapshot-every"], "--snapshot-every"), pipeline: values.pipeline, save: join(dir, `result-${values.pipeline}-${minutes}min-${mode}-${r}.json`) })], {
      encoding: "utf8",
      maxBuffer: 1 << 28,
    });
    const line = child.stdout.split("\n").find((l) => l.startsWith("RESULT "));
    if (!line) {
      console.error(`${mode} failed:\n${child.stderr.slice(-3000)}`);
      process.exitCode = 1;
      continue;
    }
    const run = JSON.parse(line.slice(7)) as Run;
    runs.push(run);
    const st = Object.entries(run.stages).map(([k, v]) => `${k} ${v.toFixed(2)}`).join(", ");
    console.log(
      `${mode.padEnd(5)} wall ${run.wallSec.toFixed(1).padStart(7)} s  cpu ${run.cpuSec.toFixed(1).padStart(7)} s  peak RSS ${run.peakRssMiB.toFixed(0)} MiB  ` +
        `speakers ${run.speakers}  result ${run.digest}  [${st}]  load ${(await import("node:os")).loadavg()[0]!.toFixed(2)}`,
    );
    if (run.updates) {
      const ms = run.updates.map((u) => u[1]);
      console.log(
        `      updates: ${run.updates.length}, median ${quantile(ms, 0.5).toFixed(1)} ms, p90 ${quantile(ms, 0.9).toFixed(1)}, max ${Math.max(...ms).toFixed(0)}; ` +
          `re-clusterings ${run.reclusterings}; close ${run.closeMs!.toFixed(0)} ms; audio held at most ${run.maxHeldSec!.toFixed(1)} s; ` +
          `final turns end a median ${run.finalLagSec!.toFixed(1)} s before the audio does, ${(100 * run.finalAgreement!).toFixed(1)} % of their time has the result's speaker`,
      );
      for (const at of toNumbers(values.at, "--at")) {
        // The two minutes up to `at` minutes of accumulated audio (the last two when the file is shorter).
        const to = Math.min(at, minutes) * 60;
        const around = run.updates.filter(([sec]) => sec > to - 120 && sec <= to);
        const wall = around.map((u) => u[1]);
        const cpu = around.map((u) => u[2]);
        console.log(
          `      at ${(to / 60).toFixed(0)} min (updates ${((to - 120) / 60).toFixed(0)}-${(to / 60).toFixed(0)} min, ${around.length}): ` +
            `wall median ${quantile(wall, 0.5).toFixed(1)} ms, p90 ${quantile(wall, 0.9).toFixed(1)}, max ${Math.max(...wall).toFixed(0)}; ` +
            `CPU median ${quantile(cpu, 0.5).toFixed(1)} ms, p90 ${quantile(cpu, 0.9).toFixed(1)}, max ${Math.max(...cpu).toFixed(0)}`,
        );
      }
    }
  }
}
const batch = runs.filter((r) => r.mode === "batch");
const live = runs.filter((r) => r.mode === "live");
if (batch.length && live.length) {
  const equal = live.every((l) => batch.every((b) => b.digest === l.digest));
  const ratio = live.reduce((s, r) => s + r.cpuSec, 0) / live.length / (batch.reduce((s, r) => s + r.cpuSec, 0) / batch.length);
  console.log(`live result ${equal ? "==" : "!="} batch result; live CPU / batch CPU = ${ratio.toFixed(2)}`);
  if (!equal) process.exitCode = 1;
}
