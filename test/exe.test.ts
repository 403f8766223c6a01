/**
 * The single-file executable: `bun build --compile` (tools/build-exe.sh) carries libsenko and onnxruntime
 * inside; run from an unrelated directory it reports its version and diarizes a real fixture exactly as
 * the library does.
 */
import { beforeAll, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { availableParallelism, tmpdir } from "node:os";
import { join } from "node:path";
import { Diarizer, toRttm, VERSION } from "senko";
import { redisServerPath, startRedis } from "./helpers/redis.ts";

const ROOT = join(import.meta.dir, "..");
const EXE = join(ROOT, "dist", "senko");
const FIXTURE = join(ROOT, "../shared/fixtures/ami/dev00.wav");
const elsewhere = mkdtempSync(join(tmpdir(), "senko-exe-"));

beforeAll(() => {
  const build = Bun.spawnSync(["bash", "tools/build-exe.sh"], { cwd: ROOT, stdout: "pipe", stderr: "pipe" });
  if (build.exitCode !== 0) throw new Error(`build-exe failed:\n${build.stderr.toString()}`);
}, 120_000);

test("--version from another directory", () => {
  const run = Bun.spawnSync([EXE, "--version"], { cwd: elsewhere, stdout: "pipe", stderr: "pipe" });
  expect(run.exitCode).toBe(0);
  expect(run.stdout.toString().trim()).toBe(`senko ${VERSION}`);
});

test("diarizes a fixture like the library does", async () => {
  const rttm = join(elsewhere, "dev00.rttm");
  const run = Bun.spawnSync([EXE, FIXTURE, "--vad", "silero", "--rttm", rttm, "--quiet"], { cwd: elsewhere, stdout: "pipe", stderr: "pipe" });
  expect(run.stderr.toString()).toBe("");
  expect(run.exitCode).toBe(0);
  await using diarizer = new Diarizer({ vad: "silero", quiet: true });
  const expected = await diarizer.diarize(FIXTURE);
  expect(expected.mergedSegments.length).toBeGreaterThan(0);
  expect(readFileSync(rttm, "utf8")).toBe(toRttm(expected, "dev00"));
}, 60_000);

test.skipIf(!redisServerPath)("runs the job queue: submit, worker, status", async () => {
  const redis = await startRedis();
  const out = join(elsewhere, "queue-out");
  try {
    const submit = Bun.spawnSync([EXE, "submit", "--redis", redis.url, FIXTURE, "--out-dir", out, "--format", "rttm", "--vad", "silero", "-q"], { cwd: elsewhere, stdout: "pipe", stderr: "pipe" });
    expect(submit.stderr.toString()).toBe("");
    expect(submit.stdout.toString()).toStartWith("queued ");
    const worker = Bun.spawn([EXE, "worker", "--redis", redis.url, "-q"], { cwd: elsewhere, stdout: "ignore", stderr: "pipe" });
    let status = "";
    for (let i = 0; i < 600 && !status.includes("done 1"); i++) {
      await Bun.sleep(100);
      status = Bun.spawnSync([EXE, "status", "--redis", redis.url], { cwd: elsewhere, stdout: "pipe" }).stdout.toString();
    }
    worker.kill("SIGTERM");
    expect(await worker.exited).toBe(0);
    expect(status).toStartWith("waiting 0  active 0  done 1  failed 0");
    await using diarizer = new Diarizer({ vad: "silero", quiet: true });
    const expected = await diarizer.diarize(FIXTURE);
    expect(readFileSync(join(out, "dev00.rttm"), "utf8")).toBe(toRttm(expected, "dev00"));
  } finally {
    await redis.stop();
  }
}, 120_000);

test("writes the HTML timeline: its page template is inside the executable", () => {
  const page = join(elsewhere, "dev00.html");
  const run = Bun.spawnSync([EXE, FIXTURE, "--vad", "silero", "--out", page, "--quiet"], { cwd: elsewhere, stdout: "pipe", stderr: "pipe" });
  expect([run.exitCode, run.stderr.toString()]).toEqual([0, ""]);
  const html = readFileSync(page, "utf8");
  expect(html).toStartWith("<!doctype html>");
  expect(html).toContain('<script type="application/json" id="senko-data">{"title":"dev00.wav"');
}, 60_000);

test.skipIf(availableParallelism() < 2)("starts its inference worker lanes (one onnxruntime thread per lane)", () => {
  const run = Bun.spawnSync([EXE, FIXTURE, "--vad", "silero", "--out", join(elsewhere, "dev00.json")], { cwd: elsewhere, stdout: "pipe", stderr: "pipe" });
  expect(run.exitCode).toBe(0);
  // Without its worker the executable falls back to one lane with every thread.
  expect(run.stderr.toString()).toContain("campplus runs on the CPU (1 thread)");
  rmSync(elsewhere, { recursive: true, force: true });
}, 60_000);
