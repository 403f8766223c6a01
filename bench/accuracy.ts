/**
 * Accuracy on the AMI fixtures: every file diarized by senko with each VAD and by the peers, all scored by the
 * same scorer (src/eval): DER at collar 0.25 and 0 (per file and in total, with missed speech, false alarm and
 * confusion), and the estimated vs true speaker count.
 *   bun run bench:accuracy [--vad silero,pyannote] [--peers sherpa,senko-py] [--threads N]
 *                          [--cluster <method>] [--merge-cosine <x>] [--windows default|accurate]
 * --peers defaults to sherpa (installed on first use; skipped with a warning if that fails); senko-py, the Python
 * Senko 0.2.2 on the CPU, installs a ~6 GB venv and spends ~1 min in its own warm-up, so it is opt-in.
 */
import { availableParallelism, loadavg } from "node:os";
import { parseArgs } from "node:util";
import type { ClusterMethod } from "../src/cluster/cluster.ts";
import { Diarizer } from "../src/diarizer.ts";
import type { WindowsChoice } from "../src/pipeline/subsegment.ts";
import type { DerComponents, Turn } from "../src/eval/index.ts";
import { diarizeAmi, loadAmi, scoreHypotheses, uriOf } from "./ami-eval.ts";
import { ensureSenkoPy, ensureSherpa } from "./peers/install.ts";
import { runInfo } from "./run-info.ts";
import { senkoPyRun } from "./peers/senko.ts";
import { DEFAULT_SHERPA_MODELS, sherpaDiarize } from "./peers/sherpa.ts";

const { values } = parseArgs({
  args: process.argv.slice(2),
  options: {
    vad: { type: "string", default: "silero,pyannote" },
    peers: { type: "string", default: "sherpa" },
    threads: { type: "string", default: "0" },
    cluster: { type: "string" },
    "merge-cosine": { type: "string" },
    windows: { type: "string" },
  },
});
// senko's clustering and window choices (Diarizer options); the Diarizer checks them.
const choices = {
  clusterMethod: values.cluster as ClusterMethod | undefined,
  mergeCosine: values["merge-cosine"] === undefined ? undefined : Number(values["merge-cosine"]),
  windows: values.windows as WindowsChoice | undefined,
};

const set = loadAmi();
const threads = Number(values.threads) || availableParallelism();

interface SystemRun {
  name: string;
  /** seconds spent diarizing the files, models loaded */
  seconds: number;
  /** seconds to load the models (and warm up, as each tool does by default) */
  loadSeconds: number;
  hypotheses: Map<string, Turn[]>;
  detail?: string;
}

const speakersOf = (turns: Turn[] | undefined) => new Set(turns?.map((t) => t.speaker)).size;

async function senko(vad: "silero" | "pyannote"): Promise<SystemRun> {
  const diarizer = new Diarizer({ vad, threads, quiet: true, ...choices });
  const t0 = performance.now();
  await diarizer.ready();
  const t1 = performance.now();
  const run = await diarizeAmi(diarizer, set);
  return { name: `senko ${vad}`, seconds: (performance.now() - t1) / 1000, loadSeconds: (t1 - t0) / 1000, hypotheses: run.hypotheses };
}

async function sherpa(): Promise<SystemRun> {
  ensureSherpa();
  const hypotheses = new Map<string, Turn[]>();
  let seconds = 0;
  let loadSeconds = 0;
  for (const file of set.files) {
    const r = await sherpaDiarize(file, { ...DEFAULT_SHERPA_MODELS, numThreads: threads });
    seconds += r.seconds;
    loadSeconds += r.loadSeconds;
    hypotheses.set(uriOf(file), r.segments);
  }
  return { name: "sherpa-onnx", seconds, loadSeconds, hypotheses };
}

async function senkoPy(): Promise<SystemRun> {
  ensureSenkoPy();
  const { load, files } = await senkoPyRun(set.files, { threads });
  const hypotheses = new Map(files.map((f) => [uriOf(f.file), f.segments]));
  const detail = `senko ${load.senko}, torch ${load.torch}, ${load.vad} VAD, ${load.threads} torch thread(s)`;
  return { name: "senko-py", seconds: files.reduce((s, f) => s + f.seconds, 0), loadSeconds: load.seconds, hypotheses, detail };
}

