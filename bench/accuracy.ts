/**
 * Accuracy on two sets, reported apart: the eleven real AMI fixtures, and eight simulated conversations
 * (bench/simulated-set.ts, 69 min of read speech placed on a timeline). Every file is diarized by senko's two
 * pipelines (vad-windows with each VAD) and by the peers, all scored by the same scorer (src/eval): DER at
 * collar 0.25 and 0 (per file and in total, with missed speech, false alarm and confusion), and the estimated
 * vs true speaker count.
 *   bun run bench:accuracy [--sets ami,simulated] [--pipelines overlap-aware,vad-windows] [--vad silero,pyannote]
 *       [--peers sherpa,senko-py] [--threads N] [--cluster <method>] [--merge-cosine <x>] [--windows default|accurate]
 *       [--window-step <s>]
 * --cluster, --merge-cosine and --windows are the vad-windows pipeline's options (README, "Clustering and speaker counts");
 * --window-step is the overlap-aware pipeline's windowStepSec (default 2.99).
 * The overlap-aware pipeline is scored twice: its turns (which may overlap) and its exclusive view.
 * --peers defaults to sherpa (installed on first use; skipped with a warning if that fails); senko-py, the Python
 * Senko (bench/peers) on the CPU, installs a ~6 GB venv and spends ~1 min in its own warm-up, so it is opt-in.
 */
import { availableParallelism, loadavg } from "node:os";
import type { ClusterMethod } from "../src/cluster/cluster.ts";
import { Diarizer } from "../src/diarizer.ts";
import type { WindowsChoice } from "../src/pipeline/subsegment.ts";
import type { DerComponents, Turn } from "../src/eval/index.ts";
import { diarizeAmi, loadAmi, scoreHypotheses, uriOf, type AmiSet } from "./ami-eval.ts";
import { benchArgs, toNumber } from "./args.ts";
import { AMI_DIR, needFixture } from "./fixtures.ts";
import { ensureSenkoPy, ensureSherpa } from "./peers/install.ts";
import { runInfo } from "./run-info.ts";
import { senkoPyRun } from "./peers/senko.ts";
import { DEFAULT_SHERPA_MODELS, sherpaDiarize } from "./peers/sherpa.ts";
import { buildSimulatedSet } from "./simulated-set.ts";

const { values } = benchArgs(import.meta.path, {
  sets: { type: "string", default: "ami,simulated" },
  pipelines: { type: "string", default: "overlap-aware,vad-windows" },
  vad: { type: "string", default: "silero,pyannote" },
  peers: { type: "string", default: "sherpa" },
  threads: { type: "string", default: "0" },
  cluster: { type: "string" },
  "merge-cosine": { type: "string" },
  windows: { type: "string" },
  "window-step": { type: "string" },
});
// vad-windows' clustering and window choices (Diarizer options); the Diarizer checks them.
const choices = {
  clusterMethod: values.cluster as ClusterMethod | undefined,
  mergeCosine: values["merge-cosine"] === undefined ? undefined : toNumber(values["merge-cosine"], "--merge-cosine"),
  windows: values.windows as WindowsChoice | undefined,
};

const threads = toNumber(values.threads, "--threads") || availableParallelism();

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

async function senko(set: AmiSet, vad: "silero" | "pyannote"): Promise<SystemRun> {
  const diarizer = new Diarizer({ pipeline: "vad-windows", vad, threads, quiet: true, ...choices });
  const t0 = performance.now();
  await diarizer.ready();
  const t1 = performance.now();
  const run = await diarizeAmi(diarizer, set);
  await diarizer.close();
  return { name: `senko ${vad}`, seconds: (performance.now() - t1) / 1000, loadSeconds: (t1 - t0) / 1000, hypotheses: run.hypotheses };
}

/** The overlap-aware pipeline; its exclusive view (one speaker at a time) is scored as a second system. */
async function overlapAware(set: AmiSet): Promise<SystemRun[]> {
  const windowStepSec = values["window-step"] === undefined ? undefined : toNumber(values["window-step"], "--window-step");
  const diarizer = new Diarizer({ pipeline: "overlap-aware", threads, quiet: true, windowStepSec });
  const t0 = performance.now();
  await diarizer.ready();
  const t1 = performance.now();
  const run = await diarizeAmi(diarizer, set);
  const seconds = (performance.now() - t1) / 1000;
  await diarizer.close();
  const exclusive = new Map([...run.results].map(([uri, r]) => [uri, r.exclusiveSegments.map((s) => ({ ...s }))]));
  const overlapSec = [...run.results.values()].reduce((sum, r) => sum + r.overlapSec, 0);
  return [
    { name: "senko overlap-aware", seconds, loadSeconds: (t1 - t0) / 1000, hypotheses: run.hypotheses, detail: `${overlapSec.toFixed(1)} s reported as overlap` },
    { name: "senko overlap-aware, exclusive view", seconds, loadSeconds: (t1 - t0) / 1000, hypotheses: exclusive },
  ];
}

