/**
 * The job queue with S3 inputs and outputs against a real S3-compatible server (s3rver, started here on a
 * loopback port) and a real redis-server: `senko submit` of an s3:// glob and URL, one `senko worker`
 * that downloads each object to its job's temp directory, results to a local --out-dir and to an
 * s3:// --out-dir equal to a plain local `senko --out-dir` run; a key deleted and an object replaced
 * after submission and an object that is not audio fail once with their message; unknown keys and
 * buckets are usage errors at submit; resubmission adds nothing; no download is left behind.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { Queue } from "bullmq";
import { readAudio } from "../src/audio/index.ts";
import type { JobData, JobResult } from "../src/queue/jobs.ts";
import { queueStatus, submitFiles } from "../src/index.ts";
import { Logged } from "./helpers/logged-process.ts";
import { redisServerPath, startRedis, type RedisServer } from "./helpers/redis.ts";
import { expandS3Glob } from "../src/queue/s3.ts";
import { s3Proxy, s3rverPaginates, s3rverPath, startS3, type S3Server } from "./helpers/s3.ts";
import { wav16 } from "./helpers/wav.ts";
import { skipWithout } from "./helpers/skip.ts";
import { AMI_DIR, AMI_FIXTURES, hasAmi } from "./helpers/fixtures.ts";

const root = resolve(import.meta.dir, "..");
const bun = join(root, "node_modules", ".bin", "bun");
const fixtures = hasAmi ? AMI_DIR : undefined;
const OPTIONS = ["--pipeline", "vad-windows", "--vad", "silero"];

/** The JSON result without its timings (they differ between runs) and its source (a path or a URL). */
function comparable(json: string): unknown {
  const { timingStats: _t, source: _s, ...rest } = JSON.parse(json);
  return rest;
}