const peers: Record<string, () => Promise<SystemRun>> = { sherpa, "senko-py": senkoPy };
const jobs: { name: string; run: () => Promise<SystemRun>; optional: boolean }[] = [];
for (const vad of values.vad!.split(",").filter(Boolean)) {
  if (vad !== "silero" && vad !== "pyannote") throw new Error(`--vad takes silero and/or pyannote, got ${vad}`);
  jobs.push({ name: `senko ${vad}`, run: () => senko(vad), optional: false });
}
for (const peer of values.peers!.split(",").filter(Boolean)) {
  const run = peers[peer];
  if (!run) throw new Error(`unknown peer '${peer}' (sherpa, senko-py)`);
  // The default peer is skipped if it cannot be installed here; one asked for by name must run.
  jobs.push({ name: peer, run, optional: !process.argv.some((a) => a.startsWith("--peers")) });
}

const pct = (x: number) => `${(100 * x).toFixed(1)}`.padStart(6);
const row = (name: string, c: DerComponents) =>
  `${name.padEnd(8)}${pct(c.der)}${pct(c.missed / c.total)}${pct(c.falseAlarm / c.total)}${pct(c.confusion / c.total)}`;

console.log(`bench:accuracy ${runInfo()}`);
console.log(`${set.files.length} AMI fixtures (30 s each), ${threads} thread(s), DER within the fixture UEMs; senko options ${JSON.stringify(choices)}`);
const runs: SystemRun[] = [];
for (const job of jobs) {
  let run: SystemRun;
  try {
    run = await job.run();
  } catch (error) {
    if (!job.optional) throw error;
    console.error(`\n${job.name} skipped: ${error instanceof Error ? error.message : error}`);
    continue;
  }
  runs.push(run);
  console.log(`\n## ${run.name}: ${set.files.length} files in ${run.seconds.toFixed(2)} s (load ${run.loadSeconds.toFixed(2)} s)${run.detail ? `; ${run.detail}` : ""}`);
  for (const collar of [0.25, 0]) {
    const report = scoreHypotheses(run.hypotheses, collar, set);
    console.log(`\ncollar ${collar} s          DER  miss    FA  conf  speakers (est/true)`);
    for (const f of report.files) {
      console.log(`${row(f.uri, f)}  ${speakersOf(run.hypotheses.get(f.uri))}/${speakersOf(set.reference.get(f.uri))}`);
    }
    console.log(row("TOTAL", report.total));
  }
}

// Side by side, as published in BENCHMARKS.md.
const uris = [...set.reference.keys()].sort();
const f1 = (x: number) => (100 * x).toFixed(1);
console.log(`\n## Summary (DER %, missed / false alarm / confusion as % of reference speech; load average now ${loadavg()[0]!.toFixed(2)})\n`);
console.log("| system | DER c0.25 | miss | FA | conf | DER c0 | miss | FA | conf | speaker count right | diarize s (load s) |");
console.log("|---|---|---|---|---|---|---|---|---|---|---|");
for (const run of runs) {
  const [a, b] = [0.25, 0].map((collar) => scoreHypotheses(run.hypotheses, collar, set).total);
  const right = uris.filter((u) => speakersOf(run.hypotheses.get(u)) === speakersOf(set.reference.get(u))).length;
  const parts = (c: DerComponents) => [f1(c.der), f1(c.missed / c.total), f1(c.falseAlarm / c.total), f1(c.confusion / c.total)];
  console.log(
    `| ${run.name} | ${[...parts(a!), ...parts(b!)].join(" | ")} | ${right}/${uris.length} | ${run.seconds.toFixed(2)} (${run.loadSeconds.toFixed(2)}) |`,
  );
}
console.log(`\nPer file, DER % at collar 0.25 (speakers found):\n`);
console.log(`| system | ${uris.map((u) => `${u} [${speakersOf(set.reference.get(u))}]`).join(" | ")} |`);
console.log(`|---|${uris.map(() => "---").join("|")}|`);
for (const run of runs) {
  const der = new Map(scoreHypotheses(run.hypotheses, 0.25, set).files.map((f) => [f.uri, f.der]));
  console.log(`| ${run.name} | ${uris.map((u) => `${f1(der.get(u)!)} (${speakersOf(run.hypotheses.get(u))})`).join(" | ")} |`);
}
