/**
 * Fuzzing of the WAV parser and the native audio entry points with a safety-checked (ReleaseSafe)
 * build of libsenko: 10,000 mutated files and 5,000 direct native calls in a child process
 * (test/helpers/fuzz-audio-child.ts), because a Zig safety panic aborts the whole process.
 * The safe library is built into its own directory (zig-out/lib/<arch>-<os>-safe), by `npm run setup`
 * beside the fast one; here again, which Zig's cache makes a no-op when the sources have not changed.
 */
import { expect, test } from "bun:test";
import { existsSync } from "node:fs";
import { join, resolve } from "node:path";

const root = resolve(import.meta.dir, "..");
const arch = ({ x64: "x86_64", arm64: "aarch64" } as Record<string, string>)[process.arch] ?? process.arch;
const os = ({ linux: "linux", darwin: "macos" } as Record<string, string>)[process.platform] ?? process.platform;
const safeLib = join(root, "zig-out", "lib", `${arch}-${os}-safe`, process.platform === "darwin" ? "libsenko.dylib" : "libsenko.so");
const FILES = 10_000;
const ABI_CALLS = 5_000;

async function buildSafeLibrary(): Promise<void> {
  const proc = Bun.spawn(["bash", "tools/zig.sh", "build", "-Doptimize=ReleaseSafe", "-Ddir-suffix=-safe"], { cwd: root, stderr: "pipe", stdout: "ignore" });
  const [code, log] = await Promise.all([proc.exited, new Response(proc.stderr).text()]);
  if (code === 0) return;
  // Another engineer's half-edited Zig file must not hide the fuzz result when a safe build exists.
  if (existsSync(safeLib)) console.warn(`[fuzz.test] building the ReleaseSafe library failed; fuzzing the existing ${safeLib}\n${log.slice(0, 2000)}`);
  else throw new Error(`building the ReleaseSafe library failed:\n${log}`);
}

test(
  `${FILES} mutated WAV files and ${ABI_CALLS} native calls: only typed errors, no crash, hang or non-finite sample (ReleaseSafe)`,
  async () => {
    await buildSafeLibrary();
    const child = Bun.spawn([process.execPath, "run", "test/helpers/fuzz-audio-child.ts", String(FILES), "20261126", String(ABI_CALLS)], {
      cwd: root,
      env: { ...process.env, SENKO_LIB: safeLib },
      stdout: "pipe",
      stderr: "pipe",
    });
    // A hang is a failure too: the loop takes about 12 s on 2 busy cores, and over 60 s when other jobs
    // keep both cores at a load of 12-15 (seen on the shared CI machine), so the limit is 4 minutes.
    const timer = setTimeout(() => child.kill("SIGKILL"), 240_000);
    const [code, out, err] = await Promise.all([child.exited, new Response(child.stdout).text(), new Response(child.stderr).text()]);
    clearTimeout(timer);
    if (code !== 0) console.error(`fuzz child exited with ${code} (signal ${child.signalCode}):\n${out.slice(-4000)}\n${err.slice(-4000)}`);
    expect(code).toBe(0);
    const summary = JSON.parse(out.trim().split("\n").at(-1)!);
    expect(summary.library).toBe(safeLib);
    expect(summary.failures).toEqual([]);
    expect(summary.files).toBe(FILES);
    // The mutations reach both outcomes in quantity, and the native calls get past validation.
    expect(summary.decoded).toBeGreaterThan(FILES / 10);
    expect(summary.rejected).toBeGreaterThan(FILES / 10);
    expect(summary.outcomes["abi:accepted"]).toBeGreaterThan(ABI_CALLS / 10);
    for (const kind of ["bitflip", "truncate", "field", "chunk-size", "insert", "duplicate", "swap", "splice"]) {
      expect(summary.outcomes[`decoded:${kind}`]).toBeGreaterThan(0);
    }
  },
  360_000,
);
