/**
 * The single-file executables (`npm run build:exe`, tools/build-exe.ts), one per platform: each is the
 * right format for its CPU and carries its own libsenko and onnxruntime libraries; the one for this
 * machine, run from an unrelated directory, reports its version and diarizes a real fixture exactly as the
 * library does; the linux-arm64 one runs under qemu-user.
 * The default suite builds and checks this machine's executable only; `npm run test:platforms`
 * (SENKO_TEST_PLATFORMS=all) builds and checks all five and runs the linux-arm64 one under qemu-user
 * (minutes of cross-compiling and emulation that the default suite's time budget does not hold).
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { availableParallelism, tmpdir } from "node:os";
import { basename, join } from "node:path";
import { readAudio } from "../src/audio/index.ts";
import { WORKER_LANES_FROM_SEC } from "../src/compute-context.ts";
import { Diarizer, toRttm, VERSION, type DiarizationResult } from "../src/index.ts";
import { findPlatform, PLATFORMS } from "../src/native/platforms.ts";
import { binaryInfo } from "../tools/binary-info.ts";
import { contentHash } from "../tools/build-cache.ts";
import { buildExecutables, type BuiltExecutable } from "../tools/build-exe.ts";
import { buildLibrary } from "../tools/cross-build.ts";
import { redisServerPath, startRedis } from "./helpers/redis.ts";
import { s3rverPath, startS3 } from "./helpers/s3.ts";
import { wav16, wavFloat } from "./helpers/wav.ts";
import { skipWithout } from "./helpers/skip.ts";
import { AMI_DIR, withoutAmi } from "./helpers/fixtures.ts";

const FIXTURE = join(AMI_DIR, "dev00.wav");
const ARCH = { x64: "x86-64", arm64: "aarch64" } as const;
const FORMAT = { linux: "elf", darwin: "mach-o", win32: "pe" } as const;
const elsewhere = mkdtempSync(join(tmpdir(), "senko-exe-"));
const built = new Map<string, BuiltExecutable>();
const ALL_PLATFORMS = process.env.SENKO_TEST_PLATFORMS === "all";
const TESTED = ALL_PLATFORMS ? PLATFORMS : PLATFORMS.filter((p) => p === findPlatform());

beforeAll(async () => {
  for (const exe of await buildExecutables(TESTED)) built.set(exe.platform.id, exe);
}, 900_000);

/** The library's result on a file, which the executable's runs must equal (computed once per file). */
const libraryResults = new Map<string, Promise<DiarizationResult>>();
function libraryDiarization(path: string): Promise<DiarizationResult> {
  let result = libraryResults.get(path);
  if (!result) {
    result = (async () => {
      await using diarizer = new Diarizer({ quiet: true });
      return await diarizer.diarize(path);
    })();
    libraryResults.set(path, result);
  }
  return result;
}

/** Whether `part`'s first and last 64 KiB appear in `whole` (an embedded file is stored as it is). */
function holds(whole: Buffer, part: Buffer): boolean {
  const n = Math.min(65536, part.length);
  return whole.indexOf(part.subarray(0, n)) >= 0 && whole.indexOf(part.subarray(part.length - n)) >= 0;
}

const EXPORTER = join(import.meta.dir, "..", "models", "export-campplus.py");

