/**
 * Inputs that are not regular files, as a new user gives them: a process substitution (`senko <(ffmpeg ...)`)
 * and a FIFO are read as streams, as stdin is, and give the results the same file gives by its path; a
 * /dev/fd/N input has no name for --out-dir; devices and sockets are one line, exit 2 (also --live);
 * `senko submit` refuses pipes, naming each. readAudio and probeAudio on the same kinds of path.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { probeAudio, readAudio } from "../src/audio/index.ts";
import { fileKind, namesDescriptorNumber } from "../src/audio/file-kind.ts";
import { submitFiles } from "../src/index.ts";
import { AMI_DIR, withoutAmi } from "./helpers/fixtures.ts";
import { wav16 } from "./helpers/wav.ts";

const root = resolve(import.meta.dir, "..");
const bun = join(root, "node_modules", ".bin", "bun");
const ffmpeg = Bun.which("ffmpeg");

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * `senko` run by bash, so that `<(command)` in `script` is what a user's shell makes: `$S` is senko (exec'd:
 * the /dev/fd/N is its own). The process is killed after 60 s (a hang fails the test, it does not stall it).
 */
async function shell(script: string, cwd: string): Promise<Run> {
  const proc = Bun.spawn(["bash", "-c", `S="${bun} run ${join(root, "diarize.ts")}"; ${script}`], {
    cwd,
    stdin: "ignore",
    stdout: "pipe",
    stderr: "pipe",
    env: { ...process.env, SENKO_DEBUG: undefined },
    timeout: 60_000,
    killSignal: "SIGKILL",
  });
  const [code, stdout, stderr] = await Promise.all([proc.exited, new Response(proc.stdout).text(), new Response(proc.stderr).text()]);
  return { code, stdout, stderr };
}

/** A FIFO at `path`, and a writer that puts `file`'s bytes in it once a reader opens it. */
function fifoOf(path: string, file: string): void {
  expect(Bun.spawnSync(["mkfifo", path]).exitCode).toBe(0);
  Bun.spawn(["sh", "-c", 'cat "$0" > "$1"', file, path], { stdout: "ignore", stderr: "ignore" });
}

