/**
 * The job queue's throughput and its cost in Redis:
 *   bun run bench:queue [--repeats 2] [--configs cli,1x2,2x1] [--files 66]
 *   bun run bench:queue --configs 1x2,s3 --files 25    S3 inputs against local ones
 *   bun run bench:queue --lag-minutes 10,60    only: the longest event-loop pause while diarizing
 * Input: short real recordings, the eleven 30 s AMI fixtures and their halves and thirds (66 different
 * files, 16.5 min of audio), written as 16 kHz mono WAV, diarized by the vad-windows pipeline with Silero
 * VAD (the default when the figures in BENCHMARKS.md were first taken). A redis-server is started here on a free
 * loopback port. Configurations, interleaved and repeated:
 *   cli  one `senko <files> --out-dir` process, 2 threads: the same work without a queue
 *   1x2  one `senko worker`, 2 threads (the default on 2 cores)
 *   2x1  two `senko worker` processes, 1 thread each
 *   s3   as 1x2, the files read from an S3 server as s3:// URLs: s3rver (npm) on a loopback port, uploaded
 *        before; so the figure is what S3 costs a worker's process (HEAD, GET, temp file), not a network's
 * For the workers, "wall" runs from starting the worker processes (model loading included) until the
 * last job is done; the files were submitted before, so submission (hashing every file) is timed apart.
 * CPU seconds are the children's (rusage), Redis's from INFO. Redis commands per job come from INFO
 * commandstats (commands inside BullMQ's Lua scripts count there too), and client round trips per job
 * from MONITOR in one extra 1x2 run (commands sent by clients; a pipeline's commands count one each).
 * --lag-minutes: a worker renews its job's lock from its event loop, so the longest pause of that loop
 * while diarizing one long file (bench/long-audio.ts: the AMI fixtures end to end, simulated) must stay
 * well under --lock-timeout; measured with a 50 ms timer, 2 threads, diarizing in the timer's thread and
 * in a job slot's thread (second runs of each, models loaded).
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { readAudio } from "../src/audio/index.ts";
import { Diarizer } from "../src/diarizer.ts";
import { toJson } from "../src/output/writers.ts";
import { Logged } from "../test/helpers/logged-process.ts";
import { startRedis, type RedisServer } from "../test/helpers/redis.ts";
import { startS3, type S3Server } from "../test/helpers/s3.ts";
import { wav16, wavFloat } from "../test/helpers/wav.ts";
import { DiarizeSlot } from "../src/queue/diarize-slot.ts";
import { buildMeetingSignal } from "./long-audio.ts";
import { runInfo } from "./run-info.ts";
import { benchArgs, toNumber, toNumbers } from "./args.ts";
import { AMI_DIR, needFixture } from "./fixtures.ts";

const root = join(import.meta.dir, "..");
const bun = join(root, "node_modules", ".bin", "bun");
const senko = (args: string[]) => [bun, "run", join(root, "diarize.ts"), ...args];

const { values } = benchArgs(import.meta.path, {
  repeats: { type: "string", default: "2" },
  configs: { type: "string", default: "cli,1x2,2x1" },
  files: { type: "string", default: "66" },
  "lag-minutes": { type: "string" },
});
const repeats = toNumber(values.repeats, "--repeats");
const configs = values.configs.split(",");
needFixture(join(AMI_DIR, "dev00.wav"));

interface Run {
  config: string;
  files: number;
  audioSec: number;
  wallSec: number;
  cpuSec: number;
  redisCpuSec: number;
  redisCommands: number;
  submitSec: number;
  /** mean of the workers' "done ... in x s" (a job from start to finish, download included) */
  jobSec: number;
  /** CPU seconds of the S3 server meanwhile */
  s3CpuSec?: number;
}

