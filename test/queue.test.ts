/**
 * The job queue with the real engine: a redis-server started here, three `senko worker` processes
 * and `senko submit` / `senko status` run as a user runs them, on short real recordings (the 30 s AMI
 * fixtures and halves of some) and bad inputs. One worker is SIGKILLed mid-job, Redis is restarted
 * mid-run, another worker gets SIGTERM mid-job; every good file must come out once, equal to a plain
 * single-process `senko --out-dir` run. A submission with bad files among the good ones queues nothing; bad
 * files queued all the same (as a submit without ffmpeg lets a text file named .mp3 through) must each be a
 * failed job with readAudio's message, and a resubmission must add nothing.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join, resolve } from "node:path";
import { Queue } from "bullmq";
import { readAudio } from "../src/audio/index.ts";
import { simulateConversation, writeConversation } from "../bench/simulate.ts";
import { hashFile, JOB_OPTIONS, jobId, type JobData, type JobProgress, type JobResult } from "../src/queue/jobs.ts";
import { Diarizer, queueStatus, startWorker, submitFiles, toRttm, type QueueWorker, type WorkerEvent } from "../src/index.ts";
import { Logged } from "./helpers/logged-process.ts";
import { holdingProxy } from "./helpers/holding-proxy.ts";
import { redisServerPath, startRedis, type RedisServer } from "./helpers/redis.ts";
import { wav16 } from "./helpers/wav.ts";
import { skipWithout } from "./helpers/skip.ts";
import { AMI_DIR, AMI_FIXTURES, hasAmi } from "./helpers/fixtures.ts";

const root = resolve(import.meta.dir, "..");
const bun = join(root, "node_modules", ".bin", "bun");
const fixtures = hasAmi ? AMI_DIR : undefined;
/** Each worker and the reference run on one thread: four processes share the two cores of the test machine. */
const THREADS = "1";

const senko = (args: string[]) => [bun, "run", join(root, "diarize.ts"), ...args];

function runCli(args: string[]) {
  const run = Bun.spawnSync([bun, "run", join(root, "diarize.ts"), ...args], { cwd: root, stdout: "pipe", stderr: "pipe" });
  return { code: run.exitCode, stdout: run.stdout.toString(), stderr: run.stderr.toString() };
}

/**
 * A job for a file that submitFiles would refuse (not audio), added as submitFiles adds one: what a submit without
 * ffmpeg lets through (a text file named .mp3), or a file that a worker cannot read for another reason.
 */
async function queueUnchecked(queue: Queue, file: string, outDir: string, options: JobData["options"] = {}): Promise<string> {
  const data: JobData = { file, sha256: await hashFile(file), outDir, name: basename(file, ".wav"), formats: ["json", "rttm"], options };
  await queue.add("diarize", data, { ...JOB_OPTIONS, jobId: jobId(data) });
  return jobId(data);
}

/** The JSON result without the timings, which differ between any two runs. */
function withoutTimings(json: string): unknown {
  const parsed = JSON.parse(json);
  delete parsed.timingStats;
  return parsed;
}