async function sherpa(set: AmiSet): Promise<SystemRun> {
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

async function senkoPy(set: AmiSet): Promise<SystemRun> {
  ensureSenkoPy();
  const { load, files } = await senkoPyRun(set.files, { threads });
  const hypotheses = new Map(files.map((f) => [uriOf(f.file), f.segments]));
  const detail = `senko ${load.senko}, torch ${load.torch}, ${load.vad} VAD, ${load.threads} torch thread(s)`;
  return { name: "senko-py", seconds: files.reduce((s, f) => s + f.seconds, 0), loadSeconds: load.seconds, hypotheses, detail };
}

const peers: Record<string, (set: AmiSet) => Promise<SystemRun>> = { sherpa, "senko-py": senkoPy };
const jobs: { name: string; run: (set: AmiSet) => Promise<SystemRun | SystemRun[]>; optional: boolean }[] = [];
const pipelines = values.pipelines.split(",").filter(Boolean);
for (const p of pipelines) if (p !== "overlap-aware" && p !== "vad-windows") throw new Error(`--pipelines takes overlap-aware and/or vad-windows, got ${p}`);
if (pipelines.includes("overlap-aware")) jobs.push({ name: "senko overlap-aware", run: overlapAware, optional: false });
for (const vad of pipelines.includes("vad-windows") ? values.vad.split(",").filter(Boolean) : []) {
  if (vad !== "silero" && vad !== "pyannote") throw new Error(`--vad takes silero and/or pyannote, got ${vad}`);
  jobs.push({ name: `senko ${vad}`, run: (set) => senko(set, vad), optional: false });
}
for (const peer of values.peers.split(",").filter(Boolean)) {
  const run = peers[peer];
  if (!run) throw new Error(`unknown peer '${peer}' (sherpa, senko-py)`);
  // The default peer is skipped if it cannot be installed here; one asked for by name must run.
  jobs.push({ name: peer, run, optional: !process.argv.some((a) => a.startsWith("--peers")) });
}

const pct = (x: number) => `${(100 * x).toFixed(1)}`.padStart(6);
const row = (name: string, c: DerComponents) =>
  `${name.padEnd(26)}${pct(c.der)}${pct(c.missed / c.total)}${pct(c.falseAlarm / c.total)}${pct(c.confusion / c.total)}`;

/** Runs every job on one set and prints its tables. */
async function evaluate(title: string, set: AmiSet): Promise<void> {
  console.log(`\n# ${title}: ${set.files.length} files, ${threads} thread(s), DER within each file's UEM`);
  const runs: SystemRun[] = [];
  for (const job of jobs) {
    let produced: SystemRun[];
    try {
      produced = [await job.run(set)].flat();
    } catch (error) {
      if (!job.optional) throw error;
      console.error(`\n${job.name} skipped: ${error instanceof Error ? error.message : error}`);
      continue;
    }
    for (const run of produced) {
      runs.push(run);
      console.log(`\n## ${run.name}: ${set.files.length} files in ${run.seconds.toFixed(2)} s (load ${run.loadSeconds.toFixed(2)} s)${run.detail ? `; ${run.detail}` : ""}`);
      for (const collar of [0.25, 0]) {
        const report = scoreHypotheses(run.hypotheses, collar, set);
        console.log(`\ncollar ${collar} s${" ".repeat(24)}DER  miss    FA  conf  speakers (est/true)`);
        for (const f of report.files) {
          console.log(`${row(f.uri, f)}  ${speakersOf(run.hypotheses.get(f.uri))}/${speakersOf(set.reference.get(f.uri))}`);
        }
        console.log(row("TOTAL", report.total));
      }
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
}

console.log(`bench:accuracy ${runInfo()}; vad-windows options ${JSON.stringify(choices)}`);
for (const name of values.sets.split(",").filter(Boolean)) {
  if (name === "ami") await evaluate("AMI fixtures (real meetings, 30 s excerpts)", loadAmi(needFixture(AMI_DIR)));
  else if (name === "simulated") {
    const files = await buildSimulatedSet();
    const set: AmiSet = {
      files: files.map((f) => f.wav),
      reference: new Map(files.map((f) => [f.name, f.reference])),
      uem: new Map(files.map((f) => [f.name, f.uem])),
    };
    const minutes = files.reduce((s, f) => s + f.durationSec, 0) / 60;
    const overlap = files.reduce((s, f) => s + f.overlapSec, 0);
    await evaluate(`Simulated conversations (LibriSpeech read speech, ${minutes.toFixed(0)} min, ${overlap.toFixed(0)} s with two or more speakers; not real meetings)`, set);
  } else throw new Error(`--sets takes ami and/or simulated, got ${name}`);
}
