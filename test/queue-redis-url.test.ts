/**
 * The Redis URL of `senko submit | worker | status` from SENKO_REDIS_URL: a password given with --redis is in
 * the process list (`ps`, /proc/<pid>/cmdline) of every worker, for any user of the machine to read, and in the
 * shell's history. Nothing listens on port 1, so each run ends at its first connection, naming the URL it used.
 */
import { expect, test } from "bun:test";
import { join } from "node:path";

const diarize = join(import.meta.dir, "..", "diarize.ts");

async function run(args: string[], url: string | undefined) {
  const env = { ...process.env, SENKO_REDIS_URL: url };
  const proc = Bun.spawn([process.execPath, "run", diarize, ...args], { env, stdin: "ignore", stdout: "pipe", stderr: "pipe", timeout: 60_000 });
  const [code, stderr] = await Promise.all([proc.exited, new Response(proc.stderr).text()]);
  return { code, stderr };
}

test("SENKO_REDIS_URL stands for --redis (its password never printed); --redis wins over it", async () => {
  const refused = (url: string) => `senko: cannot reach Redis at ${url}: nothing listens on 127.0.0.1:1 (connection refused): is redis-server running there, on that port?\n`;
  const runs = await Promise.all([
    run(["status"], "redis://:secret@127.0.0.1:1"),
    run(["worker", "-q"], "redis://127.0.0.1:1/2"),
    run(["status", "--redis", "redis://127.0.0.1:1/3"], "redis://127.0.0.1:1/4"),
    run(["status"], ""),
  ]);
  expect(runs.map((r) => [r.code, r.stderr])).toEqual([
    [1, refused("redis://:***@127.0.0.1:1")],
    [1, refused("redis://127.0.0.1:1/2")],
    [1, refused("redis://127.0.0.1:1/3")],
    [2, "senko: status needs --redis <url> or SENKO_REDIS_URL (see bun run diarize.ts status --help)\n"],
  ]);
});