/** Full recordings, halves and thirds: different bytes each, so no two are the same job. */
async function makeInputs(dir: string, limit: number): Promise<{ files: string[]; audioSec: number }> {
  const files: string[] = [];
  let audioSec = 0;
  const names = [...new Bun.Glob("*.wav").scanSync(AMI_DIR)].sort();
  for (const parts of [1, 2, 3]) {
    for (const name of names) {
      const { samples } = await readAudio(join(AMI_DIR, name));
      const size = Math.floor(samples.length / parts);
      for (let p = 0; p < parts; p++) {
        if (files.length >= limit) return { files, audioSec };
        const path = join(dir, `${basename(name, ".wav")}-${parts}-${p}.wav`);
        writeFileSync(path, wav16(samples.subarray(p * size, (p + 1) * size)));
        files.push(path);
        audioSec += size / 16000;
      }
    }
  }
  return { files, audioSec };
}

function info(redis: RedisServer): { cpu: number; commands: number; perCommand: Map<string, number> } {
  const text = redis.cli("info", "all");
  const field = (name: string) => Number(new RegExp(`^${name}:([\\d.]+)`, "m").exec(text)?.[1] ?? 0);
  const perCommand = new Map<string, number>();
  for (const [, cmd, calls] of text.matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm)) perCommand.set(cmd!, Number(calls));
  return { cpu: field("used_cpu_user") + field("used_cpu_sys"), commands: [...perCommand.values()].reduce((a, b) => a + b, 0), perCommand };
}

const cpuOf = (proc: { resourceUsage(): { cpuTime: { user: bigint | number; system: bigint | number } } | undefined }) => {
  const usage = proc.resourceUsage();
  return usage ? (Number(usage.cpuTime.user) + Number(usage.cpuTime.system)) / 1e6 : NaN;
};

async function runCli(files: string[], out: string): Promise<{ wallSec: number; cpuSec: number }> {
  const t0 = performance.now();
  const child = Bun.spawn(senko([...files, "--out-dir", out, "--format", "json,rttm", "--pipeline", "vad-windows", "--vad", "silero", "--threads", "2", "-q"]), { stdout: "ignore", stderr: "inherit" });
  if ((await child.exited) !== 0) throw new Error("senko cli failed");
  return { wallSec: (performance.now() - t0) / 1000, cpuSec: cpuOf(child) };
}

async function runWorkers(redis: RedisServer, queue: string, files: string[], out: string, workers: number, threads: number, monitor?: string, env?: Record<string, string>) {
  const watcher = monitor ? Bun.spawn(["redis-cli", "-p", String(redis.port), "monitor"], { stdout: Bun.file(monitor), stderr: "ignore" }) : undefined;
  await Bun.sleep(monitor ? 300 : 0);
  const submitStart = performance.now();
  const submit = Bun.spawnSync(senko(["submit", "--redis", redis.url, "--queue", queue, ...files, "--out-dir", out, "--format", "json,rttm", "--pipeline", "vad-windows", "--vad", "silero", "-q"]), {
    env: { ...process.env, ...env },
    stdout: "ignore",
    stderr: "inherit",
  });
  if (submit.exitCode !== 0) throw new Error("senko submit failed");
  const submitSec = (performance.now() - submitStart) / 1000;
  await Bun.sleep(monitor ? 300 : 0);
  const submitLogBytes = monitor ? statSync(monitor).size : 0;
  const before = info(redis);
  const t0 = performance.now();
  const procs = Array.from({ length: workers }, (_, i) => new Logged(senko(["worker", "--redis", redis.url, "--queue", queue, "--threads", String(threads), "--name", `bench${i}`]), undefined, env));
  const doneCount = () => procs.reduce((n, p) => n + p.lines.filter((l) => l.includes(": done ")).length, 0);
  while (doneCount() < files.length) {
    if (procs.some((p) => p.process.exitCode !== null)) throw new Error(`a worker exited:\n${procs.map((p) => p.lines.join("\n")).join("\n")}`);
    await Bun.sleep(50);
  }
  const wallSec = (performance.now() - t0) / 1000;
  const after = info(redis);
  for (const p of procs) p.process.kill("SIGTERM");
  await Promise.all(procs.map((p) => p.process.exited));
  watcher?.kill("SIGTERM");
  await watcher?.exited;
  const perCommand = new Map([...after.perCommand].map(([k, v]) => [k, v - (before.perCommand.get(k) ?? 0)]));
  const jobTimes = procs.flatMap((p) => p.lines.flatMap((l) => Number(/: done .* in ([\d.]+) s$/.exec(l)?.[1] ?? []) || []));
  return {
    wallSec,
    jobSec: jobTimes.reduce((a, b) => a + b, 0) / jobTimes.length,
    submitSec,
    cpuSec: procs.reduce((s, p) => s + cpuOf(p.process), 0),
    redisCpuSec: after.cpu - before.cpu,
    redisCommands: after.commands - before.commands - 1, // the INFO call itself
    perCommand,
    submitLogBytes,
  };
}

