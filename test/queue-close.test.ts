/**
 * The queue from TypeScript when Redis stops answering: killed, or SIGSTOPped (its connections stay up and
 * nothing comes back, as with a hung server). A worker's close() resolves within bounds, queueStatus fails in
 * seconds, and the process (a child here, so that its end is observable) then ends by itself: no client is left
 * reconnecting and no timer holds it.
 */
import { afterAll, describe, expect, test } from "bun:test";
import { join, resolve } from "node:path";
import { redisServerPath, startRedis, type RedisServer } from "./helpers/redis.ts";
import { skipWithout } from "./helpers/skip.ts";

const root = resolve(import.meta.dir, "..");
const bun = join(root, "node_modules", ".bin", "bun");
/** Resumed and stopped after the test, however it ends (a stopped redis-server would outlive it). */
const servers: RedisServer[] = [];

/** Runs the child until it says "ready", stops Redis as `how` says, and times what follows. */
async function closeAfterRedisStops(how: "killed" | "stopped") {
  const redis = await startRedis();
  servers.push(redis);
  const child = Bun.spawn([bun, join(import.meta.dir, "helpers", "queue-close-child.ts"), redis.url], { cwd: root, stdin: "pipe", stdout: "pipe", stderr: "inherit" });
  const lines: string[] = [];
  void (async () => {
    let rest = "";
    for await (const chunk of child.stdout) {
      const parts = (rest + new TextDecoder().decode(chunk)).split("\n");
      rest = parts.pop()!;
      lines.push(...parts);
    }
  })();
  // Four waits at most fit in the test's timeout.
  const waitFor = async (prefix: string) => {
    for (const deadline = performance.now() + 25_000; !lines.some((line) => line.startsWith(prefix)); ) {
      if (child.exitCode !== null || performance.now() > deadline) throw new Error(`${how}: no "${prefix}" line after: ${lines.join(" | ")}`);
      await Bun.sleep(10);
    }
    return lines.find((line) => line.startsWith(prefix))!;
  };
  try {
    await waitFor("ready");
    if (how === "killed") await redis.down();
    else redis.pause();
    child.stdin.write("close\n");
    await child.stdin.flush();
    const closed = Number((await waitFor("closed ")).split(" ")[1]);
    const status = await waitFor("status ");
    // From here the child has nothing left to do: it must end by itself.
    const statusAt = performance.now();
    const exited = await Promise.race([child.exited, Bun.sleep(25_000).then(() => "still running")]);
    const exitSec = (performance.now() - statusAt) / 1000;
    return { closed, status, exited, exitSec };
  } finally {
    child.kill("SIGKILL");
  }
}

describe.skipIf(skipWithout("queue-close.test.ts", { "redis-server (npm run setup installs it)": redisServerPath }))("queue from TypeScript when Redis stops answering", () => {
  afterAll(async () => {
    await Promise.all(servers.map((redis) => redis.stop()));
  });

  test("a worker's close() resolves in seconds, queueStatus fails in seconds, then the process ends by itself", async () => {
    const [killed, stopped] = await Promise.all([closeAfterRedisStops("killed"), closeAfterRedisStops("stopped")]);
    // Killed: nothing to wait for. Stopped: the connection looks up, so close() waits for the lock timeout (1 s).
    expect(killed.closed).toBeLessThan(5);
    expect(stopped.closed).toBeLessThan(10);
    expect(killed.status).toMatch(/^status \d+\.\d+ QueueError: cannot reach Redis at redis:\/\/127\.0\.0\.1:\d+: nothing listens on 127\.0\.0\.1:\d+ \(connection refused\)/);
    expect(stopped.status).toMatch(/^status \d+\.\d+ QueueError: cannot (use|reach) Redis at redis:\/\/127\.0\.0\.1:\d+: /);
    for (const { status } of [killed, stopped]) expect(Number(status.split(" ")[1])).toBeLessThan(20);
    expect([killed.exited, stopped.exited]).toEqual([0, 0]);
    // BullMQ's watchdog of its blocking wait for a job (drainDelay 5 s + 1 s) may still run out after close().
    expect(Math.max(killed.exitSec, stopped.exitSec)).toBeLessThan(15);
  }, 110_000);
});
