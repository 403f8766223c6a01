/**
 * The Zig unit tests (`zig build test`: zig/test.zig, Debug, safety checks on) as one file of the suite: they
 * run beside the other files (bun test --parallel) instead of before all of them on one core.
 */
import { expect, test } from "bun:test";
import { resolve } from "node:path";

const root = resolve(import.meta.dir, "..");

test("zig build test passes", async () => {
  const proc = Bun.spawn(["bash", "tools/zig.sh", "build", "test", "--summary", "all"], { cwd: root, stdin: "ignore", stdout: "pipe", stderr: "pipe" });
  const [code, stdout, stderr] = await Promise.all([proc.exited, new Response(proc.stdout).text(), new Response(proc.stderr).text()]);
  // Zig prints the summary and any failure on stderr: shown whole when the build or a test fails.
  expect({ code, output: code === 0 ? "" : `${stdout}${stderr}` }).toEqual({ code: 0, output: "" });
  expect(stderr).toMatch(/run test [1-9]\d* passed/);
}, 600_000); // 16 s on an Intel Xeon with Zig's caches warm, 23 s cold; a slower CPU with both cores busy takes longer
