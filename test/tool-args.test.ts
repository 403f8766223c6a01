/**
 * The tools/ scripts read their arguments as the bench scripts do (bench/args.ts): --help prints the usage,
 * an unknown option or argument is one line on stderr and exit 2, before any work starts.
 */
import { expect, test } from "bun:test";
import { join } from "node:path";

const root = join(import.meta.dir, "..");

async function run(script: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const proc = Bun.spawn([process.execPath, "run", join(root, "tools", script), ...args], { cwd: root, stdin: "ignore", stdout: "pipe", stderr: "pipe", timeout: 30_000 });
  const [code, stdout, stderr] = await Promise.all([proc.exited, new Response(proc.stdout).text(), new Response(proc.stderr).text()]);
  return { code, stdout, stderr };
}

test("tools scripts: --help, and a one-line refusal of what they do not take", async () => {
  const cases: [string, string[], string][] = [
    ["audio-memory.ts", ["--bogus"], "audio-memory.ts: Unknown option '--bogus'; see --help\n"],
    ["audio-memory.ts", ["three"], "audio-memory.ts: hours needs a number, got 'three'\n"],
    ["build-exe.ts", ["--bogus"], "build-exe.ts: Unknown option '--bogus'; see --help\n"],
    ["build-exe.ts", ["linux-x65"], "build-exe.ts: unknown platform linux-x65 (known: linux-x64, linux-arm64, darwin-arm64, darwin-x64, win32-x64); see --help\n"],
    ["build-packages.ts", ["--bogus"], "build-packages.ts: Unknown option '--bogus'; see --help\n"],
    ["umap-hdbscan-compare.ts", ["--bogus"], "umap-hdbscan-compare.ts: Unknown option '--bogus'; see --help\n"],
    ["umap-hdbscan-compare.ts", ["2000,lots"], "umap-hdbscan-compare.ts: sizes needs a number, got 'lots'\n"],
  ];
  const refused = await Promise.all(cases.map(([script, args]) => run(script, args)));
  expect(refused.map((r) => [r.code, r.stderr])).toEqual(cases.map(([, , stderr]) => [2, stderr]));
  const helps = await Promise.all(["audio-memory.ts", "build-exe.ts", "build-packages.ts", "umap-hdbscan-compare.ts"].map((script) => run(script, ["--help"])));
  expect(helps.map((h) => [h.code, h.stderr])).toEqual(helps.map(() => [0, ""]));
  expect(helps[0]!.stdout).toContain("bun run tools/audio-memory.ts [hours=3] [--ffmpeg]");
  expect(helps[1]!.stdout).toContain("`npm run build:exe [platform...]`");
  expect(helps[2]!.stdout).toContain("`npm run build:packages [platform...]`");
  expect(helps[3]!.stdout).toContain("bun run tools/umap-hdbscan-compare.ts [sizes=2000,5000]");
});