describe.skipIf(skipWithout("queue.test.ts", { "redis-server (npm run setup installs it)": redisServerPath, [AMI_FIXTURES]: fixtures }))("job queue on Redis (BullMQ)", () => {
  let redis: RedisServer;
  let dir: string;
  const good: string[] = [];
  const bad: string[] = [];

  beforeAll(async () => {
    redis = await startRedis();
    dir = mkdtempSync(join(tmpdir(), "senko-queue-test-"));
    const inputs = join(dir, "in");
    mkdirSync(inputs);
    // 11 real 30 s recordings, and the two 15 s halves of seven of them: 25 different files.
    const names = readdirSync(fixtures!).filter((f) => f.endsWith(".wav")).sort();
    for (const [i, name] of names.entries()) {
      good.push(join(fixtures!, name));
      if (i >= 7) continue;
      const { samples } = await readAudio(join(fixtures!, name));
      const half = samples.length >> 1;
      for (const [part, slice] of [["a", samples.subarray(0, half)], ["b", samples.subarray(half)]] as const) {
        const path = join(inputs, `${name.replace(".wav", "")}-${part}.wav`);
        writeFileSync(path, wav16(slice));
        good.push(path);
      }
    }
    const notes = join(inputs, "notes.wav");
    writeFileSync(notes, "meeting notes, not audio\n");
    const empty = join(inputs, "empty.wav");
    writeFileSync(empty, "");
    // A WAV header that promises 16-bit samples and a data chunk of 3 bytes: not one whole frame.
    const odd = join(inputs, "odd.wav");
    writeFileSync(odd, wav16([0.1, 0.2]).slice(0, 44 + 3));
    bad.push(notes, empty, odd);
  });

  afterAll(async () => {
    await redis?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test("three workers, a SIGKILL, a Redis restart and a SIGTERM: every file once, as one process diarizes it", async () => {
    const out = join(dir, "out");
    const reference = join(dir, "reference");
    const options = ["--out-dir", out, "--format", "json,rttm", "--pipeline", "vad-windows", "--vad", "silero"];
    const submitArgs = ["submit", "--redis", redis.url, ...good, ...options];
    // The killed worker's job comes back after the lock timeout: short, as the jobs run in threads that leave the locks' renewal free.
    const workerArgs = (name: string) => ["worker", "--redis", redis.url, "--threads", THREADS, "--lock-timeout", "10", "--name", name];
    const queue = new Queue<JobData, JobResult>("senko", { connection: { url: redis.url } });
    const workers = [new Logged(senko(workerArgs("w1"))), new Logged(senko(workerArgs("w2"))), new Logged(senko(workerArgs("w3")))];
    const [w1, w2] = workers as [Logged, Logged, Logged];
    // The single-process result, computed alongside.
    const single = Bun.spawn([bun, "run", "diarize.ts", ...good, "--out-dir", reference, "--format", "json,rttm", "--pipeline", "vad-windows", "--vad", "silero", "--threads", THREADS, "-q"], {
      cwd: root,
      stdout: "ignore",
      stderr: "pipe",
    });
    try {
      // Bad files and a missing one among the good: refused in one line, nothing queued (test/queue-submit-check.test.ts has the lines).
      const refusedAll = runCli(["submit", "--redis", redis.url, ...good, ...bad, join(dir, "in", "missing.wav"), ...options]);
      expect([refusedAll.code, refusedAll.stdout]).toEqual([2, ""]);
      expect(refusedAll.stderr).toStartWith(`senko: ${bad[0]}: not a WAV file`);
      expect(refusedAll.stderr).toEndWith(`; nothing was queued (refused too: ${bad[1]}, ${bad[2]}, ${join(dir, "in", "missing.wav")})\n`);
      expect(Object.values(await queue.getJobCounts()).reduce((sum, n) => sum + n, 0)).toBe(0);
      const submitted = runCli(submitArgs);
      expect(submitted.code).toBe(0);
      expect(submitted.stderr).toContain(`${good.length} queued`);
      expect(submitted.stdout.trim().split("\n").every((line) => line.startsWith("queued "))).toBe(true);
      // The bad files queued as submitFiles would queue them, had they passed its check.
      for (const file of bad) await queueUnchecked(queue, file, out, { pipeline: "vad-windows", vad: "silero" });
      // Options that cannot work, through the TypeScript API: ConfigErrors, also failed once with their message.
      // The second names vad with the default pipeline (overlap-aware), which would leave it unused.
      const never = join(dir, "never");
      const [conflicting] = await submitFiles([good[0]!], { redis: redis.url, outDir: never, options: { pipeline: "vad-windows", vad: "silero", minSpeakers: 3, maxSpeakers: 2 } });
      const [foreign] = await submitFiles([good[1]!], { redis: redis.url, outDir: never, options: { vad: "silero" } });
      expect([conflicting!.state, foreign!.state]).toEqual(["queued", "queued"]);
      const refused = 2;
      const jobs = good.length + bad.length + refused;

      // SIGKILL w1 in the middle of a job: Redis shows it at voice detection or embeddings, not finished.
      let killedJob: string | undefined;
      for (let polls = 0; killedJob === undefined; polls++) {
        const active = (await queue.getActive()).filter(Boolean);
        const victim = active.find((job) => job.processedBy === "w1" && ["vad", "embeddings"].includes((job.progress as JobProgress).stage));
        if (victim) {
          w1.process.kill("SIGKILL");
          killedJob = victim.id!;
        }
        expect(polls).toBeLessThan(6000);
        await Bun.sleep(20);
      }
      await w1.process.exited;
      expect(w1.doneIds()).not.toContain(killedJob);

      // Watch the queue: active jobs report a stage; restart Redis once a third of the files are done.
      let sawStage = false;
      let restarted = false;
      let sigtermed: { line: string; index: number } | undefined;
      for (let polls = 0; ; polls++) {
        const status = await queueStatus({ redis: redis.url });
        sawStage ||= status.active.some((job) => job.stage !== undefined && job.worker !== undefined && job.total > 0);
        if (!restarted && status.counts.done >= good.length / 3) {
          await redis.restart();
          restarted = true;
        } else if (restarted && !sigtermed && status.counts.done >= (2 * good.length) / 3) {
          // SIGTERM w2 as it starts a job: it must finish that job and stop.
          const from = w2.lines.length;
          sigtermed = await w2.waitFor(/: started /, from);
          w2.process.kill("SIGTERM");
        }
        if (status.counts.done + status.counts.failed === jobs) break;
        expect(polls).toBeLessThan(1200);
        await Bun.sleep(250);
      }
      expect(sawStage).toBe(true);

      // w2 finished the job it had when told to stop, started no other, and ended by the signal (143 in a shell).
      await w2.process.exited;
      expect(w2.process.signalCode).toBe("SIGTERM");
      const sigtermJob = /started (j[0-9a-f]+) /.exec(sigtermed!.line)![1]!;
      const after = w2.lines.slice(sigtermed!.index + 1);
      expect(after.some((line) => line.includes(`done ${sigtermJob} `))).toBe(true);
      expect(after.some((line) => line.includes(": started "))).toBe(false);
      expect(after.at(-1)).toContain("stopped");

      // Workers said "done" once per good file, all told (w1's killed job was finished by another). A worker
      // says it just after Redis records the job, so the last line may still be on its way when the counts are.
      for (let waits = 0; waits < 50 && workers.flatMap((w) => w.doneIds()).length < good.length; waits++) await Bun.sleep(100);
      const done = workers.flatMap((w) => w.doneIds());
      expect(new Set(done).size).toBe(done.length);
      expect(done.length).toBe(good.length);

      // Outputs: exactly one JSON and one RTTM per good file, nothing else, equal to the single process's.
      expect(await single.exited).toBe(0);
      const expected = good.flatMap((f) => [`${basename(f, ".wav")}.json`, `${basename(f, ".wav")}.rttm`]).sort();
      expect(readdirSync(out).sort()).toEqual(expected);
      for (const name of expected) {
        const ours = readFileSync(join(out, name), "utf8");
        const theirs = readFileSync(join(reference, name), "utf8");
        if (name.endsWith(".rttm")) expect(ours).toBe(theirs);
        else expect(withoutTimings(ours)).toEqual(withoutTimings(theirs));
      }

      // Job records: results kept as return values, bad inputs failed once with readAudio's message.
      {
        const killed = (await queue.getJob(killedJob))!;
        expect(await killed.getState()).toBe("completed");
        expect(killed.processedBy).not.toBe("w1");
        expect(killed.attemptsStarted).toBe(2);
        for (const file of good) {
          const id = jobId({ sha256: await hashFile(file), outDir: out, name: basename(file, ".wav"), formats: ["json", "rttm"], options: { pipeline: "vad-windows", vad: "silero" } });
          const job = (await queue.getJob(id))!;
          expect(job.returnvalue.result.mergedSegments).toEqual(JSON.parse(readFileSync(join(out, `${job.data.name}.json`), "utf8")).mergedSegments);
        }
        const failed = await queue.getFailed(0, -1);
        expect(failed.map((job) => job.data.file).sort()).toEqual([...bad, good[0]!, good[1]!].sort());
        const configFailures = [
          [conflicting!, "minSpeakers (3) is larger than maxSpeakers (2)"],
          [foreign!, 'vad applies to the vad-windows pipeline only: add pipeline: "vad-windows"'],
        ] as const;
        for (const [submission, message] of configFailures) {
          const job = failed.find((job) => job.id === submission.jobId)!;
          expect(job.failedReason).toBe(message);
          expect(job.attemptsStarted).toBe(1);
        }
        expect(existsSync(never)).toBe(false);
        for (const job of failed.filter((job) => !configFailures.some(([submission]) => submission.jobId === job.id))) {
          const message = await readAudio(job.data.file).then(
            () => "read fine",
            (error: Error) => error.message,
          );
          expect(job.failedReason).toBe(message);
          expect(job.attemptsStarted).toBe(1);
        }
      }

      // Resubmitting adds nothing: every file is reported done or failed, the queue holds no more jobs than before.
      const jobCount = async () => Object.values(await queue.getJobCounts()).reduce((sum, n) => sum + n, 0);
      const before = await jobCount();
      const stamps = readdirSync(out).map((f) => statSync(join(out, f)).mtimeMs);
      const again = runCli(submitArgs);
      expect(again.stderr).toContain(`${good.length} already done\n`);
      expect(await jobCount()).toBe(before);
      expect(readdirSync(out).map((f) => statSync(join(out, f)).mtimeMs)).toEqual(stamps);

      // A limit of 0 lists no done or failed job (BullMQ reads the range 0..-1 as all of them).
      const counted = await queueStatus({ redis: redis.url, limit: 0 });
      expect([counted.counts.done, counted.done, counted.failed]).toEqual([good.length, [], []]);
      // A worker's line for a failed job names the file once (readAudio's message starts with it).
      const failedLines = workers.flatMap((w) => w.lines).filter((line) => line.includes(": failed "));
      expect(failedLines.length).toBeGreaterThanOrEqual(bad.length);
      for (const file of bad) expect(failedLines.some((line) => line.includes(` ${file}: `) && !line.includes(`${file}: ${file}`))).toBe(true);
      const status = runCli(["status", "--redis", redis.url]);
      expect(status.code).toBe(0);
      expect(status.stdout).toStartWith(`waiting 0  active 0  done ${good.length}  failed ${bad.length + refused}`);
      expect(status.stdout).toContain("file is empty (0 bytes)");
    } finally {
      await queue.close();
      for (const w of workers) w.process.kill("SIGKILL");
      single.kill("SIGKILL");
    }
  }, 420_000);

  test("from TypeScript: submitFiles, startWorker, queueStatus; close() lets the running job finish", async () => {
    const out = join(dir, "api-out");
    const queue = "senko-api-test";
    const files = [good[1]!, good[2]!];
    const submitted = await submitFiles(files, { redis: redis.url, queue, outDir: out, formats: ["rttm"], options: { pipeline: "vad-windows", vad: "silero" } });
    expect(submitted.map((s) => s.state)).toEqual(["queued", "queued"]);
    const events: WorkerEvent[] = [];
    const worker = await startWorker({ redis: redis.url, queue, name: "api", onEvent: (e) => events.push(e) });
    // Close as soon as the first job starts: that job finishes, the second stays waiting.
    while (!events.some((e) => e.kind === "started")) await Bun.sleep(20);
    await worker.close();
    const status = await queueStatus({ redis: redis.url, queue });
    expect(status.counts).toEqual({ waiting: 1, active: 0, done: 1, failed: 0 });
    expect(status.done[0]!.outputs).toHaveLength(1);
    const [finished] = status.done;
    await using diarizer = new Diarizer({ pipeline: "vad-windows", vad: "silero", quiet: true });
    const expected = await diarizer.diarize(finished!.file);
    expect(readFileSync(finished!.outputs[0]!, "utf8")).toBe(toRttm(expected, basename(finished!.file, ".wav")));
    expect(events.filter((e) => e.kind === "done").map((e) => e.jobId)).toEqual([status.done[0]!.jobId]);
    // The same files again: one done, one still waiting; nothing added.
    const again = await submitFiles(files, { redis: redis.url, queue, outDir: out, formats: ["rttm"], options: { pipeline: "vad-windows", vad: "silero" } });
    expect(again.map((s) => s.state).sort()).toEqual(["done", "waiting"]);
  }, 120_000);

  test("submit takes senko <audio>'s diarization options and voices: each job's result is the local CLI's with the same options", async () => {
    const queue = "senko-options-test";
    const out = join(dir, "options-out");
    // Five simulated voices (LibriSpeech), two turns each: here --min-cluster-speech off gives another count than the default.
    const talk = await simulateConversation({ speakers: 5, turnsPerSpeaker: 2, seed: 1 });
    const { wav: panel } = writeConversation(talk, join(dir, "panel"));
    // Two of its voices, each from its longest stretch heard alone: Alice as a clip, Bob as a print made by senko voice-print.
    const voices = join(dir, "voices");
    mkdirSync(voices);
    const clipOf = (speaker: string, file: string) => {
      const others = talk.reference.filter((t) => t.speaker !== speaker);
      const alone = talk.reference
        .filter((t) => t.speaker === speaker)
        .map((t) => ({
          start: Math.max(t.start, ...others.filter((o) => o.start <= t.start && o.end > t.start).map((o) => o.end)),
          end: Math.min(t.end, ...others.filter((o) => o.start > t.start && o.start < t.end).map((o) => o.start)),
        }))
        .sort((a, b) => b.end - b.start - (a.end - a.start))[0]!;
      writeFileSync(join(voices, file), wav16(talk.samples.subarray(Math.ceil(alone.start * 16000), Math.floor(alone.end * 16000))));
      return join(voices, file);
    };
    const alice = clipOf(talk.speakers[1]!, "alice.wav");
    const bob = join(voices, "bob.json");
    const printed = runCli(["voice-print", clipOf(talk.speakers[3]!, "bob.wav"), "--out", bob, "--threads", THREADS, "-q"]);
    expect([printed.code, printed.stderr]).toEqual([0, ""]);
    const voiceFlags = ["--voice", `Alice=${alice}`, "--voice", `Bob=${bob}`, "--voice-threshold", "0.6"];
    const runs = [
      { file: good[0]!, flags: ["--pipeline", "vad-windows", "--cluster", "auto", "--merge-cosine", "0.7", "--windows", "accurate"] },
      { file: panel, flags: ["--min-cluster-speech", "off"] },
      { file: panel, flags: voiceFlags, outDir: join(dir, "voices-out") },
    ];
    // The local CLI's results, computed alongside.
    const references = runs.map(({ file, flags }, i) =>
      Bun.spawn(senko([file, "--out-dir", join(dir, `options-ref${i}`), "--format", "json", "--threads", THREADS, "-q", ...flags]), { cwd: root, stdout: "ignore", stderr: "pipe" }),
    );
    for (const { file, flags, outDir = out } of runs) {
      const submitted = runCli(["submit", "--redis", redis.url, "--queue", queue, file, "--out-dir", outDir, "-q", ...flags]);
      expect([submitted.code, submitted.stderr]).toEqual([0, ""]);
    }
    // The job carries the prints, not the files' names: the workers need neither (another machine would have neither).
    expect(await references[2]!.exited).toBe(0);
    rmSync(voices, { recursive: true });
    const waiting = new Queue<JobData, JobResult>(queue, { connection: { url: redis.url } });
    const voiceJob = (await waiting.getWaiting()).find((job) => job.data.options.voices);
    await waiting.close();
    expect(Object.keys(voiceJob!.data.options.voices!)).toEqual(["Alice", "Bob"]);
    expect(voiceJob!.data.options.voices!.Alice!.vector).toHaveLength(192);
    expect(voiceJob!.data.options.voiceThreshold).toBe(0.6);
    // The voices and the threshold are in the job id; the same prints again are the same job.
    const print = { ...voiceJob!.data.options.voices!.Bob!, vector: Float32Array.from(voiceJob!.data.options.voices!.Bob!.vector) };
    const ids = new Set<string | undefined>();
    for (const options of [{ voices: { Bob: print } }, { voices: { Bob: print }, voiceThreshold: 0.4 }, { voices: { Bob: { ...print, vector: print.vector.map((x) => -x) } } }, {}]) {
      const [first, again] = [await submitFiles([panel], { redis: redis.url, queue: "senko-voice-ids", outDir: out, options }), await submitFiles([panel], { redis: redis.url, queue: "senko-voice-ids", outDir: out, options })];
      expect([first[0]!.state, again[0]!.state, again[0]!.jobId]).toEqual(["queued", "waiting", first[0]!.jobId]);
      ids.add(first[0]!.jobId);
    }
    expect(ids.size).toBe(4);
    // Off is Infinity in TypeScript, which JSON cannot carry: the job holds "off", so this is the CLI's job again.
    const [same] = await submitFiles([panel], { redis: redis.url, queue, outDir: out, options: { minClusterSpeechSec: Infinity } });
    expect(same!.state).toBe("waiting");
    // A job whose Infinity another producer wrote as JSON's null: failed at once with what is wrong, not retried.
    const nulled: JobData = { file: good[1]!, sha256: await hashFile(good[1]!), outDir: out, name: "nulled", formats: ["json"], options: { minClusterSpeechSec: null as unknown as number } };
    const raw = new Queue<JobData, JobResult>(queue, { connection: { url: redis.url } });
    await raw.add("diarize", nulled, { ...JOB_OPTIONS, jobId: jobId(nulled) });
    await raw.close();

    const events: WorkerEvent[] = [];
    const worker = await startWorker({ redis: redis.url, queue, name: "options", threads: Number(THREADS), onEvent: (e) => events.push(e) });
    for (let polls = 0; events.filter((e) => e.kind === "done" || e.kind === "failed").length < 4; polls++) {
      expect(polls).toBeLessThan(3000);
      await Bun.sleep(20);
    }
    await worker.close();
    expect(events.filter((e) => e.kind === "failed")).toEqual([
      { kind: "failed", jobId: jobId(nulled), file: good[1]!, message: 'the job\'s minClusterSpeechSec must be a number of seconds or "off", got null', willRetry: false },
    ]);
    for (const [i, { file, outDir = out }] of runs.entries()) {
      expect(await references[i]!.exited).toBe(0);
      const name = `${basename(file, ".wav")}.json`;
      expect(withoutTimings(readFileSync(join(outDir, name), "utf8"))).toEqual(withoutTimings(readFileSync(join(dir, `options-ref${i}`, name), "utf8")));
    }
    const named = JSON.parse(readFileSync(join(dir, "voices-out", `${basename(panel, ".wav")}.json`), "utf8"));
    expect(Object.values(named.speakerVoices).map((v) => (v as { voice: string | null }).voice).filter(Boolean).sort()).toEqual(["Alice", "Bob"]);
  }, 120_000);

  test("an output directory the worker cannot make fails its job at once, before any work, with the CLI's message", async () => {
    writeFileSync(join(dir, "plain-file"), "not a directory");
    const queue = "senko-outdir-test";
    const outDir = join(dir, "plain-file", "sub");
    await submitFiles([good[0]!], { redis: redis.url, queue, outDir, formats: ["json"] });
    const events: WorkerEvent[] = [];
    const worker = await startWorker({ redis: redis.url, queue, name: "outdir", onEvent: (e) => events.push(e) });
    while (!events.some((e) => e.kind === "failed")) await Bun.sleep(20);
    await worker.close();
    expect(events.find((e) => e.kind === "failed")).toMatchObject({ message: `cannot create ${outDir}: a parent in the path is not a directory`, willRetry: false });
    expect(events.some((e) => e.kind === "done")).toBe(false);
  });

  test("a Redis that is not there is one clear error, in seconds; signals end a worker as they end senko; a worker whose Redis goes away writes its job's results and stops, and another completes the job", async () => {
    // A Redis that keeps no data (a worker warns of it).
    const cache = await startRedis({ keepData: false });
    const worker = (name: string, url: string, queue: string, ...flags: string[]) =>
      new Logged(senko(["worker", "--redis", url, "--queue", queue, "--threads", THREADS, "--name", name, ...flags]));
    // Workers whose requests to Redis can be held on their way, as on a slow network or one that drops
    // everything while the connection stays up.
    const stall = await holdingProxy(cache.port);
    const stalled = (name: string, ...flags: string[]) => worker(name, `redis://127.0.0.1:${stall.port}`, `senko-${name}`, ...flags);
    const [silent, intTerm, termInt] = [stalled("silent", "--lock-timeout", "1"), stalled("int-term"), stalled("term-int")];
    const proxy = await holdingProxy(cache.port);
    const fetching = worker("fetching", `redis://127.0.0.1:${proxy.port}`, "senko-fetch");
    // Two workers whose Redis goes away mid-job for longer than their lock timeout (2 s): one process, one here.
    const awayOut = join(dir, "away-out");
    const away = worker("away", redis.url, "senko-away", "--lock-timeout", "2");
    const events: [number, WorkerEvent][] = [];
    const inputs = good.filter((file) => /-[ab]\.wav$/.test(file)).slice(0, 2); // 15 s each
    // The command lines below, all at once (each is a process of its own): [arguments, exit code, stderr].
    const invalid = [
      [["--pipeline", "vad-windows", "--merge-cosine", "1.5"], '--merge-cosine takes a number in (0, 1], got "1.5"'],
      [["--min-cluster-speech", "never"], '--min-cluster-speech takes a number of seconds above 0 or "off", got "never"'],
      [["--windows", "accurate"], "--windows applies to the vad-windows pipeline only: add --pipeline vad-windows"],
      // Refused before Redis is asked: --vad does nothing for the default pipeline.
      [["--vad", "silero"], "--vad applies to the vad-windows pipeline only: add --pipeline vad-windows"],
    ] as const;
    const nothingListens = "nothing listens on 127.0.0.1:1 (connection refused): is redis-server running there, on that port?";
    const cases: [string[], number, string][] = [
      [["status", "--redis", "redis://127.0.0.1:1"], 1, `senko: cannot reach Redis at redis://127.0.0.1:1: ${nothingListens}\n`],
      // A worker waits through Redis restarts, but one that cannot reach Redis as it starts says so and ends.
      [["worker", "--redis", "redis://127.0.0.1:1", "-q"], 1, `senko: cannot reach Redis at redis://127.0.0.1:1: ${nothingListens}\n`],
      [["submit", "--redis", "http://x", good[0]!, "--out-dir", dir], 2, 'senko: --redis takes a redis:// or rediss:// URL, got "http://x"\n'],
      // senko <audio>'s diarization options, checked as it checks them, before Redis is asked.
      ...invalid.map(([flags, message]): [string[], number, string] => [["submit", "--redis", "redis://127.0.0.1:1", good[0]!, "--out-dir", dir, ...flags], 2, `senko: ${message}\n`]),
      // An option of another subcommand would be ignored (a job's options come from submit): refused.
      [["status", "--redis", "redis://127.0.0.1:1", "--num-speakers", "2", "--threads", "1"], 2, "senko: status does not take --num-speakers, --threads (see bun run diarize.ts status --help)\n"],
    ];
    const runs = cases.map(([args]) => {
      const proc = Bun.spawn(senko(args), { cwd: root, stdout: "ignore", stderr: "pipe", timeout: 60_000 });
      return Promise.all([proc.exited, new Response(proc.stderr).text()]);
    });
    let back: QueueWorker | undefined;
    let redisDown = false;
    try {
      // Signals, first and second, while Redis stops answering (nothing comes back, the connection stays up):
      // a worker ends by the last signal it got, as senko <audio> does (the shell sees 130 / 143). After the
      // first it waits for Redis at most the lock timeout (1 s for "silent"), not for ever; a second ends it at once.
      await Promise.all([silent, intTerm, termInt].map((w) => w.waitFor(/: waiting for jobs/)));
      stall.hold();
      const silenced = (async () => {
        const signalAt = performance.now();
        silent.process.kill("SIGINT");
        await silent.process.exited;
        return [silent.process.signalCode, (performance.now() - signalAt) / 1000] as const;
      })();
      const signalled = [
        [intTerm, "SIGINT", "SIGTERM"],
        [termInt, "SIGTERM", "SIGINT"],
      ] as const;
      const stopped = signalled.map(async ([w, first, second]) => {
        w.process.kill(first);
        await w.waitFor(/: finishing the running job/);
        w.process.kill(second);
        await w.process.exited;
        return [w.process.signalCode, w.lines.at(-1)];
      });
      // SIGTERM while the job the worker has just taken from the queue is on its way to it: it runs and
      // records that job (a bad input: it fails at once), then stops (it used to close at once: the job,
      // taken by no one, waited out the lock timeout).
      const fetched = (async () => {
        await fetching.waitFor(/: waiting for jobs/);
        const blocked = new RegExp(`name=bull:${btoa("senko-fetch")}.* cmd=bzpopmin`);
        while (!blocked.test(cache.cli("client", "list"))) await Bun.sleep(20);
        proxy.hold();
        const raw = new Queue<JobData, JobResult>("senko-fetch", { connection: { url: cache.url } });
        const badJob = await queueUnchecked(raw, bad[0]!, join(dir, "fetch-out"));
        await Bun.sleep(200); // Redis's answer reaches the worker, which asks for the job: held
        fetching.process.kill("SIGTERM");
        await fetching.waitFor(/: finishing the running job/);
        proxy.release();
        await fetching.process.exited;
        const state = await (await raw.getJob(badJob))!.getState();
        await raw.close();
        return [fetching.process.signalCode, state];
      })();

      await away.waitFor(/: waiting for jobs/);
      back = await startWorker({ redis: redis.url, queue: "senko-away", name: "back", threads: Number(THREADS), lockTimeoutSec: 2, onEvent: (e) => events.push([performance.now(), e]) });
      await submitFiles(inputs, { redis: redis.url, queue: "senko-away", outDir: awayOut });
      const awayJob = /started (j[0-9a-f]+) /.exec((await away.waitFor(/: started /)).line)![1]!;
      while (!events.some(([, e]) => e.kind === "started")) await Bun.sleep(20);
      const downAt = performance.now();
      await redis.down();
      redisDown = true;
      // Both jobs end and write their results; their locks, last renewed before Redis went, are lost 2 s after.
      const outputs = inputs.map((file) => join(awayOut, `${basename(file, ".wav")}.json`));
      while (!outputs.every((path) => existsSync(path)) || performance.now() < downAt + 2500) await Bun.sleep(20);
      // SIGTERM: its job's lock is known lost, nothing Redis could still record: the worker stops at once.
      const termAt = performance.now();
      away.process.kill("SIGTERM");
      await away.process.exited;
      const stopSec = (performance.now() - termAt) / 1000;
      expect(away.process.signalCode).toBe("SIGTERM");
      expect(away.lines).toContain(`senko worker away: Redis at ${redis.url} did not record the end of ${awayJob}: another worker will run it again`);
      expect(away.lines.at(-1)).toBe("senko worker away: stopped");
      expect(stopSec).toBeLessThan(1);
      // Redis back: both jobs are back in the queue (the one here lost its lock too), and run again, once each.
      await redis.up();
      redisDown = false;
      for (let polls = 0; events.filter(([, e]) => e.kind === "done").length < inputs.length; polls++) {
        expect(polls).toBeLessThan(1200);
        await Bun.sleep(50);
      }
      expect(readdirSync(awayOut).sort()).toEqual(outputs.map((path) => basename(path)).sort());
      expect(new Set(events.flatMap(([, e]) => (e.kind === "done" ? [e.file] : [])))).toEqual(new Set(inputs));
      // Each distinct error is logged at most once in 10 s: the absent Redis once, and the lost lock after it, not hidden behind it.
      const logged = events.flatMap(([at, e]) => (e.kind === "redis" ? [{ at, message: e.message }] : []));
      const absent = logged.filter(({ message }) => message.includes("(connection refused)"));
      expect(absent).toHaveLength(1);
      expect(logged.some(({ at, message }) => /lock/.test(message) && at > absent[0]!.at)).toBe(true);
      for (const { at, message } of logged) expect(logged.filter((other) => other.message === message && Math.abs(other.at - at) < 10_000)).toHaveLength(1);

      expect(await fetched).toEqual(["SIGTERM", "failed"]);
      const [silentSignal, silentSec] = await silenced;
      expect([silentSignal, silentSec < 10]).toEqual(["SIGINT", true]);
      expect(silent.lines).toEqual([
        `senko worker silent: Redis at redis://127.0.0.1:${stall.port} keeps no data across a restart (appendonly no, save ""): a restart empties the queue, and jobs waiting then are never run (start it with --appendonly yes)`,
        "senko worker silent: waiting for jobs on senko-silent",
        "senko worker silent: SIGINT: finishing the running job(s), then stopping (send it again to stop at once)",
        "senko worker silent: stopped",
      ]);
      expect(await Promise.all(stopped)).toEqual([
        ["SIGTERM", "senko worker int-term: SIGTERM: stopped at once (running jobs go to another worker after the lock timeout)"],
        ["SIGINT", "senko worker term-int: SIGINT: stopped at once (running jobs go to another worker after the lock timeout)"],
      ]);
      for (const [i, [code, stderr]] of (await Promise.all(runs)).entries()) expect([code, stderr]).toEqual([cases[i]![1], cases[i]![2]]);
    } finally {
      await back?.close();
      for (const w of [silent, intTerm, termInt, fetching, away]) w.process.kill("SIGKILL");
      proxy.close();
      stall.close();
      await cache.stop();
      if (redisDown) await redis.up();
    }
  }, 120_000);
});

test("the queue commands' stdout on a full disk (--help > /dev/full): one line and exit 2, as for senko <audio>", async () => {
  for (const command of ["submit", "status"]) {
    const proc = Bun.spawn(senko([command, "--help"]), { cwd: root, stdout: Bun.file("/dev/full"), stderr: "pipe" });
    const [code, stderr] = await Promise.all([proc.exited, new Response(proc.stderr).text()]);
    expect({ code, stderr }).toEqual({ code: 2, stderr: "senko: cannot write to stdout: no space left on the device\n" });
  }
});
