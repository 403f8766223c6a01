/**
 * `senko -- -notes.wav` under Bun, which drops a `--` that comes first (oven-sh/bun#13984): the script
 * puts it back from the process's command line, so `-notes.wav` is a file, not options.
 */
import { describe, expect, test } from "bun:test";
import { existsSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { scriptArguments } from "../src/command-line.ts";

const root = resolve(import.meta.dir, "..");
const bun = join(root, "node_modules", ".bin", "bun");

describe("scriptArguments", () => {
  const argv = (...args: string[]) => ["/usr/bin/bun", "/x/diarize.ts", ...args];

  test("a `--` Bun dropped before the arguments is put back", () => {
    expect(scriptArguments(argv("-notes.wav"), ["bun", "diarize.ts", "--", "-notes.wav"])).toEqual(["--", "-notes.wav"]);
    expect(scriptArguments(argv("-a.wav", "b.wav"), ["bun", "run", "diarize.ts", "--", "-a.wav", "b.wav"])).toEqual(["--", "-a.wav", "b.wav"]);
    // `senko -- -- x`: the second `--` is a file's name, as typed.
    expect(scriptArguments(argv("--", "x"), ["bun", "senko", "--", "--", "x"])).toEqual(["--", "--", "x"]);
  });

  test("arguments that arrived as typed are left as they are", () => {
    expect(scriptArguments(argv("-q", "--", "-notes.wav"), ["bun", "diarize.ts", "-q", "--", "-notes.wav"])).toEqual(["-q", "--", "-notes.wav"]);
    // A runtime that keeps the `--` (the single-file executable): its own name comes before it.
    expect(scriptArguments(argv("--", "-notes.wav"), ["./senko", "--", "-notes.wav"])).toEqual(["--", "-notes.wav"]);
    expect(scriptArguments(argv("-notes.wav"), ["bun", "diarize.ts", "-notes.wav"])).toEqual(["-notes.wav"]);
    expect(scriptArguments(argv(), ["bun", "diarize.ts"])).toEqual([]);
    // No command line to read (not Linux): what Bun gave.
    expect(scriptArguments(argv("-notes.wav"), undefined)).toEqual(["-notes.wav"]);
  });

  test.skipIf(!existsSync("/proc/self/cmdline"))("bun run diarize.ts -- -notes.wav reads -notes.wav as a file", () => {
    const cwd = mkdtempSync(join(tmpdir(), "senko-dashdash-"));
    for (const args of [["run", join(root, "diarize.ts")], [join(root, "diarize.ts")]]) {
      const run = Bun.spawnSync([bun, ...args, "--", "-notes.wav"], { cwd, stderr: "pipe" });
      expect(run.stderr.toString()).toBe("senko: -notes.wav: file not found\n");
      expect(run.exitCode).toBe(2);
    }
  });
});
