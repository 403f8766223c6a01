/**
 * `senko submit` checks every local file as `senko <audio>` does (probeAudio: a WAV's chunk headers, ffmpeg
 * opening anything else) before anything is queued: one bad file refuses the whole submission in one line,
 * exit 2, so no job is queued only to fail on a worker. Without ffmpeg on the submitting machine, a file that only
 * ffmpeg reads passes (the workers may have ffmpeg).
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Queue } from "bullmq";
import { redisServerPath, startRedis, type RedisServer } from "./helpers/redis.ts";
import { skipWithout } from "./helpers/skip.ts";
import { wav16 } from "./helpers/wav.ts";

const diarize = join(import.meta.dir, "..", "diarize.ts");
const ffmpeg = Bun.which("ffmpeg");
let dir: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "senko-submit-check-"));
  writeFileSync(join(dir, "good.wav"), wav16(Array.from({ length: 1600 }, (_, i) => 0.3 * Math.sin(i / 5))));
  writeFileSync(join(dir, "empty.wav"), "");
  // A header that promises 16-bit samples and a data chunk of 3 bytes: not one whole frame.
  writeFileSync(join(dir, "odd.wav"), wav16([0.1, 0.2]).slice(0, 44 + 3));
  writeFileSync(join(dir, "notes.mp3"), "meeting notes, not audio\n".repeat(20));
  if (ffmpeg) expect(Bun.spawnSync([ffmpeg, "-v", "error", "-i", join(dir, "good.wav"), join(dir, "tone.mp3")]).exitCode).toBe(0);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function run(args: string[], env: Record<string, string> = {}) {
  const proc = Bun.spawn([process.execPath, "run", diarize, ...args], { cwd: dir, env: { ...process.env, SENKO_DEBUG: "", ...env }, stdin: "ignore", stdout: "pipe", stderr: "pipe", timeout: 60_000 });
  const [code, stdout, stderr] = await Promise.all([proc.exited, new Response(proc.stdout).text(), new Response(proc.stderr).text()]);
  return { code, stdout, stderr };
}

describe.skipIf(skipWithout("queue-submit-check.test.ts", { "redis-server (npm run setup installs it)": redisServerPath }))("submit checks the files first", () => {
  let redis: RedisServer;
  beforeAll(async () => {
    redis = await startRedis({ keepData: false });
  });
  afterAll(async () => {
    await redis?.stop();
  });

  test("an empty file, a WAV cut short, text named .mp3 among good ones: one line, exit 2, nothing queued; then the good one queues", async () => {
    const queue = new Queue("senko", { connection: { url: redis.url } });
    try {
      const refused = await run(["submit", "--redis", redis.url, "good.wav", "empty.wav", "odd.wav", "notes.mp3", "--out-dir", "out"]);
      expect({ code: refused.code, stdout: refused.stdout }).toEqual({ code: 2, stdout: "" });
      expect(refused.stderr.trimEnd().split("\n")).toHaveLength(1);
      const others = ffmpeg ? "odd.wav, notes.mp3" : "odd.wav";
      expect(refused.stderr).toBe(`senko: empty.wav: file is empty (0 bytes); nothing was queued (refused too: ${others})\n`);
      expect(Object.values(await queue.getJobCounts()).reduce((sum, n) => sum + n, 0)).toBe(0);
      if (ffmpeg) {
        // The files ffmpeg reads are checked many to one ffmpeg run: the bad one is found among the good.
        const text = await run(["submit", "--redis", redis.url, "good.wav", "tone.mp3", "notes.mp3", "--out-dir", "out"]);
        expect(text.code).toBe(2);
        expect(text.stderr).toStartWith('senko: notes.mp3: not a WAV file (it starts with "meet", not "RIFF"/"RF64"), and ffmpeg finds no audio stream in it');
        expect(text.stderr).toEndWith("; nothing was queued\n");
      }
      const goods = ffmpeg ? ["good.wav", "tone.mp3"] : ["good.wav"];
      const good = await run(["submit", "--redis", redis.url, ...goods, "--out-dir", "out"]);
      expect([good.code, good.stderr]).toEqual([0, `senko submit: ${goods.length} queued\n`]);
      expect(await queue.getJobCounts("waiting")).toEqual({ waiting: goods.length });
    } finally {
      await queue.close();
    }
  }, 60_000);
});

// Nothing listens on port 1: a submission that passes its check ends at its first connection to Redis.
test("without ffmpeg here, text named .mp3 passes the check (a worker may have ffmpeg); an empty file does not", async () => {
  const env = { PATH: "/nonexistent" };
  const [text, empty] = await Promise.all([
    run(["submit", "--redis", "redis://127.0.0.1:1", "notes.mp3", "--out-dir", "out"], env),
    run(["submit", "--redis", "redis://127.0.0.1:1", "empty.wav", "--out-dir", "out"], env),
  ]);
  expect([text.code, text.stderr]).toEqual([1, "senko: cannot reach Redis at redis://127.0.0.1:1: nothing listens on 127.0.0.1:1 (connection refused): is redis-server running there, on that port?\n"]);
  expect([empty.code, empty.stderr]).toEqual([2, "senko: empty.wav: file is empty (0 bytes); nothing was queued\n"]);
}, 60_000);
