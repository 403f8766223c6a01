/**
 * Memory of a long-running process that diarizes many files, one after another:
 *   bun run bench:many-files [--iterations 40] [--modes reuse-overlap,new-overlap,...] [--file dev00.wav] [--threads 2]
 * Modes (each in a process of its own, so none inherits another's memory):
 *   reuse-<pipeline>  one Diarizer diarizes the file `iterations` times
 *   new-<pipeline>    a new Diarizer per file, closed after it
 *   live-<pipeline>   one Diarizer, a live session per file (pushed in 1 s pieces, closed for the result)
 * <pipeline> is "overlap" (overlap-aware, the default) or "vad" (vad-windows). Input: one 30 s AMI
 * fixture, read from its file every time (live: read once, pushed from memory). After each file: Bun.gc(true), then RSS, glibc's bytes in use
 * (test/helpers/process-memory.ts), JS heap, threads and open descriptors; after the last, RSS again once
 * malloc_trim has returned glibc's free memory. Printed per mode: the figures at the end of the warm-up
 * (a quarter of the files), their growth over the other files, and each file's RSS and malloc.
 */
import { join } from "node:path";
import { readAudio } from "../src/audio/index.ts";
import { Diarizer, type DiarizerOptions } from "../src/diarizer.ts";
import { processMemory, type ProcessMemory } from "../test/helpers/process-memory.ts";
import { runInfo } from "./run-info.ts";
import { benchArgs, toNumber } from "./args.ts";
import { AMI_DIR, needFixture } from "./fixtures.ts";

const MODES = ["reuse-overlap", "new-overlap", "reuse-vad", "new-vad", "live-overlap", "live-vad"] as const;
type Mode = (typeof MODES)[number];

const { values } = benchArgs(import.meta.path, {
  iterations: { type: "string", default: "40" },
  modes: { type: "string", default: MODES.join(",") },
  file: { type: "string", default: "dev00.wav" },
  threads: { type: "string", default: "2" },
  child: { type: "string" },
});
const iterations = toNumber(values.iterations, "--iterations");
const file = needFixture(join(AMI_DIR, values.file));
const threads = toNumber(values.threads, "--threads");

type Sample = ProcessMemory;

async function runMode(mode: Mode): Promise<Sample[]> {
  const [kind, name] = mode.split("-") as ["reuse" | "new" | "live", "overlap" | "vad"];
  const options: DiarizerOptions = { pipeline: name === "overlap" ? "overlap-aware" : "vad-windows", threads };
  const audio = await readAudio(file);
  const samples: Sample[] = [];
  let shared = kind === "new" ? undefined : new Diarizer(options);
  for (let i = 0; i < iterations; i++) {
    const diarizer = shared ?? new Diarizer(options);
    if (kind === "live") {
      const session = diarizer.live({ sampleRate: audio.sampleRate });
      for (let at = 0; at < audio.samples.length; at += audio.sampleRate) await session.push(audio.samples.subarray(at, at + audio.sampleRate));
      await session.close();
    } else {
      await diarizer.diarize(file);
    }
    if (!shared) await diarizer.close();
    // RSS as a user sees it: glibc keeps its free memory; trimmed once, after the last file.
    samples.push(processMemory(i === iterations - 1));
  }
  await shared?.close();
  shared = undefined;
  return samples;
}

if (values.child) {
  const samples = await runMode(values.child as Mode);
  console.log(JSON.stringify(samples));
  process.exit(0);
}

console.log(runInfo());
console.log(`file ${values.file} (30 s), ${iterations} files per mode, threads ${threads}; figures after Bun.gc(true)`);
const warmup = Math.max(1, Math.floor(iterations / 4));
console.log(`growth: from file ${warmup} (the end of the warm-up) to file ${iterations}; malloc = glibc's bytes in use (onnxruntime + libsenko)\n`);
console.log("mode            RSS at warm-up  RSS growth  malloc at warm-up  malloc growth  RSS at end, trimmed  JS heap growth  threads  fds   wall    CPU");
for (const mode of values.modes.split(",") as Mode[]) {
  if (!MODES.includes(mode)) throw new Error(`unknown mode ${mode}: use ${MODES.join(", ")}`);
  const started = performance.now();
  const child = Bun.spawn([process.execPath, import.meta.path, "--child", mode, "--iterations", String(iterations), "--file", values.file, "--threads", String(threads)], {
    stdout: "pipe",
    stderr: "inherit",
  });
  const out = await new Response(child.stdout).text();
  if ((await child.exited) !== 0) throw new Error(`${mode} failed`);
  const wallSec = (performance.now() - started) / 1000;
  const usage = child.resourceUsage();
  const cpuSec = usage ? (Number(usage.cpuTime.user) + Number(usage.cpuTime.system)) / 1e6 : NaN;
  const s = JSON.parse(out.trim().split("\n").at(-1)!) as Sample[];
  const base = s[warmup - 1]!;
  const last = s.at(-1)!;
  const mib = (x: number, digits = 1) => `${x.toFixed(digits)} MiB`;
  console.log(
    [
      mode.padEnd(14),
      mib(base.rssMiB, 0).padStart(14),
      mib(last.rssMiB - base.rssMiB).padStart(10),
      mib(base.mallocMiB).padStart(17),
      mib(last.mallocMiB - base.mallocMiB, 2).padStart(13),
      mib(last.trimmedRssMiB, 0).padStart(19),
      mib(last.heapMiB - base.heapMiB, 2).padStart(14),
      `${s[0]!.threads}->${last.threads}`.padStart(7),
      `${s[0]!.fds}->${last.fds}`.padStart(6),
      `${wallSec.toFixed(0)} s`.padStart(5),
      `${cpuSec.toFixed(0)} s`.padStart(6),
    ].join("  "),
  );
  console.log(`  RSS per file (MiB): ${s.map((x) => x.rssMiB.toFixed(0)).join(" ")}`);
  console.log(`  malloc per file (MiB): ${s.map((x) => x.mallocMiB.toFixed(1)).join(" ")}`);
}