/** Client commands by name in a MONITOR log (commands run inside Lua scripts are marked "lua" and left out). */
function monitorCounts(text: string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const line of text.split("\n")) {
    const m = /^\d+\.\d+ \[\d+ ([^\]]+)\] "([^"]+)"/.exec(line);
    if (!m || m[1] === "lua") continue;
    const cmd = m[2]!.toLowerCase();
    counts.set(cmd, (counts.get(cmd) ?? 0) + 1);
  }
  return counts;
}

/** The longest time the event loop went without running a 50 ms timer while `run` ran. */
async function longestPause<T>(run: () => Promise<T>): Promise<number> {
  let last = performance.now();
  let longest = 0;
  const timer = setInterval(() => {
    const now = performance.now();
    longest = Math.max(longest, now - last - 50);
    last = now;
  }, 50);
  try {
    await run();
  } finally {
    clearInterval(timer);
  }
  return longest / 1000;
}

if (values["lag-minutes"]) {
  console.log(runInfo());
  const dir = mkdtempSync(join(tmpdir(), "senko-bench-lag-"));
  const options = { pipeline: "vad-windows", vad: "silero", threads: 2 } as const;
  const diarizer = new Diarizer({ ...options, quiet: true });
  const slot = new DiarizeSlot();
  try {
    for (const minutes of toNumbers(values["lag-minutes"], "--lag-minutes")) {
      const file = join(dir, `meeting-${minutes}.wav`);
      writeFileSync(file, wavFloat(await buildMeetingSignal(minutes * 60)));
      const result = await diarizer.diarize(file);
      console.log(`${minutes} min: the job's return value (JSON result) is ${(JSON.stringify(JSON.parse(toJson(result, file))).length / 1024).toFixed(0)} KiB`);
      for (const [where, run] of [
        ["in the worker's thread (as before slots)", () => diarizer.diarize(file)],
        ["in a DiarizeSlot thread (what workers do)", () => slot.diarize(file, options, () => {})],
      ] as const) {
        await run(); // models loaded, caches warm
        const t0 = performance.now();
        const pause = await longestPause(run);
        console.log(`${minutes} min (simulated meeting), diarized ${where}: ${((performance.now() - t0) / 1000).toFixed(1)} s, longest event-loop pause ${pause.toFixed(2)} s`);
      }
    }
  } finally {
    await slot.close();
    await diarizer.close();
    rmSync(dir, { recursive: true, force: true });
  }
  process.exit(0);
}

