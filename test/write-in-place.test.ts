/**
 * Output to a target that is no regular file (`--out /dev/null`, a FIFO, a terminal) is written into it, as a
 * shell's `>` would: a temporary file renamed over it replaced /dev/null itself with a file (as root; as
 * anyone else the temporary file could not be made in /dev, and the write was refused).
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { checkWritable, writeFilesAtomic } from "../src/output/writers.ts";

let dir = "";
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "senko-in-place-"));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const isRoot = process.getuid?.() === 0;

/** A FIFO at `path` and a reader of it (started before the write, as `senko --out fifo` needs one). */
function fifoWithReader(path: string) {
  expect(Bun.spawnSync(["mkfifo", path]).exitCode).toBe(0);
  const reader = Bun.spawn(["cat", path], { stdout: "pipe" });
  // A write that never opens the FIFO leaves `cat` waiting: end it after a bound.
  const timer = setTimeout(() => reader.kill(), 2000);
  return { read: new Response(reader.stdout).text().finally(() => clearTimeout(timer)) };
}

describe("writing into a target that is no regular file", () => {
  test("a FIFO gets the text and stays a FIFO; the regular file beside it is written atomically; nothing is left over", async () => {
    const fifo = join(dir, "pipe.rttm");
    const { read } = fifoWithReader(fifo);
    writeFilesAtomic([
      { path: join(dir, "r.json"), text: "{}\n" },
      { path: fifo, text: "SPEAKER x 1 0.000 1.000 <NA> <NA> SPEAKER_01 <NA> <NA>\n" },
    ]);
    expect(await read).toBe("SPEAKER x 1 0.000 1.000 <NA> <NA> SPEAKER_01 <NA> <NA>\n");
    expect(statSync(fifo).isFIFO()).toBe(true);
    expect(readdirSync(dir).sort()).toEqual(["pipe.rttm", "r.json"]);
  });

  test.skipIf(!isRoot)("a character device (a copy of /dev/null made with mknod) stays a device", () => {
    const device = join(dir, "null");
    expect(Bun.spawnSync(["mknod", "-m", "666", device, "c", "1", "3"]).exitCode).toBe(0);
    checkWritable(device);
    writeFilesAtomic([{ path: device, text: "x".repeat(100) }]);
    expect(statSync(device).isCharacterDevice()).toBe(true);
    rmSync(device);
  });

  test("a descriptor open on a regular file (stdout redirected: > log.txt) is written into, after what came before, not replaced", () => {
    // /dev/fd/1 and /proc/self/fd/1, not /dev/stdout: were they replaced, it would be the machine's /dev/stdout link.
    for (const descriptor of ["/dev/fd/1", "/proc/self/fd/1"]) {
      const log = join(dir, "log.txt");
      const script = `import { writeSync } from "node:fs";
        const { checkWritable, writeFilesAtomic } = await import(${JSON.stringify(join(import.meta.dir, "../src/output/writers.ts"))});
        writeSync(1, "before\\n");
        checkWritable(${JSON.stringify(descriptor)});
        writeFilesAtomic([{ path: ${JSON.stringify(descriptor)}, text: "the result\\n" }]);`;
      const run = Bun.spawnSync([process.execPath, "-e", script], { stdout: Bun.file(log), stderr: "pipe" });
      expect({ descriptor, stderr: run.stderr.toString(), code: run.exitCode, log: readFileSync(log, "utf8") }).toEqual({ descriptor, stderr: "", code: 0, log: "before\nthe result\n" });
      rmSync(log);
    }
  });

  test("a regular file is still replaced whole", () => {
    const file = join(dir, "plain.txt");
    writeFileSync(file, "old and longer\n");
    writeFilesAtomic([{ path: file, text: "new\n" }]);
    expect(Bun.file(file).size).toBe(4);
  });
});
