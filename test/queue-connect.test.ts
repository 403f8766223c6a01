/**
 * Redis refusing a client, going away as a worker starts, or not answering: `senko submit | status | worker`
 * and the TypeScript functions say what is wrong in one line, in seconds, and leave nothing running (real
 * redis-servers: with a password, SIGSTOPped, without TLS, and one behind a proxy that stops as the worker connects).
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { connect, createServer, type AddressInfo, type Server, type Socket } from "node:net";
import { join, resolve } from "node:path";
import { queueStatus, startWorker, submitFiles, type QueueError, type WorkerEvent } from "../src/index.ts";
import { redisServerPath, startRedis, type RedisServer } from "./helpers/redis.ts";
import { skipWithout } from "./helpers/skip.ts";
import { vanishingProxy } from "./helpers/vanishing-proxy.ts";
import { wav16 } from "./helpers/wav.ts";

const root = resolve(import.meta.dir, "..");
const bun = join(root, "node_modules", ".bin", "bun");
const PASSWORD = "s3cret";

/** The command's exit code and stderr; a process still running after 20 s is killed (exit code null then). */
async function senko(args: string[]): Promise<[number | null, string]> {
  const proc = Bun.spawn([bun, "run", join(root, "diarize.ts"), ...args], { cwd: root, stdout: "ignore", stderr: "pipe", timeout: 20_000, killSignal: "SIGKILL" });
  const [code, stderr] = await Promise.all([proc.exited, new Response(proc.stderr).text()]);
  return [proc.signalCode === null ? code : null, stderr];
}

/** How a promise settles: its value, or the error's name and message; and in how many seconds. */
async function settled<T>(promise: Promise<T>): Promise<{ outcome: T | string; seconds: number }> {
  const start = performance.now();
  const outcome = await promise.then(
    (value) => value,
    (error: Error) => `${error.name}: ${error.message}`,
  );
  return { outcome, seconds: (performance.now() - start) / 1000 };
}

/** A TCP server on a free loopback port. */
async function tcpServer(onClient: (client: Socket) => void): Promise<{ port: number; server: Server }> {
  const server = createServer((client) => {
    client.on("error", () => {});
    onClient(client);
  });
  await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
  return { port: (server.address() as AddressInfo).port, server };
}