const work = mkdtempSync(join(tmpdir(), "senko-bench-queue-"));
const redis = await startRedis();
let s3: S3Server | undefined;
try {
  mkdirSync(join(work, "in"));
  const { files, audioSec } = await makeInputs(join(work, "in"), toNumber(values.files, "--files"));
  const urls = files.map((f) => `s3://bench/in/${basename(f)}`);
  if (configs.includes("s3")) {
    s3 = await startS3(["bench"]);
    for (const file of files) await s3.client.write(`in/${basename(file)}`, Bun.file(file), { bucket: "bench" });
    console.log(`s3rver ${s3.version} at ${s3.endpoint} (${files.length} objects uploaded before the runs)`);
  }
  console.log(runInfo());
  console.log(`${files.length} files, ${(audioSec / 60).toFixed(1)} min of audio (AMI fixtures, halves, thirds); redis ${redis.cli("info", "server").match(/redis_version:(\S+)/)?.[1]}`);
  const runs: Run[] = [];
  for (let rep = 0; rep < repeats; rep++) {
    for (const config of configs) {
      const out = join(work, `out-${config}-${rep}`);
      if (config === "cli") {
        const r = await runCli(files, out);
        runs.push({ config, files: files.length, audioSec, ...r, redisCpuSec: 0, redisCommands: 0, submitSec: 0, jobSec: NaN });
      } else if (config === "s3") {
        const s3Cpu = s3!.cpuSeconds();
        const r = await runWorkers(redis, `bench-${config}-${rep}`, urls, out, 1, 2, undefined, s3!.env);
        runs.push({ config, files: files.length, audioSec, ...r, s3CpuSec: s3!.cpuSeconds() - s3Cpu });
      } else {
        const [workers, threads] = config.split("x").map(Number) as [number, number];
        const r = await runWorkers(redis, `bench-${config}-${rep}`, files, out, workers, threads);
        runs.push({ config, files: files.length, audioSec, ...r });
      }
      const r = runs.at(-1)!;
      console.log(
        `${config.padEnd(4)} rep ${rep}: wall ${r.wallSec.toFixed(1)} s, ${((3600 * r.files) / r.wallSec).toFixed(0)} files/h, ` +
          `audio x${(r.audioSec / r.wallSec).toFixed(1)} real time, cpu ${r.cpuSec.toFixed(1)} s` +
          (config === "cli"
            ? ""
            : `; ${r.jobSec.toFixed(2)} s per job; submit ${r.submitSec.toFixed(2)} s; redis cpu ${(1000 * r.redisCpuSec / r.files).toFixed(2)} ms/job, ${(r.redisCommands / r.files).toFixed(1)} commands/job`) +
          (r.s3CpuSec === undefined ? "" : `; s3rver cpu ${r.s3CpuSec.toFixed(2)} s (submit and work)`),
      );
      rmSync(out, { recursive: true, force: true });
    }
  }
  // Round trips and memory: one more 1-worker run with MONITOR on (with the 1x2 configuration only).
  if (configs.includes("1x2")) {
    const monitorLog = join(work, "monitor.log");
    const { submitLogBytes } = await runWorkers(redis, "bench-monitor", files, join(work, "out-monitor"), 1, 2, monitorLog);
    const log = readFileSync(monitorLog);
    for (const [phase, text] of [["submit", log.subarray(0, submitLogBytes)], ["worker", log.subarray(submitLogBytes)]] as const) {
      const counts = monitorCounts(text.toString());
      const total = [...counts.values()].reduce((a, b) => a + b, 0);
      const top = [...counts].sort((a, b) => b[1] - a[1]).map(([c, n]) => `${c} ${(n / files.length).toFixed(2)}`);
      console.log(`${phase}: ${(total / files.length).toFixed(1)} client commands per job (MONITOR): ${top.join(", ")}`);
    }
    const jobKeys = redis.cli("--scan", "--pattern", "bull:bench-monitor:j*").split("\n").filter((k) => /:j[0-9a-f]{32}$/.test(k));
    const bytes = jobKeys.map((k) => Number(redis.cli("memory", "usage", k, "samples", "0").trim()));
    console.log(`Redis memory per finished job (hash with data and JSON result of ${((audioSec / files.length)).toFixed(0)} s files, mean of ${bytes.length}): ${(bytes.reduce((a, b) => a + b, 0) / bytes.length / 1024).toFixed(1)} KiB`);
  }
} finally {
  await s3?.stop();
  await redis.stop();
  rmSync(work, { recursive: true, force: true });
}