describe(ALL_PLATFORMS ? "every platform's executable" : "this machine's executable, as built", () => {
  for (const p of TESTED) {
    test(`${p.id}: a ${FORMAT[p.os]} ${ARCH[p.cpu]} executable holding its libsenko, onnxruntime and the CAM++ exporter`, async () => {
      const exe = built.get(p.id)!;
      const bytes = readFileSync(exe.path);
      const info = binaryInfo(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength));
      expect(info).toMatchObject({ format: FORMAT[p.os], arch: ARCH[p.cpu], kind: "executable" });
      expect(exe.path.endsWith(p.executable)).toBe(true);
      expect(holds(bytes, readFileSync((await buildLibrary(p)).path))).toBe(true);
      const ortBin = join(exe.ortDir, "bin", "napi-v6", p.os, p.cpu);
      for (const file of ["onnxruntime_binding.node", ...exe.runtime]) expect(holds(bytes, readFileSync(join(ortBin, file)))).toBe(true);
      expect(exe.runtime.length).toBe(p.os === "win32" ? 2 : 1);
      // The CAM++ exporter, embedded as a string: its lines that a string literal keeps as they are.
      const plainLines = readFileSync(EXPORTER, "utf8").split("\n").filter((l) => l.trim().length > 20 && /^[\x20-\x7e]+$/.test(l) && !/["'\\]/.test(l));
      expect(plainLines.length).toBeGreaterThan(30);
      expect(plainLines.filter((l) => bytes.indexOf(l) < 0)).toEqual([]);
    });
  }
});

describe("this machine's executable", () => {
  const mine = findPlatform();
  const notMine = skipWithout("exe.test.ts", { [`an executable target for ${process.platform}-${process.arch}`]: mine });
  const exe = () => built.get(mine!.id)!.path;

  test.skipIf(notMine)("--version and --help from another directory; onnxruntime written to a cache folder named by its bytes", async () => {
    const cache = join(elsewhere, "cache");
    const run = Bun.spawnSync([exe(), "--version"], { cwd: elsewhere, env: { ...process.env, XDG_CACHE_HOME: cache }, stdout: "pipe", stderr: "pipe" });
    expect(run.exitCode).toBe(0);
    expect(run.stdout.toString().trim()).toBe(`senko ${VERSION}`);
    // The help names the executable, as the user ran it, not a checkout's script.
    const help = Bun.spawnSync([exe(), "--help"], { cwd: elsewhere, env: { ...process.env, XDG_CACHE_HOME: cache }, stdout: "pipe", stderr: "pipe" }).stdout.toString();
    expect(help).toContain(`\nusage: ${basename(exe())} <audio...> [options]\n`);
    expect(help).not.toContain("diarize.ts");
    // Not one folder per build: every executable with the same onnxruntime shares it.
    const { ortDir, runtime } = built.get(mine!.id)!;
    const ortBin = join(ortDir, "bin", "napi-v6", mine!.os, mine!.cpu);
    expect(readdirSync(join(cache, "senko", "runtime"))).toEqual([await contentHash(ortBin, runtime.map((name) => join(ortBin, name)))]);
  });

  test.skipIf(notMine)("a cache where onnxruntime cannot be written: one line, exit 1, no stack trace", () => {
    const notADirectory = join(elsewhere, "a-file");
    writeFileSync(notADirectory, "");
    const run = Bun.spawnSync([exe(), "--version"], { cwd: elsewhere, env: { ...process.env, XDG_CACHE_HOME: notADirectory }, stdout: "pipe", stderr: "pipe" });
    expect([run.exitCode, run.stderr.toString()]).toEqual([
      1,
      expect.stringMatching(new RegExp(`^senko: cannot write onnxruntime's libraries to ${notADirectory}/senko/runtime/[0-9a-f]+: a parent in the path is not a directory; XDG_CACHE_HOME names another cache directory\n$`)),
    ]);
    // A file system that creates nothing: said of the folder where creating began, not "does not exist".
    const proc = Bun.spawnSync([exe(), "--version"], { cwd: elsewhere, env: { ...process.env, XDG_CACHE_HOME: "/proc/senko-cache" }, stdout: "pipe", stderr: "pipe" });
    expect([proc.exitCode, proc.stderr.toString()]).toEqual([
      1,
      expect.stringMatching(/^senko: cannot write onnxruntime's libraries to \/proc\/senko-cache\/senko\/runtime\/[0-9a-f]+: nothing can be created in \/proc; XDG_CACHE_HOME names another cache directory\n$/),
    ]);
  });

  test("a plain `bun build --compile diarize.ts` (no onnxruntime library, no libsenko): one line saying so and what makes an executable, exit 1", async () => {
    const outfile = join(elsewhere, "plain-compile");
    const build = await Bun.build({ entrypoints: [join(import.meta.dir, "..", "diarize.ts")], compile: { outfile } });
    expect(build.success).toBe(true);
    try {
      const run = Bun.spawnSync([outfile, FIXTURE], { cwd: elsewhere, env: { PATH: process.env.PATH, HOME: elsewhere }, stdout: "pipe", stderr: "pipe" });
      expect([run.exitCode, run.stdout.toString(), run.stderr.toString()]).toEqual([
        1,
        "",
        expect.stringMatching(/^senko: cannot start: [^\n]*onnxruntime[^\n]* \(a plain bun build --compile leaves out onnxruntime's library and libsenko: npm run build:exe makes executables that carry them\)\n$/),
      ]);
    } finally {
      rmSync(outfile, { force: true });
    }
  });

  test.skipIf(notMine)("senko models: the models it would use, checked", () => {
    const run = Bun.spawnSync([exe(), "models", "--offline", "--json"], { cwd: elsewhere, stdout: "pipe", stderr: "pipe" });
    expect(run.stderr.toString()).toBe("");
    expect(run.exitCode).toBe(0);
    expect((JSON.parse(run.stdout.toString()) as { id: string }[]).map((m) => m.id)).toEqual(["silero-vad", "pyannote-segmentation", "campplus"]);
  });

  const noAmi = notMine || withoutAmi("exe.test.ts");
  test.skipIf(noAmi)("diarizes a fixture like the library does, with its inference worker lanes", async () => {
    // Long enough for the worker lanes to start: the fixture, repeated.
    const { samples } = await readAudio(FIXTURE);
    const input = join(elsewhere, "dev00-long.wav");
    writeFileSync(input, wavFloat(new Float32Array(WORKER_LANES_FROM_SEC * 16000).map((_, i) => samples[i % samples.length]!)));
    const rttm = join(elsewhere, "dev00-long.rttm");
    // The library's result alongside.
    const proc = Bun.spawn([exe(), input, "--rttm", rttm, "--out", join(elsewhere, "dev00-long.json")], { cwd: elsewhere, stdout: "ignore", stderr: "pipe" });
    const [code, stderr, expected] = await Promise.all([proc.exited, new Response(proc.stderr).text(), libraryDiarization(input)]);
    expect(code).toBe(0);
    // Two lanes of one thread each; without its worker the executable would fall back to one lane with every thread.
    if (availableParallelism() === 2) {
      expect(stderr).toContain("campplus runs on the CPU (1 thread)");
      expect(stderr).not.toContain("campplus runs on the CPU (2 threads)");
    }
    expect(expected.mergedSegments.length).toBeGreaterThan(0);
    expect(readFileSync(rttm, "utf8")).toBe(toRttm(expected, "dev00-long"));
  });

  test.skipIf(noAmi || skipWithout("exe.test.ts", { "redis-server (npm run setup installs it)": redisServerPath, "s3rver (npm ci)": s3rverPath }))("runs the job queue: submit, worker, status; a local file and an S3 object", async () => {
    const [redis, s3] = await Promise.all([startRedis(), startS3(["audio"])]);
    const out = join(elsewhere, "queue-out");
    const env = { ...process.env, ...s3.env };
    try {
      await s3.client.write("calls/dev00.wav", Bun.file(FIXTURE), { bucket: "audio" });
      for (const [input, outDir] of [[FIXTURE, out], ["s3://audio/calls/*.wav", "s3://audio/results"]]) {
        const submit = Bun.spawnSync([exe(), "submit", "--redis", redis.url, input!, "--out-dir", outDir!, "--format", "rttm", "-q"], { cwd: elsewhere, env, stdout: "pipe", stderr: "pipe" });
        expect(submit.stderr.toString()).toBe("");
        expect(submit.stdout.toString()).toStartWith("queued ");
      }
      const worker = Bun.spawn([exe(), "worker", "--redis", redis.url, "-q"], { cwd: elsewhere, env, stdout: "ignore", stderr: "pipe" });
      let status = "";
      for (let i = 0; i < 600 && !status.includes("done 2"); i++) {
        await Bun.sleep(100);
        status = Bun.spawnSync([exe(), "status", "--redis", redis.url], { cwd: elsewhere, stdout: "pipe" }).stdout.toString();
      }
      // Stopped, it ends by the signal, as senko <audio> does (143 in a shell).
      worker.kill("SIGTERM");
      await worker.exited;
      expect(worker.signalCode).toBe("SIGTERM");
      expect(status).toStartWith("waiting 0  active 0  done 2  failed 0");
      const expected = await libraryDiarization(FIXTURE);
      expect(readFileSync(join(out, "dev00.rttm"), "utf8")).toBe(toRttm(expected, "dev00"));
      expect(await s3.client.file("results/dev00.rttm", { bucket: "audio" }).text()).toBe(toRttm(expected, "dev00"));
    } finally {
      await Promise.all([redis.stop(), s3.stop()]);
    }
  }, 120_000);

  test.skipIf(noAmi)("writes the HTML timeline: its page template is inside the executable", () => {
    const page = join(elsewhere, "dev00.html");
    const run = Bun.spawnSync([exe(), FIXTURE, "--out", page, "--quiet"], { cwd: elsewhere, stdout: "pipe", stderr: "pipe" });
    expect([run.exitCode, run.stderr.toString()]).toEqual([0, ""]);
    const html = readFileSync(page, "utf8");
    expect(html).toStartWith("<!doctype html>");
    expect(html).toContain('<script type="application/json" id="senko-data">{"title":"dev00.wav"');
  });
});

/**
 * qemu-user passes the x86 host's /proc/cpuinfo through, and onnxruntime's CPU detection crashes reading
 * it; in a private mount namespace (root) an aarch64 one is bound over it for the run.
 */
const AARCH64_CPUINFO = Array.from({ length: 2 }, (_, i) =>
  [`processor\t: ${i}`, "Features\t: fp asimd evtstrm aes pmull sha1 sha2 crc32 atomics fphp asimdhp cpuid asimdrdm lrcpc dcpop asimddp", "CPU implementer\t: 0x41", "CPU architecture: 8", "CPU variant\t: 0x3", "CPU part\t: 0xd0c", "CPU revision\t: 1", ""].join("\n"),
).join("\n");
const SYSROOT = "/usr/aarch64-linux-gnu";
const qemu = Bun.which("qemu-aarch64");
const unshare = Bun.which("unshare");
const canEmulate = process.platform === "linux" && !!qemu && !!unshare && process.getuid?.() === 0 && existsSync(join(SYSROOT, "lib/libstdc++.so.6"));

describe.skipIf(
  skipWithout("exe.test.ts", { "SENKO_TEST_PLATFORMS=all (npm run test:platforms)": ALL_PLATFORMS, "qemu-user, unshare and root with the arm64 sysroot": canEmulate }),
)("the linux-arm64 executable under qemu-user", () => {
  function emulated(args: string[]): { code: number; stdout: string; stderr: string } {
    const cpuinfo = join(elsewhere, "cpuinfo");
    writeFileSync(cpuinfo, AARCH64_CPUINFO);
    const command = [qemu!, "-cpu", "neoverse-n1", "-L", SYSROOT, built.get("linux-arm64")!.path, ...args].map((a) => `'${a}'`).join(" ");
    const run = Bun.spawnSync([unshare!, "-m", "sh", "-c", `mount --bind '${cpuinfo}' /proc/cpuinfo && exec ${command}`], { cwd: elsewhere, stdout: "pipe", stderr: "pipe" });
    return { code: run.exitCode ?? -1, stdout: run.stdout.toString(), stderr: run.stderr.toString() };
  }

  test("--version", () => {
    const run = emulated(["--version"]);
    expect(run.stderr).toBe("");
    expect(run.stdout.trim()).toBe(`senko ${VERSION}`);
  }, 120_000);

  // A fixture is too slow under emulation here (4 s of it took 2.4 min, 60 s of CPU; the whole 30 s one
  // had not finished after 11 min), so the emulated run diarizes 2 s of silence: it decodes through libsenko, loads onnxruntime,
  // runs Silero and warms CAM++ up (a 2 x 150-frame batch), then writes a result with no speaker.
  test("loads libsenko and onnxruntime, runs Silero and CAM++, writes a result", () => {
    const input = join(elsewhere, "silence.wav");
    writeFileSync(input, wav16(new Float32Array(32000)));
    const run = emulated([input, "--pipeline", "vad-windows", "--vad", "silero", "--threads", "1", "--format", "json"]);
    expect(run.stderr).toContain("campplus runs on the CPU (1 thread)");
    expect(run.code).toBe(0);
    const result = JSON.parse(run.stdout);
    expect(result).toMatchObject({ durationSec: 2, vad: "silero", mergedSegments: [], clustering: "none" });
  }, 300_000);
});

afterAll(() => rmSync(elsewhere, { recursive: true, force: true }));
