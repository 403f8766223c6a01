/**
 * End-to-end speed: long meeting audio (the AMI fixtures repeated, see long-audio.ts) written to a float32 WAV,
 * diarized from the file by senko with 1 and 2 threads, and by the peers on the same file in the same run.
 * Each configuration runs in its own process so peak resident memory is its own.
 *   bun run bench:speed [--minutes 10,60,180] [--threads 1,2] [--peers sherpa,senko-py] [--vad silero]
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { buildMeetingSignal, float32Wav } from "./long-audio.ts";

interface Run {
  tool: string;
  minutes: number;
  threads: number;
  wallSec: number;
  rtf: number;
  stages: Record<string, number>;
  peakRssMiB: number;
  speakers: number;
}

const { values } = parseArgs({
  args: process.argv.slice(2),
  options: {
    minutes: { type: "string", default: "10,60" },
    threads: { type: "string", default: "1,2" },
    peers: { type: "string", default: "sherpa" },
    vad: { type: "string", default: "silero" },
    child: { type: "string" },
  },
});

const numbers = (s: string) => s.split(",").filter(Boolean).map(Number);

async function childRun(spec: { tool: string; file: string; minutes: number; threads: number; vad: string }): Promise<Run> {
  let stages: Record<string, number> = {};
  let speakers = 0;
  if (spec.tool === "senko") {
    const { Diarizer } = await import("../src/diarizer.ts");
    const diarizer = new Diarizer({ threads: spec.threads, vad: spec.vad as "silero", quiet: true });
    await diarizer.ready();
    const start = performance.now();
    const result = await diarizer.diarize(spec.file);
    stages = { ...result.timingStats };
    speakers = result.mergedSpeakersDetected;
    return finish(spec, (performance.now() - start) / 1000, stages, speakers);
  }
  if (spec.tool === "sherpa-onnx-node") {
    const { sherpaDiarize, DEFAULT_SHERPA_MODELS } = await import("./peers/sherpa.ts");
    const r = await sherpaDiarize(spec.file, { ...DEFAULT_SHERPA_MODELS, numThreads: spec.threads });
    return finish(spec, r.seconds, { total: r.seconds }, new Set(r.segments.map((s) => s.speaker)).size);
  }
  if (spec.tool === "senko-py") {
    const { senkoPyRun } = await import("./peers/senko.ts");
    const { files } = await senkoPyRun([spec.file], { threads: spec.threads, vad: spec.vad as "silero" });
    const r = files[0]!;
    return finish(spec, r.seconds, r.timing ?? {}, new Set(r.segments.map((s) => s.speaker)).size);
  }
  throw new Error(`unknown tool ${spec.tool}`);
  function finish(s: typeof spec, wallSec: number, st: Record<string, number>, spk: number): Run {
    return {
      tool: s.tool,
      minutes: s.minutes,
      threads: s.threads,
      wallSec,
      rtf: wallSec / (s.minutes * 60),
      stages: st,
      peakRssMiB: process.resourceUsage().maxRSS / 1024,
      speakers: spk,
    };
  }
}

if (values.child) {
  const run = await childRun(JSON.parse(values.child));
  console.log(`RESULT ${JSON.stringify(run)}`);
  process.exit(0);
}

const dir = join(tmpdir(), "senko-bench");
mkdirSync(dir, { recursive: true });
const tools = ["senko", ...values.peers!.split(",").filter(Boolean).map((p) => (p === "sherpa" ? "sherpa-onnx-node" : p))];
const runs: Run[] = [];
for (const minutes of numbers(values.minutes!)) {
  const file = join(dir, `ami-repeated-${minutes}min.wav`);
  if (!existsSync(file)) writeFileSync(file, float32Wav(await buildMeetingSignal(minutes * 60)));
  for (const threads of numbers(values.threads!)) {
    for (const tool of tools) {
      const spec = { tool, file, minutes, threads, vad: values.vad! };
      const child = spawnSync(process.execPath, [import.meta.path, "--child", JSON.stringify(spec)], {
        encoding: "utf8",
        maxBuffer: 1 << 26,
        env: { ...process.env, OMP_NUM_THREADS: String(threads) },
      });
      const line = child.stdout.split("\n").find((l) => l.startsWith("RESULT "));
      if (!line) {
        console.error(`${tool} ${minutes} min ${threads} thr failed:\n${child.stderr.slice(-2000)}`);
        continue;
      }
      const run = JSON.parse(line.slice(7)) as Run;
      runs.push(run);
      const st = Object.entries(run.stages)
        .filter(([k]) => k !== "total")
        .map(([k, v]) => `${k} ${v.toFixed(2)}`)
        .join(", ");
      console.log(
        `${tool.padEnd(17)} ${String(minutes).padStart(4)} min  ${threads} thr  wall ${run.wallSec.toFixed(2).padStart(7)} s  ` +
          `RTF ${run.rtf.toFixed(4)}  peak RSS ${run.peakRssMiB.toFixed(0)} MiB  speakers ${run.speakers}${st ? `  [${st}]` : ""}`,
      );
    }
  }
}

console.log("\nratios (peer wall / senko wall, same file, same threads):");
for (const r of runs.filter((r) => r.tool !== "senko")) {
  const ours = runs.find((s) => s.tool === "senko" && s.minutes === r.minutes && s.threads === r.threads);
  if (ours) console.log(`  ${r.tool} ${r.minutes} min ${r.threads} thr: ${(r.wallSec / ours.wallSec).toFixed(2)}x`);
}
