/**
 * @module A real redis-server for tests and benchmarks, on a free loopback port, with its data in a
 * temporary directory (append-only file on, so a restart keeps the queue as a production Redis would).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export const redisServerPath = Bun.which("redis-server");
const redisCliPath = Bun.which("redis-cli");

export interface RedisServer {
  url: string;
  port: number;
  /** runs redis-cli against this server and returns its stdout */
  cli(...args: string[]): string;
  /** SIGTERM (Redis writes its data and exits), then the same server again on the same port and data */
  restart(pauseMs?: number): Promise<void>;
  /** SIGTERM: Redis writes its data and exits, until up() */
  down(): Promise<void>;
  /** the same server again on the same port and data */
  up(): Promise<void>;
  /** SIGSTOP: Redis stops answering while its connections stay up (a hung server), until resume() */
  pause(): void;
  resume(): void;
  stop(): Promise<void>;
}

/** A port nothing listens on now: the kernel's pick for a socket bound to port 0. */
function freePort(): number {
  const socket = Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { data() {} } });
  const port = socket.port;
  socket.stop(true);
  return port;
}

/**
 * `keepData: false` runs it as a cache (no AOF, no RDB snapshots): a restart empties it. With `password`,
 * it refuses clients without it (`url` leaves it out; `cli` gives it).
 */
export async function startRedis({ keepData = true, password = "" } = {}): Promise<RedisServer> {
  if (!redisServerPath || !redisCliPath) throw new Error("redis-server is not installed (npm run setup installs it)");
  const dir = mkdtempSync(join(tmpdir(), "senko-redis-"));
  const port = freePort();
  const cli = (...args: string[]) => {
    const auth = password === "" ? [] : ["-a", password, "--no-auth-warning"];
    const run = Bun.spawnSync([redisCliPath, "-p", String(port), ...auth, ...args], { stdout: "pipe", stderr: "pipe" });
    return run.stdout.toString();
  };
  const launch = async () => {
    const server = Bun.spawn(
      [redisServerPath, "--port", String(port), "--bind", "127.0.0.1", "--dir", dir, "--appendonly", keepData ? "yes" : "no", "--save", "", "--maxmemory-policy", "noeviction", ...(password === "" ? [] : ["--requirepass", password])],
      { stdout: "ignore", stderr: "inherit" },
    );
    for (let i = 0; i < 200; i++) {
      if (cli("ping").trim() === "PONG") return server;
      if (server.exitCode !== null) break;
      await Bun.sleep(25);
    }
    server.kill("SIGKILL");
    throw new Error(`redis-server did not start on port ${port}`);
  };
  let server = await launch();
  const halt = async () => {
    server.kill("SIGCONT");
    server.kill("SIGTERM");
    await server.exited;
  };
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    cli,
    async restart(pauseMs = 500) {
      await halt();
      await Bun.sleep(pauseMs);
      server = await launch();
    },
    down: halt,
    async up() {
      server = await launch();
    },
    pause() {
      server.kill("SIGSTOP");
    },
    resume() {
      server.kill("SIGCONT");
    },
    async stop() {
      await halt();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
