/**
 * Speaker count and DER on simulated conversations (bench/simulate.ts: LibriSpeech voices on a timeline, exact
 * reference) per length and per speaker count, for every pipeline of the project (and, for "vad-windows", each
 * clustering method), with sherpa-onnx on the same files. Simulated read speech is easier than a meeting:
 * these figures are reported apart from the real recordings (bench:accuracy).
 *   bun run bench:accuracy:sim [--set default|long|many] [--seeds 1] [--systems vad-windows,vad-windows:auto,...]
 *                              [--minutes 60,180] [--speakers 1,4] [--peers sherpa] [--peer-max-minutes M] [--threads N]
 * Sets: default = 1, 5 and 20 minutes x 1, 2, 4 and 8 speakers, and 10, 20 and 40 speakers speaking three times
 * each; long (bench:accuracy:long) = 60 and 180 minutes x 1, 4 and 8 speakers. A system is a pipeline name,
 * optionally ":<clustering method>[:<merge cosine>[:<windows>]]" (e.g. vad-windows:auto:0.7, vad-windows:::accurate).
 * --minutes / --speakers keep only the set's files of those lengths / speaker counts; --peer-max-minutes skips the
 * peers on longer files (sherpa-onnx runs at ~5x real time here: 180 minutes would take it ~40 min). Each system's
 * wall and process CPU seconds are printed (CPU s / wall s shows how much of the two cores it got).
 * The WAV files sherpa reads go to a temporary directory, removed at the end.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { availableParallelism, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { CLUSTER_METHODS, type ClusterMethod } from "../src/cluster/cluster.ts";
import { Diarizer } from "../src/diarizer.ts";
import { diarizationErrorRate, type DerComponents, type Turn } from "../src/eval/index.ts";
import { pipelineNames, type PipelineName } from "../src/pipeline/registry.ts";
import type { WindowsChoice } from "../src/pipeline/subsegment.ts";
import { benchArgs, toNumber, toNumbers } from "./args.ts";
import { ensureSherpa } from "./peers/install.ts";
import { DEFAULT_SHERPA_MODELS, sherpaDiarize } from "./peers/sherpa.ts";
import { runInfo } from "./run-info.ts";
import { SIMULATION_SETS, simulateConversation, writeConversation } from "./simulate.ts";

const { values } = benchArgs(import.meta.path, {
  set: { type: "string", default: "default" },
  seeds: { type: "string", default: "1" },
  systems: { type: "string" },
  peers: { type: "string", default: "sherpa" },
  "peer-max-minutes": { type: "string", default: "Infinity" },
  minutes: { type: "string" },
  speakers: { type: "string" },
  threads: { type: "string", default: "0" },
});

const keepMinutes = values.minutes === undefined ? undefined : toNumbers(values.minutes, "--minutes");
const keepSpeakers = values.speakers === undefined ? undefined : toNumbers(values.speakers, "--speakers");
const files = SIMULATION_SETS[values.set]?.filter(
  (f) => (!keepMinutes || keepMinutes.includes(f.minutes ?? NaN)) && (!keepSpeakers || keepSpeakers.includes(f.speakers)),
);
if (!files) throw new Error(`--set takes ${Object.keys(SIMULATION_SETS).join(", ")}`);
const peerMaxMinutes = toNumber(values["peer-max-minutes"], "--peer-max-minutes");
const seeds = toNumbers(values.seeds, "--seeds");
const threads = toNumber(values.threads, "--threads") || availableParallelism();

interface System {
  name: string;
  peer?: boolean;
  diarize: (samples: Float32Array, wav: () => string) => Promise<{ turns: Turn[]; seconds: number }>;
}

function senko(pipeline: PipelineName, method?: ClusterMethod, mergeCosine?: number, windows?: WindowsChoice): System {
  const diarizer = new Diarizer({ pipeline, threads, quiet: true, clusterMethod: method, mergeCosine, windows });
  const choices = [method, mergeCosine && `merge ${mergeCosine}`, windows && `${windows} windows`].filter(Boolean);
  return {
    name: choices.length > 0 ? `senko ${pipeline} (${choices.join(", ")})` : `senko ${pipeline}`,
    async diarize(samples) {
      const t0 = performance.now();
      const result = await diarizer.diarize({ samples, sampleRate: 16000 });
      return { turns: result.mergedSegments, seconds: (performance.now() - t0) / 1000 };
    },
  };
}

function sherpa(): System {
  ensureSherpa();
  return {
    name: "sherpa-onnx",
    peer: true,
    async diarize(_samples, wav) {
      const r = await sherpaDiarize(wav(), { ...DEFAULT_SHERPA_MODELS, numThreads: threads });
      return { turns: r.segments, seconds: r.seconds };
    },
  };
}

const systemNames = values.systems?.split(",") ?? [...pipelineNames(), "vad-windows:auto"];
const systems: System[] = systemNames.map((spec) => {
  const [pipeline, method, merge, windows] = spec.split(":") as [PipelineName, ClusterMethod | "", string | undefined, WindowsChoice | undefined];
  if (!pipelineNames().includes(pipeline)) throw new Error(`unknown pipeline ${pipeline} (${pipelineNames().join(", ")})`);
  if (method && !CLUSTER_METHODS.includes(method)) throw new Error(`unknown clustering method ${method}`);
  return senko(pipeline, method || undefined, merge ? Number(merge) : undefined, windows || undefined);
});
for (const peer of values.peers.split(",").filter(Boolean)) {
  if (peer !== "sherpa") throw new Error(`unknown peer ${peer} (sherpa)`);
  try {
    systems.push(sherpa());
  } catch (error) {
    console.error(`sherpa-onnx skipped: ${error instanceof Error ? error.message : error}`);
  }
}

interface Row {
  file: string;
  minutes: number;
  speakers: number;
  found: Map<string, number>;
  der: Map<string, DerComponents>;
  seconds: Map<string, number>;
  cpu: Map<string, number>;
}

console.log(`bench:accuracy:sim --set ${values.set} ${runInfo()}`);
console.log(`${threads} thread(s); DER of the merged segments against the exact reference, collar 0.25, whole file scored`);
if (Number.isFinite(peerMaxMinutes)) console.log(`peers skipped on files longer than ${peerMaxMinutes} min`);
const dir = mkdtempSync(join(tmpdir(), "senko-sim-accuracy-"));
const rows: Row[] = [];
try {
  for (const spec of files) {
    for (const seed of seeds) {
      const c = await simulateConversation({ ...spec, seed });
      let wav: string | undefined;
      const wavPath = () => (wav ??= writeConversation(c, dir).wav);
      const row: Row = { file: c.name, minutes: c.durationSec / 60, speakers: c.speakers.length, found: new Map(), der: new Map(), seconds: new Map(), cpu: new Map() };
      for (const system of systems) {
        if (system.peer && row.minutes > peerMaxMinutes + 0.5) continue;
        const cpu0 = process.cpuUsage();
        const r = await system.diarize(c.samples, wavPath);
        const cpu = process.cpuUsage(cpu0);
        row.found.set(system.name, new Set(r.turns.map((t) => t.speaker)).size);
        row.der.set(system.name, diarizationErrorRate(c.reference, r.turns, { collar: 0.25, uem: c.uem }));
        row.seconds.set(system.name, r.seconds);
        row.cpu.set(system.name, (cpu.user + cpu.system) / 1e6);
      }
      if (wav) rmSync(wav, { force: true });
      rows.push(row);
      const cells = systems
        .filter((s) => row.der.has(s.name))
        .map((s) => `${s.name}: ${row.found.get(s.name)} spk, DER ${(100 * row.der.get(s.name)!.der).toFixed(1)} %, ${row.seconds.get(s.name)!.toFixed(1)} s (${row.cpu.get(s.name)!.toFixed(1)} CPU s)`);
      console.log(
        `${c.name} (${row.minutes.toFixed(1)} min, ${row.speakers} speakers, ${c.overlapSec.toFixed(0)} s overlapped, material reused ${c.reuse.toFixed(1)}x; ` +
          `load ${loadavg()[0]!.toFixed(1)}): ${cells.join("; ")}`,
      );
    }
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}

function pooled(list: Row[], system: string): { files: number; right: number; der: number; missed: number; falseAlarm: number } {
  list = list.filter((r) => r.der.has(system));
  const parts = list.map((r) => r.der.get(system)!);
  const total = parts.reduce((s, c) => s + c.total, 0);
  const errors = parts.reduce((s, c) => s + c.missed + c.falseAlarm + c.confusion, 0);
  return {
    files: list.length,
    right: list.filter((r) => r.found.get(system) === r.speakers).length,
    der: total > 0 ? errors / total : 0,
    missed: total > 0 ? parts.reduce((s, c) => s + c.missed, 0) / total : 0,
    falseAlarm: total > 0 ? parts.reduce((s, c) => s + c.falseAlarm, 0) / total : 0,
  };
}

function table(title: string, groups: Map<string, Row[]>): void {
  console.log(`\n${title} (speaker count exact, files / DER % / missed % / false alarm %; the rest of the DER is confusion)\n`);
  console.log(`| group | files | ${systems.map((s) => s.name).join(" | ")} |`);
  console.log(`|---|---|${systems.map(() => "---").join("|")}|`);
  for (const [group, list] of groups) {
    const cells = systems.map((s) => {
      const p = pooled(list, s.name);
      return p.files === 0 ? "not run" : `${p.right}/${p.files}, ${(100 * p.der).toFixed(1)}, ${(100 * p.missed).toFixed(1)}, ${(100 * p.falseAlarm).toFixed(1)}`;
    });
    console.log(`| ${group} | ${list.length} | ${cells.join(" | ")} |`);
  }
}

const byLength = Map.groupBy(rows, (r) => (r.file.includes("turns") ? "many speakers, 3 turns each" : `${Math.round(r.minutes)} min`));
const bySpeakers = Map.groupBy(rows, (r) => `${r.speakers} speakers`);
table("Per length", byLength);
table("Per speaker count", bySpeakers);
table("All", new Map([["all", rows]]));
const sum = (system: string, of: "seconds" | "cpu") => rows.reduce((t, r) => t + (r[of].get(system) ?? 0), 0);
console.log(`\nTime over the files each system ran (wall s / process CPU s): ${systems.map((s) => `${s.name} ${sum(s.name, "seconds").toFixed(0)} / ${sum(s.name, "cpu").toFixed(0)}`).join("; ")}`);
console.log(`\nPer file: speakers found (true in brackets), DER %\n`);
console.log(`| file [speakers] | ${systems.map((s) => s.name).join(" | ")} |`);
console.log(`|---|${systems.map(() => "---").join("|")}|`);
for (const r of rows) {
  const cell = (s: System) => (r.der.has(s.name) ? `${r.found.get(s.name)}, ${(100 * r.der.get(s.name)!.der).toFixed(1)}` : "not run");
  console.log(`| ${r.file} [${r.speakers}] | ${systems.map(cell).join(" | ")} |`);
}