describe("pipes, devices and sockets as inputs", () => {
  let dir: string;
  let socketServer: Server;
  const socket = () => join(dir, "audio.sock");

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "senko-pipe-inputs-"));
    socketServer = createServer(() => {});
    await new Promise<void>((done) => socketServer.listen(socket(), done));
    writeFileSync(join(dir, "tone.wav"), wav16(Array.from({ length: 16000 }, (_, i) => 0.3 * Math.sin(i / 5))));
  });

  afterAll(() => {
    socketServer?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test("file-kind.ts: a FIFO and <(command) are pipes, /dev/null a device, a socket a socket; /dev/fd/N names a descriptor", async () => {
    const fifo = join(dir, "kind.fifo");
    expect(Bun.spawnSync(["mkfifo", fifo]).exitCode).toBe(0);
    expect([fileKind(join(dir, "tone.wav")), fileKind(fifo), fileKind(dir), fileKind("/dev/null"), fileKind(socket()), fileKind(join(dir, "none"))]).toEqual([
      "file",
      "pipe",
      "directory",
      "device",
      "socket",
      undefined,
    ]);
    const substituted = await shell(`${bun} -e 'const { fileKind } = await import("${join(root, "src/audio/file-kind.ts")}"); console.log(fileKind(process.argv[1]))' <(true)`, dir);
    expect(substituted.stdout).toBe("pipe\n");
    expect(["/dev/fd/63", "/proc/self/fd/12", "/proc/4242/fd/3"].map(namesDescriptorNumber)).toEqual([true, true, true]);
    expect(["/dev/fd", "/dev/fd/x", "talk.wav", "/tmp/dev/fd/3", "/dev/stdin"].map(namesDescriptorNumber)).toEqual([false, false, false, false, false]);
  });

  test.skipIf(withoutAmi("pipe-inputs.test.ts"))(
    "senko <(cat a.wav) and a FIFO give the turns a.wav gives by its path (an mp3 too, through ffmpeg)",
    async () => {
      writeFileSync(join(dir, "a.wav"), readFileSync(join(AMI_DIR, "dev00.wav")));
      fifoOf(join(dir, "b.wav"), join(dir, "a.wav"));
      const mp3 = ffmpeg !== null && Bun.spawnSync([ffmpeg, "-v", "error", "-i", join(dir, "a.wav"), join(dir, "m.mp3")]).exitCode === 0;
      const extra = mp3 ? ' m.mp3 <(cat m.mp3)' : "";
      const run = await shell(`exec $S a.wav <(cat a.wav) b.wav${extra} --format rttm --pipeline vad-windows --threads 1 -q`, dir);
      expect({ code: run.code, stderr: run.stderr }).toEqual({ code: 0, stderr: "" });
      // RTTM lines by file id: a (the path), the /dev/fd/N of <(cat a.wav), b (the FIFO); m and its pipe.
      const byFile = new Map<string, string[]>();
      for (const line of run.stdout.trimEnd().split("\n")) {
        const [, id, ...rest] = line.split(" ");
        byFile.set(id!, [...(byFile.get(id!) ?? []), rest.join(" ")]);
      }
      const ids = [...byFile.keys()];
      expect(ids.slice(0, 3).map((id, i) => (i === 1 ? /^\d+$/.test(id) : id))).toEqual(["a", true, "b"]);
      expect(byFile.get("a")!.length).toBeGreaterThan(1);
      expect(byFile.get(ids[1]!)).toEqual(byFile.get("a")!);
      expect(byFile.get("b")).toEqual(byFile.get("a")!);
      if (mp3) {
        expect(ids).toHaveLength(5);
        expect(byFile.get(ids[4]!)).toEqual(byFile.get("m")!);
      }
    },
    90_000,
  );

  test("a pipe of bytes that are no audio, a device and a socket: one line each, exit 2, before any model loads", async () => {
    const run = await shell(`exec $S <(printf 'meeting notes, not audio\\n%.0s' $(seq 100)) /dev/null /dev/zero audio.sock --format rttm`, dir);
    expect({ code: run.code, stdout: run.stdout }).toEqual({ code: 2, stdout: "" });
    const lines = run.stderr.trimEnd().split("\n");
    expect(lines).toHaveLength(4);
    expect(lines[0]).toMatch(/^senko: \/dev\/fd\/\d+: not a WAV file \(it starts with "meet", not "RIFF"\/"RF64"\)/);
    expect(lines.slice(1)).toEqual(["senko: /dev/null: is a device, not an audio file", "senko: /dev/zero: is a device, not an audio file", "senko: audio.sock: is a socket, not an audio file"]);
    for (const input of ["/dev/null", "audio.sock", "."]) {
      const live = await shell(`exec $S --live ${input} -q`, dir);
      const kind = input === "." ? "a directory" : input === "audio.sock" ? "a socket" : "a device";
      expect(live).toEqual({ code: 2, stdout: "", stderr: `senko: ${input}: is ${kind}, not an audio file\n` });
    }
  });

  test("--out-dir with <(command): one line saying it has no name, nothing made; a FIFO's results take its name", async () => {
    const refused = await shell("exec $S <(cat tone.wav) --out-dir nameless", dir);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(
      /^senko: \/dev\/fd\/(\d+) \(a process substitution, <\(command\)\) has no name for its results in --out-dir \(they would be \1\.\*\): give it alone with --out <file>, or through a FIFO whose name they take \(mkfifo talk\.wav\)\n$/,
    );
    expect(existsSync(join(dir, "nameless"))).toBe(false);
    fifoOf(join(dir, "named.wav"), join(dir, "tone.wav"));
    const named = await shell("exec $S named.wav --out-dir named --pipeline vad-windows --threads 1 -q", dir);
    expect(named).toEqual({ code: 0, stdout: "", stderr: "" });
    expect(JSON.parse(readFileSync(join(dir, "named", "named.json"), "utf8")).durationSec).toBe(1);
  }, 60_000);

  test("readAudio reads a FIFO as the file it carries, and lets it go when aborted; probeAudio refuses one at once (its bytes come once); a device or socket is refused", async () => {
    const fifo = join(dir, "api.wav");
    fifoOf(fifo, join(dir, "tone.wav"));
    const [byPipe, byPath] = await Promise.all([readAudio(fifo), readAudio(join(dir, "tone.wav"))]);
    expect(byPipe.samples).toEqual(byPath.samples);
    expect(byPipe.source.name).toBe(fifo);
    const quiet = join(dir, "no-writer.wav");
    expect(Bun.spawnSync(["mkfifo", quiet]).exitCode).toBe(0);
    const message = (promise: Promise<unknown>) => promise.then(() => "read", (error: Error) => error.message);
    expect(await message(probeAudio(quiet))).toBe(`${quiet}: is a pipe (a FIFO, or <(command)), whose bytes come once: readAudio reads it as it comes, but it cannot be checked first`);
    // A pipe whose writer never comes is let go when the signal aborts, with its reason.
    const controller = new AbortController();
    setTimeout(() => controller.abort(new Error("given up")), 200);
    const start = performance.now();
    expect(await message(readAudio(quiet, { signal: controller.signal }))).toBe("given up");
    expect(performance.now() - start).toBeLessThan(5000);
    expect(await message(readAudio("/dev/zero"))).toBe("/dev/zero: is a device, not an audio file");
    expect(await message(readAudio(socket()))).toBe(`${socket()}: is a socket, not an audio file`);
  });

  test("senko submit refuses pipes (<(command), a FIFO), naming each in one line, before any Redis is asked; so does submitFiles", async () => {
      const fifo = join(dir, "submit.wav");
      expect(Bun.spawnSync(["mkfifo", fifo]).exitCode).toBe(0);
      // Nothing listens on port 1: the refusal comes before any connection.
      const run = await shell("exec $S submit --redis redis://127.0.0.1:1 tone.wav <(cat tone.wav) submit.wav --out-dir out", dir);
      expect(run.code).toBe(2);
      expect(run.stderr).toMatch(
        /^senko: \/dev\/fd\/\d+, submit\.wav: are pipes \(a FIFO, or <\(command\)\), which a worker on another machine cannot read: save the audio to a file the workers see; nothing was queued\n$/,
      );
      const api = await submitFiles([fifo], { redis: "redis://127.0.0.1:1", outDir: join(dir, "out") }).then(
        () => "queued",
        (error: Error) => `${error.name}: ${error.message}`,
      );
      expect(api).toBe(`AudioFormatError: ${fifo}: is a pipe (a FIFO, or <(command)), which a worker on another machine cannot read: save the audio to a file the workers see; nothing was queued`);
  });
});