describe.skipIf(
  skipWithout("queue-s3.test.ts", { "redis-server (npm run setup installs it)": redisServerPath, "s3rver (npm ci)": s3rverPath, [AMI_FIXTURES]: fixtures }),
)("job queue with s3:// inputs and outputs (s3rver)", () => {
  let redis: RedisServer;
  let s3: S3Server;
  let dir: string;
  /** local copies of the objects a and b, for the reference run */
  let local: { a: string; b: string; notes: string };

  async function cli(args: string[], env: Record<string, string> = {}) {
    const run = Bun.spawn([bun, "run", join(root, "diarize.ts"), ...args], { cwd: root, env: { ...process.env, ...s3.env, ...env }, stdout: "pipe", stderr: "pipe" });
    const [stdout, stderr, code] = await Promise.all([new Response(run.stdout).text(), new Response(run.stderr).text(), run.exited]);
    return { code, stdout, stderr };
  }

  beforeAll(async () => {
    [redis, s3] = await Promise.all([startRedis(), startS3(["audio", "results"])]);
    dir = mkdtempSync(join(tmpdir(), "senko-queue-s3-test-"));
    mkdirSync(join(dir, "in"));
    // Two 15 s halves of real recordings, a text file named .wav, and objects to delete or replace later.
    const half = async (name: string, part: 0 | 1) => {
      const { samples } = await readAudio(join(fixtures!, name));
      const n = samples.length >> 1;
      return wav16(samples.subarray(part * n, (part + 1) * n));
    };
    const a = await half("dev00.wav", 0);
    const b = await half("dev01.wav", 1);
    local = { a: join(dir, "in", "a.wav"), b: join(dir, "in", "b.wav"), notes: join(dir, "in", "notes.wav") };
    writeFileSync(local.a, a);
    writeFileSync(local.b, b);
    writeFileSync(local.notes, "meeting notes, not audio\n");
    const audio = { bucket: "audio" };
    await Promise.all([
      s3.client.write("meetings/a.wav", a, audio),
      s3.client.write("meetings/b.wav", b, audio),
      s3.client.write("meetings/notes.wav", readFileSync(local.notes), audio),
      s3.client.write("meetings/gone.wav", a.subarray(0, 20_000), audio),
      s3.client.write("meetings/readme.txt", "not matched by *.wav", audio),
      s3.client.write("edited/e.wav", b, audio),
    ]);
  });

  afterAll(async () => {
    await Promise.all([redis?.stop(), s3?.stop()]);
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test("submit s3:// globs and URLs, one worker: results equal the local files', bad objects fail once, nothing left behind", async () => {
    const out = join(dir, "out");
    const reference = join(dir, "reference");
    const workerTmp = join(dir, "worker-tmp");
    mkdirSync(workerTmp);
    // A download left by a worker that was killed mid-job (its pid no longer runs): the next worker removes it.
    const dead = Bun.spawn(["true"]);
    await dead.exited;
    const orphan = join(workerTmp, `senko-job-${dead.pid}-x`);
    mkdirSync(orphan);
    writeFileSync(join(orphan, "a.wav"), "partial");

    // What submit can tell at once is a usage error, with one line and no stack.
    const missing = await cli(["submit", "--redis", redis.url, "s3://audio/meetings/missing.wav", "--out-dir", out, "-q"]);
    expect([missing.code, missing.stderr]).toEqual([2, 'senko: s3://audio/meetings/missing.wav: no such object in bucket "audio"; nothing was queued\n']);
    const noBucket = await cli(["submit", "--redis", redis.url, "s3://nobucket/x.wav", "--out-dir", out, "-q"]);
    expect([noBucket.code, noBucket.stderr]).toEqual([2, `senko: s3://nobucket/x.wav: no such bucket "nobucket" at ${s3.endpoint}\n`]);
    const noMatch = await cli(["submit", "--redis", redis.url, "s3://audio/nothing/*.wav", "--out-dir", out]);
    expect([noMatch.code, noMatch.stderr]).toEqual([2, "senko: no object matches s3://audio/nothing/*.wav\n"]);
    const noOutBucket = await cli(["submit", "--redis", redis.url, "s3://audio/meetings/a.wav", "--out-dir", "s3://nobucket/out"]);
    expect([noOutBucket.code, noOutBucket.stderr]).toEqual([2, `senko: cannot write s3://nobucket/out: no such bucket "nobucket" at ${s3.endpoint}\n`]);
    const unreachable = await cli(["submit", "--redis", redis.url, "s3://audio/meetings/a.wav", "--out-dir", out, "-q"], { S3_ENDPOINT: "http://127.0.0.1:1" });
    expect([unreachable.code, unreachable.stderr]).toEqual([2, "senko: s3://audio/meetings/a.wav: cannot reach the S3 endpoint http://127.0.0.1:1 (ConnectionRefused): check S3_ENDPOINT\n"]);

    const stranger = await cli(["submit", "--redis", redis.url, "s3://audio/meetings/a.wav", "--out-dir", out, "-q"], { S3_ACCESS_KEY_ID: "STRANGER" });
    expect([stranger.code, stranger.stderr]).toEqual([
      2,
      `senko: s3://audio/meetings/a.wav: access denied by ${s3.endpoint} (InvalidAccessKeyId): check S3_ACCESS_KEY_ID, S3_SECRET_ACCESS_KEY and the bucket's policy\n`,
    ]);

    const toLocal = ["submit", "--redis", redis.url, "s3://audio/meetings/*.wav", "s3://audio/edited/e.wav", "--out-dir", out, "--format", "json,rttm", ...OPTIONS];
    const toS3 = ["submit", "--redis", redis.url, "s3://audio/meetings/a.wav", "--out-dir", "s3://results/run1/", "--format", "json,rttm,html", ...OPTIONS];
    const first = await cli(toLocal);
    expect(first.code).toBe(0);
    expect(first.stdout.trim().split("\n").map((line) => line.split(/\s+/)[2])).toEqual(["s3://audio/meetings/a.wav", "s3://audio/meetings/b.wav", "s3://audio/meetings/gone.wav", "s3://audio/meetings/notes.wav", "s3://audio/edited/e.wav"]);
    expect(first.stderr).toBe("senko submit: 5 queued\n");
    expect((await cli(toS3)).stderr).toBe("senko submit: 1 queued\n");
    // After submission: one key is deleted, one object gets other bytes.
    await s3.client.delete("meetings/gone.wav", { bucket: "audio" });
    await s3.client.write("edited/e.wav", readFileSync(local.a), { bucket: "audio" });

    const worker = new Logged([bun, "run", join(root, "diarize.ts"), "worker", "--redis", redis.url, "--threads", "1", "--name", "s3w"], root, { ...s3.env, TMPDIR: workerTmp });
    const single = Bun.spawn([bun, "run", "diarize.ts", local.a, local.b, "--out-dir", reference, "--format", "json,rttm", ...OPTIONS, "--threads", "1", "-q"], { cwd: root, stdout: "ignore", stderr: "pipe" });
    const queue = new Queue<JobData, JobResult>("senko", { connection: { url: redis.url } });
    try {
      for (let polls = 0; ; polls++) {
        const { counts } = await queueStatus({ redis: redis.url });
        if (counts.done + counts.failed === 6) break;
        expect(polls).toBeLessThan(600);
        await Bun.sleep(200);
      }
      expect(await single.exited).toBe(0);

      // Local outputs: a and b, equal to the local files' results; the S3 output of a the same.
      expect(readdirSync(out).sort()).toEqual(["a.json", "a.rttm", "b.json", "b.rttm"]);
      for (const name of ["a.json", "a.rttm", "b.json", "b.rttm"]) {
        const ours = readFileSync(join(out, name), "utf8");
        const theirs = readFileSync(join(reference, name), "utf8");
        if (name.endsWith(".rttm")) expect(ours).toBe(theirs);
        else expect(comparable(ours)).toEqual(comparable(theirs));
      }
      expect(JSON.parse(readFileSync(join(out, "a.json"), "utf8")).source).toBe("s3://audio/meetings/a.wav");
      const listed = await s3.client.list({ prefix: "run1/" }, { bucket: "results" });
      expect(listed.contents?.map((o) => o.key).sort()).toEqual(["run1/a.html", "run1/a.json", "run1/a.rttm"]);
      const remote = (key: string) => s3.client.file(key, { bucket: "results" }).text();
      expect(await remote("run1/a.rttm")).toBe(readFileSync(join(reference, "a.rttm"), "utf8"));
      expect(comparable(await remote("run1/a.json"))).toEqual(comparable(readFileSync(join(reference, "a.json"), "utf8")));
      // The page embeds the downloaded audio (a link to the worker's temp file would lead nowhere).
      expect(await remote("run1/a.html")).toContain(`data:audio/wav;base64,${readFileSync(local.a).subarray(0, 300).toString("base64")}`);
      const done = await queue.getCompleted(0, -1);
      expect(done.find((job) => job.data.outDir === "s3://results/run1")?.returnvalue.outputs).toEqual(["s3://results/run1/a.json", "s3://results/run1/a.rttm", "s3://results/run1/a.html"]);

      // The bad objects failed once each, with their message.
      const failed = Object.fromEntries((await queue.getFailed(0, -1)).map((job) => [job.data.file, job]));
      expect(Object.keys(failed).sort()).toEqual(["s3://audio/edited/e.wav", "s3://audio/meetings/gone.wav", "s3://audio/meetings/notes.wav"]);
      const notAudio = await readAudio(local.notes, { name: "s3://audio/meetings/notes.wav" }).then(
        () => "read fine",
        (error: Error) => error.message,
      );
      expect(failed["s3://audio/meetings/notes.wav"]!.failedReason).toBe(notAudio);
      expect(failed["s3://audio/meetings/gone.wav"]!.failedReason).toBe('s3://audio/meetings/gone.wav: no such object in bucket "audio"');
      expect(failed["s3://audio/edited/e.wav"]!.failedReason).toBe("s3://audio/edited/e.wav: the object changed after it was submitted; submit it again");
      for (const job of Object.values(failed)) expect(job.attemptsStarted).toBe(1);

      // Every download was removed (after failures too), and so was the dead worker's.
      expect(readdirSync(workerTmp).filter((entry) => entry.startsWith("senko-job-"))).toEqual([]);

      // Resubmitting adds nothing, from the CLI and from TypeScript (e.wav has its submitted bytes again,
      // so its ETag: the same failed job; the glob no longer finds gone.wav).
      await s3.client.write("edited/e.wav", readFileSync(local.b), { bucket: "audio" });
      const lines = worker.lines.length;
      expect((await cli(toLocal)).stderr).toBe(
        "senko submit: 2 already done, 2 failed before (--retry-failed runs them again)\n",
      );
      expect((await cli(toS3)).stderr).toBe("senko submit: 1 already done\n");
      const again = await submitFiles(["s3://audio/meetings/a.wav"], {
        redis: redis.url,
        outDir: "s3://results/run1",
        formats: ["json", "rttm", "html"],
        options: { pipeline: "vad-windows", vad: "silero" },
        s3: { endpoint: s3.endpoint, accessKeyId: s3.env.S3_ACCESS_KEY_ID, secretAccessKey: s3.env.S3_SECRET_ACCESS_KEY },
      });
      expect(again.map((s) => s.state)).toEqual(["done"]);
      await Bun.sleep(500);
      expect(worker.lines.slice(lines).some((line) => line.includes(": started "))).toBe(false);
      expect(statSync(join(out, "a.json")).isFile()).toBe(true);

      worker.process.kill("SIGTERM");
      await worker.process.exited;
      expect(worker.process.signalCode).toBe("SIGTERM");
    } finally {
      await queue.close();
      worker.process.kill("SIGKILL");
      single.kill("SIGKILL");
    }
  }, 180_000);

  // S3 lists 1000 keys a page; pages of 2 here walk the continuation tokens over a few keys.
  test.skipIf(skipWithout("queue-s3.test.ts", { "node with DES under --openssl-legacy-provider (for s3rver to page listings)": s3rverPaginates }))("a glob follows the listing from page to page", async () => {
    const names = ["p/1.wav", "p/2.wav", "p/3.txt", "p/4.wav", "p/deeper/5.wav", "p/6.wav", "q/7.wav"];
    await Promise.all(names.map((key) => s3.client.write(key, "x", { bucket: "audio" })));
    const pageOf = async (pageSize?: number) => expandS3Glob(s3.client, "s3://audio/p/*.wav", {}, pageSize);
    const expected = ["s3://audio/p/1.wav", "s3://audio/p/2.wav", "s3://audio/p/4.wav", "s3://audio/p/6.wav"];
    expect(await pageOf(2)).toEqual(expected);
    expect(await pageOf()).toEqual(expected);
    expect(await expandS3Glob(s3.client, "s3://audio/p/**/*.wav", {}, 2)).toEqual([...expected.slice(0, 3), "s3://audio/p/deeper/5.wav", expected[3]!].sort());
  });
});

describe.skipIf(skipWithout("queue-s3.test.ts", { "redis-server (npm run setup installs it)": redisServerPath, "s3rver (npm ci)": s3rverPath }))(
  "submit HEAD-checks every s3:// object before queuing any",
  () => {
    test("missing and forbidden objects among good ones: one line naming each by reason, exit 2, nothing queued; then the good ones queue", async () => {
      const [redis, s3] = await Promise.all([startRedis({ keepData: false }), startS3(["audio"])]);
      const proxy = s3Proxy(s3.endpoint, { deny: "private" });
      const dir = mkdtempSync(join(tmpdir(), "senko-s3-heads-test-"));
      try {
        const tone = wav16(Array.from({ length: 16000 }, (_, i) => 0.3 * Math.sin(i / 5)));
        await Promise.all(["ok/a.wav", "ok/b.wav", "private/p.wav"].map((key) => s3.client.write(key, tone, { bucket: "audio" })));
        const urls = ["ok/a.wav", "ok/gone1.wav", "private/p.wav", "ok/b.wav", "ok/gone2.wav"].map((key) => `s3://audio/${key}`);
        const env = { ...process.env, ...s3.env, S3_ENDPOINT: proxy.endpoint, SENKO_DEBUG: undefined };
        const submit = async (inputs: string[]) => {
          const run = Bun.spawn([bun, "run", join(root, "diarize.ts"), "submit", "--redis", redis.url, ...inputs, "--out-dir", join(dir, "out")], { cwd: root, env, stdout: "pipe", stderr: "pipe" });
          const [stdout, stderr, code] = await Promise.all([new Response(run.stdout).text(), new Response(run.stderr).text(), run.exited]);
          return { code, stdout, stderr };
        };
        const refused = await submit(urls);
        const denied = `access denied by ${proxy.endpoint} (AccessDenied): check S3_ACCESS_KEY_ID, S3_SECRET_ACCESS_KEY and the bucket's policy`;
        expect(refused).toEqual({
          code: 2,
          stdout: "",
          stderr: `senko: s3://audio/ok/gone1.wav, s3://audio/ok/gone2.wav: no such object in bucket "audio"; s3://audio/private/p.wav: ${denied}; nothing was queued\n`,
        });
        // Every object was asked about (one HEAD each), and nothing reached the queue.
        expect(proxy.heads.sort()).toEqual(urls.map((url) => url.replace("s3://", "/")).sort());
        expect(redis.cli("keys", "*").trim()).toBe("");
        const good = await submit([urls[0]!, urls[3]!]);
        expect([good.code, good.stderr]).toEqual([0, "senko submit: 2 queued\n"]);
        expect((await queueStatus({ redis: redis.url })).counts.waiting).toBe(2);
      } finally {
        proxy.stop();
        await Promise.all([redis.stop(), s3.stop()]);
        rmSync(dir, { recursive: true, force: true });
      }
    }, 60_000);
  },
);