describe.skipIf(skipWithout("queue-connect.test.ts", { "redis-server (npm run setup installs it)": redisServerPath }))("Redis refusing a client, going as a worker starts, or not answering", () => {
  let locked: RedisServer;
  let dir: string;

  beforeAll(async () => {
    locked = await startRedis({ keepData: false, password: PASSWORD });
    dir = mkdtempSync(join(tmpdir(), "senko-queue-connect-"));
  });

  afterAll(async () => {
    await locked?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test("a Redis with a password, given none or a wrong one: one line that says so and how to give it, exit 2, from the CLI and TypeScript", async () => {
    const audio = join(dir, "a.wav");
    writeFileSync(audio, wav16(new Float32Array(16000)));
    const port = locked.port;
    const none = `redis://127.0.0.1:${port}`;
    const wrong = `redis://:nope@127.0.0.1:${port}`;
    const wrongUser = `redis://senko:nope@127.0.0.1:${port}/2`;
    const noAuth = `Redis at ${none} refused: authentication required (NOAUTH); put the password in the URL: redis://:<password>@127.0.0.1:${port}`;
    const wrongPass = `Redis at redis://:***@127.0.0.1:${port} refused: wrong password (WRONGPASS); put the right one in the URL: redis://:<password>@127.0.0.1:${port}`;
    const wrongUserPass = `Redis at redis://senko:***@127.0.0.1:${port}/2 refused: wrong password or user "senko" (WRONGPASS); put the right one in the URL: redis://senko:<password>@127.0.0.1:${port}/2`;
    const cases: [string[], string][] = [
      [["status", "--redis", none], noAuth],
      [["submit", "--redis", none, audio, "--out-dir", dir], noAuth],
      [["worker", "--redis", none, "-q"], noAuth],
      [["status", "--redis", wrong], wrongPass],
      [["submit", "--redis", wrong, audio, "--out-dir", dir], wrongPass],
      [["worker", "--redis", wrongUser, "-q"], wrongUserPass],
    ];
    const runs = await Promise.all(cases.map(([args]) => senko(args)));
    // A user's error, as a bad option is: the URL cannot work, trying again cannot help.
    expect(runs).toEqual(cases.map(([, message]) => [2, `senko: ${message}\n`]));

    const api = await Promise.all([
      settled(queueStatus({ redis: none })),
      settled(submitFiles([audio], { redis: wrong, outDir: dir })),
      settled(startWorker({ redis: none, name: "no-password" })),
      settled(startWorker({ redis: wrongUser, name: "wrong-user" })),
    ]);
    expect(api.map(({ outcome }) => outcome)).toEqual([`QueueError: ${noAuth}`, `QueueError: ${wrongPass}`, `QueueError: ${noAuth}`, `QueueError: ${wrongUserPass}`]);
    expect(await queueStatus({ redis: wrong }).catch((error: QueueError) => error.userError)).toBe(true);
    // Refused at once: trying again cannot help.
    for (const { seconds } of api) expect(seconds).toBeLessThan(3);
    // The right password in the URL works.
    const status = await queueStatus({ redis: `redis://:${PASSWORD}@127.0.0.1:${port}` });
    expect(status.counts).toEqual({ waiting: 0, active: 0, done: 0, failed: 0 });
  });

  test("a host that does not exist: one line naming the Redis (without its password) and why, exit 2, from the CLI and TypeScript", async () => {
    const url = "redis://:s3cret@no-such-host.invalid:6379/1";
    const at = "redis://:***@no-such-host.invalid:6379/1";
    const audio = join(dir, "c.wav");
    writeFileSync(audio, wav16(new Float32Array(16000)));
    const runs = await Promise.all([["status", "--redis", url], ["submit", "--redis", url, audio, "--out-dir", dir], ["worker", "--redis", url, "-q"]].map((args) => senko(args)));
    const api = await Promise.all([queueStatus({ redis: url }), startWorker({ redis: url, name: "nowhere" })].map((call) => call.then(() => "connected", (error: QueueError) => [error.message, error.userError])));
    // A machine without a resolver that answers cannot tell a name that does not exist: no DNS answer then (exit 1).
    for (const [code, stderr] of runs) {
      expect(stderr).toBeOneOf([
        `senko: cannot reach Redis at ${at}: there is no host named no-such-host.invalid (the name does not resolve): check the host in the URL\n`,
        `senko: cannot reach Redis at ${at}: the name no-such-host.invalid could not be looked up now (EAI_AGAIN: no answer from DNS)\n`,
      ]);
      expect(code).toBe(stderr.includes("EAI_AGAIN") ? 1 : 2);
    }
    for (const [message, userError] of api as [string, boolean][]) {
      expect(message).toStartWith(`cannot reach Redis at ${at}: `);
      expect(userError).toBe(!message.includes("EAI_AGAIN"));
    }
  }, 30_000);

  test("a host that does not resolve ends submit, status and worker at once: each within 0.5 s of `senko status --help` (a second more before)", async () => {
    const audio = join(dir, "d.wav");
    writeFileSync(audio, wav16(new Float32Array(16000)));
    const url = "redis://no-such-host.invalid:6379";
    /** The shortest of two runs' wall time, from spawn to exit (Bun's start and the module load included). */
    const fastest = async (args: string[]) => {
      const seconds: number[] = [];
      for (let run = 0; run < 2; run++) {
        const start = performance.now();
        await senko(args);
        seconds.push((performance.now() - start) / 1000);
      }
      return Math.min(...seconds);
    };
    // The same modules load for --help: what is left is the time the failure itself takes.
    const baseline = await fastest(["status", "--help"]);
    for (const args of [["submit", "--redis", url, audio, "--out-dir", dir], ["status", "--redis", url], ["worker", "--redis", url, "-q"]]) {
      expect(await fastest(args)).toBeLessThan(baseline + 0.5);
    }
  }, 60_000);

  test("a started worker whose Redis asks for a password from then on says so in the same words", async () => {
    const redis = await startRedis({ keepData: false });
    const events: WorkerEvent[] = [];
    const worker = await startWorker({ redis: redis.url, name: "locked-out", onEvent: (event) => events.push(event) });
    try {
      redis.cli("config", "set", "requirepass", PASSWORD);
      redis.cli("-a", PASSWORD, "--no-auth-warning", "client", "kill", "type", "normal");
      const line = `Redis at ${redis.url} refused: authentication required (NOAUTH); put the password in the URL: redis://:<password>@127.0.0.1:${redis.port}`;
      for (const deadline = performance.now() + 10_000; !events.some((event) => event.kind === "redis" && event.message === line); ) {
        if (performance.now() > deadline) throw new Error(`no "${line}" in ${JSON.stringify(events)}`);
        await Bun.sleep(20);
      }
    } finally {
      await worker.close();
      await redis.stop();
    }
  }, 30_000);

  test("a port where another server answers (a web server, TLS), or Redis refusing in protected mode: one line that says which, at once", async () => {
    // Redis in protected mode (the default: no password set) refuses clients from other machines: reached
    // through a relay from 127.0.0.3, not its own loopback address, it sends -DENIED and closes.
    const redis = await startRedis({ keepData: false });
    const { port: relay, server: relayServer } = await tcpServer((client) => {
      const upstream = connect({ host: "127.0.0.1", port: redis.port, localAddress: "127.0.0.3" });
      client.pipe(upstream).pipe(client);
      client.on("error", () => upstream.destroy());
      upstream.on("error", () => client.destroy());
    });
    const { port: web, server: webServer } = await tcpServer((client) => client.once("data", () => client.end("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n")));
    // A TLS server answers a plain-text client with an alert.
    const { port: tls, server: tlsServer } = await tcpServer((client) => client.once("data", () => client.end(new Uint8Array([0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 0x32]))));
    try {
      const url = (port: number) => `redis://127.0.0.1:${port}`;
      const denied = `Redis at ${url(relay)} refused: protected mode (no password is set, so it takes clients on its own machine only); give it one (requirepass) and put it in the URL: redis://:<password>@127.0.0.1:${relay}, or start it with --protected-mode no where only trusted machines reach it`;
      const http = `cannot use Redis at ${url(web)}: the server there is not Redis (it answered "HTTP/1.1 400 Bad Request": a web server); check the host and port`;
      const alert = `cannot use Redis at ${url(tls)}: the server there speaks TLS: for a Redis with TLS, use rediss://`;
      const audio = join(dir, "b.wav");
      writeFileSync(audio, wav16(new Float32Array(16000)));
      const cases: [string[], string][] = [
        [["status", "--redis", url(relay)], denied],
        [["submit", "--redis", url(relay), audio, "--out-dir", dir], denied],
        [["worker", "--redis", url(relay), "-q"], denied],
        [["status", "--redis", url(web)], http],
        [["worker", "--redis", url(web), "-q"], http],
        [["submit", "--redis", url(tls), audio, "--out-dir", dir], alert],
      ];
      const [runs, api] = await Promise.all([Promise.all(cases.map(([args]) => senko(args))), settled(startWorker({ redis: url(relay), name: "protected" }))]);
      expect(runs).toEqual(cases.map(([, message]) => [2, `senko: ${message}\n`]));
      expect(api.outcome).toBe(`QueueError: ${denied}`);
      expect(api.seconds).toBeLessThan(3);
    } finally {
      for (const server of [relayServer, webServer, tlsServer]) server.close();
      await redis.stop();
    }
  }, 30_000);

  test("a Redis that goes as a worker connects, does not answer, or is asked for TLS it lacks: startWorker and senko fail in one line, in seconds, and end", async () => {
    const redis = await startRedis({ keepData: false });
    const hung = await startRedis({ keepData: false });
    const [forApi, forCli] = await Promise.all([vanishingProxy(redis.port), vanishingProxy(redis.port)]);
    try {
      hung.pause();
      const refused = (port: number) => `cannot reach Redis at redis://127.0.0.1:${port}: nothing listens on 127.0.0.1:${port} (connection refused): is redis-server running there, on that port?`;
      const started = settled(startWorker({ redis: forApi.url, name: "vanishing" }).then((worker) => worker.close().then(() => "started")));
      const tls = `rediss://127.0.0.1:${redis.port}`;
      const runs = [senko(["worker", "--redis", forCli.url]), senko(["worker", "--redis", hung.url]), senko(["status", "--redis", tls])];
      const [[cli, silent, overTls], api] = await Promise.all([Promise.all(runs), started]);
      expect(api.outcome).toBe(`QueueError: ${refused(forApi.port)}`);
      expect(api.seconds).toBeLessThan(10);
      // No log line of the outage before it: the worker never started.
      expect(cli).toEqual([1, `senko: ${refused(forCli.port)}\n`]);
      expect(silent).toEqual([1, `senko: cannot use Redis at ${hung.url}: no answer within 5 s\n`]);
      expect(overTls).toEqual([1, `senko: cannot use Redis at ${tls}: no answer within 5 s (over TLS: for a Redis without TLS, use redis://)\n`]);
    } finally {
      for (const { server } of [forApi, forCli]) server.close();
      hung.resume();
      await Promise.all([redis.stop(), hung.stop()]);
    }
  });
});
