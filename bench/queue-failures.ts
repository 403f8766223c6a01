/**
 * How long `senko worker` and `senko status` take to say that Redis cannot be used, and what they say:
 *   bun run bench:queue-failures [tree ...]
 * Each tree (default: this one; another checkout to compare, its node_modules linked) runs its diarize.ts
 * three times per case against real redis-servers on free loopback ports: nothing listening, a password
 * Redis given none or a wrong one, a Redis that goes as the worker connects (a proxy that stops at its
 * second connection), a SIGSTOPped Redis, a host name that does not resolve (submit, status, worker), and
 * for comparison status of a Redis that answers. Printed: the median wall time from spawn to exit (Bun's start and
 * the module load included; a process still running at 20 s is killed), the exit code and the stderr lines.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { startRedis } from "../test/helpers/redis.ts";
import { vanishingProxy } from "../test/helpers/vanishing-proxy.ts";
import { wav16 } from "../test/helpers/wav.ts";
import { benchArgs } from "./args.ts";

const root = resolve(import.meta.dir, "..");
const bun = resolve(root, "node_modules", ".bin", "bun");
const { positionals } = benchArgs(import.meta.path, {}, { positionals: true });
const trees = positionals.length > 0 ? positionals.map((tree) => resolve(tree)) : [root];
const KILL_AFTER_MS = 20_000;

const plain = await startRedis({ keepData: false });
const locked = await startRedis({ keepData: false, password: "bench" });
const hung = await startRedis({ keepData: false });
hung.pause();
const dir = mkdtempSync(join(tmpdir(), "senko-bench-queue-failures-"));
const audio = join(dir, "a.wav");
writeFileSync(audio, wav16(new Float32Array(16000)));
const nowhere = "redis://no-such-host.invalid:6379";
const proxies: { server: { close(): void } }[] = [];
const cases: [string, () => Promise<string[]>][] = [
  ["worker, nothing listening", async () => ["worker", "--redis", "redis://127.0.0.1:1", "-q"]],
  ["status, password Redis, no password", async () => ["status", "--redis", `redis://127.0.0.1:${locked.port}`]],
  ["worker, password Redis, wrong password", async () => ["worker", "--redis", `redis://:wrong@127.0.0.1:${locked.port}`, "-q"]],
  [
    "worker, Redis gone as it connects",
    async () => {
      const proxy = await vanishingProxy(plain.port);
      proxies.push(proxy);
      return ["worker", "--redis", proxy.url, "-q"];
    },
  ],
  ["worker, Redis SIGSTOPped", async () => ["worker", "--redis", hung.url, "-q"]],
  ["submit, a host that does not resolve", async () => ["submit", "--redis", nowhere, audio, "--out-dir", dir, "-q"]],
  ["status, a host that does not resolve", async () => ["status", "--redis", nowhere]],
  ["worker, a host that does not resolve", async () => ["worker", "--redis", nowhere, "-q"]],
  ["status, a Redis that answers (for comparison)", async () => ["status", "--redis", plain.url]],
];
try {
  for (const [what, args] of cases) {
    for (const tree of trees) {
      const seconds: number[] = [];
      let outcome = "";
      for (let run = 0; run < 3; run++) {
        const argv = await args();
        const start = performance.now();
        const child = Bun.spawn([bun, "run", resolve(tree, "diarize.ts"), ...argv], { cwd: tree, stdout: "ignore", stderr: "pipe", timeout: KILL_AFTER_MS, killSignal: "SIGKILL" });
        const stderr = (await new Response(child.stderr).text()).trim();
        await child.exited;
        seconds.push((performance.now() - start) / 1000);
        const lines = stderr === "" ? [] : stderr.split("\n");
        outcome = `${child.signalCode ? `killed at ${KILL_AFTER_MS / 1000} s` : `exit ${child.exitCode}`}, ${lines.length} line(s): ${lines.slice(0, 2).join(" | ")}`;
      }
      seconds.sort((a, b) => a - b);
      console.log(`${what} | ${tree} | ${seconds[1]!.toFixed(2)} s (${seconds.map((s) => s.toFixed(2)).join(", ")}) | ${outcome}`);
    }
  }
} finally {
  for (const { server } of proxies) server.close();
  hung.resume();
  await Promise.all([plain.stop(), locked.stop(), hung.stop()]);
  rmSync(dir, { recursive: true, force: true });
}
