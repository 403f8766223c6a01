/**
 * First use: a download with its progress line (from a local HTTP server standing in for the canonical
 * URL: this machine reaches no host but the package registries), `senko models` ahead of time, and
 * SENKO_MODELS_DIR for a machine without network.
 */
import { afterAll, describe, expect, spyOn, test } from "bun:test";
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { modelsCommand, type ModelsCommandIo } from "../models/cli.ts";
import { downloadProgress } from "../models/download-progress.ts";
import { resolveModel } from "../models/fetch.ts";
import { MODEL_IDS, modelSpec, type ModelId } from "../models/manifest.ts";
import { fetchSource } from "../models/sources.ts";
import { Diarizer } from "../src/diarizer.ts";
import { ConfigError, ModelLoadError } from "../src/errors.ts";
import { writerTag } from "../src/stale-parts.ts";

const ROOT = join(import.meta.dir, "..");
const temps: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "senko-first-use-"));
  temps.push(dir);
  return dir;
}
afterAll(() => {
  for (const dir of temps) rmSync(dir, { recursive: true, force: true });
});

/** Where the verified models are on this machine (npm run setup put them there). */
async function cachedModels(): Promise<Record<ModelId, string>> {
  const paths = await Promise.all(MODEL_IDS.map(async (id) => [id, (await resolveModel(id, { offline: true })).path] as const));
  return Object.fromEntries(paths) as Record<ModelId, string>;
}

describe("the download progress line", () => {
  test("elsewhere than a terminal: one line per quarter", () => {
    const lines: string[] = [];
    const progress = downloadProgress({ write: (t) => lines.push(t), tty: false });
    for (let received = 0; received <= 28_281_164; received += 65_536) progress("campplus", received, 28_281_164);
    progress("campplus", 28_281_164, 28_281_164);
    expect(lines).toEqual([
      "senko: downloading campplus  0.0 / 28.3 MB    0%\n",
      "senko: downloading campplus  7.1 / 28.3 MB   25%\n",
      "senko: downloading campplus  14.2 / 28.3 MB   50%\n",
      "senko: downloading campplus  21.2 / 28.3 MB   75%\n",
      "senko: downloading campplus  28.3 / 28.3 MB  100%\n",
    ]);
  });

  test("on a terminal: one line redrawn at most every 100 ms, ended when the download is", () => {
    let text = "";
    let clock = 0;
    const progress = downloadProgress({ write: (t) => (text += t), tty: true, now: () => clock });
    progress("silero-vad", 0, 2_000_000);
    clock = 50;
    progress("silero-vad", 1_000_000, 2_000_000); // too soon: not drawn
    clock = 150;
    progress("silero-vad", 1_500_000, 2_000_000);
    progress("silero-vad", 2_000_000, 2_000_000); // the end is always drawn
    expect(text).toBe(
      "\rsenko: downloading silero-vad  0.0 / 2.0 MB    0%" +
        "\rsenko: downloading silero-vad  1.5 / 2.0 MB   75%" +
        "\rsenko: downloading silero-vad  2.0 / 2.0 MB  100%\n",
    );
  });
});

describe("first use", () => {
  test("an empty cache gets the model over HTTP, verified, with progress; the next run downloads nothing", async () => {
    const model = (await cachedModels())["silero-vad"];
    const bytes = { length: Bun.file(model).size };
    // A file response: Bun sends its Content-Length, as a CDN does.
    const server = Bun.serve({ port: 0, fetch: () => new Response(Bun.file(model)) });
    try {
      const cacheDir = tempDir();
      const seen: [number, number | undefined][] = [];
      const sources = [{ kind: "url" as const, url: `http://127.0.0.1:${server.port}/silero_vad.onnx` }];
      const first = await resolveModel("silero-vad", { cacheDir, sources, onProgress: (_id, received, total) => seen.push([received, total]) });
      expect(first).toMatchObject({ origin: "download", verification: "sha256", path: join(cacheDir, modelSpec("silero-vad").file) });
      expect(seen[0]).toEqual([0, bytes.length]);
      expect(seen.at(-1)).toEqual([bytes.length, bytes.length]);
      // However the bytes arrive, the count only grows.
      expect(seen.every(([received], i) => i === 0 || received >= seen[i - 1]![0])).toBe(true);
      seen.length = 0;
      expect((await resolveModel("silero-vad", { cacheDir, sources, onProgress: () => seen.push([0, 0]) })).origin).toBe("cache");
      expect(seen).toEqual([]);
    } finally {
      server.stop(true);
    }
  });
});

function capture(tty = false): ModelsCommandIo & { stdout: () => string; stderr: () => string } {
  let out = "";
  let err = "";
  return {
    out: (t) => {
      out += t;
    },
    err: (t) => (err += t),
    tty,
    stdout: () => out,
    stderr: () => err,
  };
}

test("Ctrl-C during a download: no partial model in the cache, no work directory left, one line, ended by SIGINT", async () => {
  // A server that sends the first 64 KiB of the model, then nothing: the download stays in progress.
  const head = (await Bun.file((await cachedModels())["silero-vad"]).bytes()).subarray(0, 65536);
  const server = Bun.serve({
    port: 0,
    fetch: () => new Response(new ReadableStream({ start: (controller) => controller.enqueue(head) }), { headers: { "content-length": "2000000" } }),
  });
  try {
    const cacheDir = tempDir();
    const temp = tempDir();
    const script = join(tempDir(), "download.ts");
    await Bun.write(
      script,
      `import { endOnSignal, interruption } from ${JSON.stringify(join(ROOT, "src", "interrupt.ts"))};\n` +
        `import { resolveModel } from ${JSON.stringify(join(ROOT, "models", "fetch.ts"))};\n` +
        "endOnSignal(interruption);\n" +
        "await resolveModel('silero-vad', { cacheDir: process.argv[2], sources: [{ kind: 'url', url: process.argv[3] }] });\n",
    );
    const proc = Bun.spawn([process.execPath, script, cacheDir, `http://127.0.0.1:${server.port}/silero_vad.onnx`], {
      env: { ...process.env, TMPDIR: temp, SENKO_MODELS_DIR: undefined },
      stdout: "ignore",
      stderr: "pipe",
    });
    const part = () => readdirSync(cacheDir).find((f) => f.endsWith(".part"));
    while (!(part() && Bun.file(join(cacheDir, part()!)).size > 0) && proc.exitCode === null) await Bun.sleep(20);
    proc.kill("SIGINT");
    await proc.exited;
    expect(proc.signalCode).toBe("SIGINT");
    expect(await new Response(proc.stderr).text()).toBe("senko: interrupted (Ctrl-C)\n");
    expect(readdirSync(cacheDir)).toEqual([]);
    expect(readdirSync(temp)).toEqual([]);
  } finally {
    server.stop(true);
  }
});

test("a download killed with SIGKILL leaves its part, which the next download removes; a part a running process writes stays", async () => {
  // First a server that sends the first 64 KiB, then nothing (the download stays in progress); then the whole model.
  const model = await Bun.file((await cachedModels())["silero-vad"]).bytes();
  let whole = false;
  const server = Bun.serve({
    port: 0,
    fetch: () => (whole ? new Response(model) : new Response(new ReadableStream({ start: (controller) => controller.enqueue(model.subarray(0, 65536)) }), { headers: { "content-length": String(model.length) } })),
  });
  try {
    const cacheDir = tempDir();
    const url = `http://127.0.0.1:${server.port}/silero_vad.onnx`;
    const script = join(tempDir(), "download.ts");
    await Bun.write(script, `import { resolveModel } from ${JSON.stringify(join(ROOT, "models", "fetch.ts"))};\nawait resolveModel('silero-vad', { cacheDir: process.argv[2], sources: [{ kind: 'url', url: process.argv[3] }] });\n`);
    const proc = Bun.spawn([process.execPath, script, cacheDir, url], { env: { ...process.env, SENKO_MODELS_DIR: undefined }, stdout: "ignore", stderr: "ignore" });
    const part = () => readdirSync(cacheDir).find((f) => f.endsWith(".part"));
    while (!(part() && Bun.file(join(cacheDir, part()!)).size > 0) && proc.exitCode === null) await Bun.sleep(20);
    proc.kill("SIGKILL");
    await proc.exited;
    const file = modelSpec("silero-vad").file;
    expect(part()).toStartWith(`${file}.${proc.pid}@`);
    const writing = `${file}.${writerTag()}.0badcafe.part`;
    writeFileSync(join(cacheDir, writing), "");
    whole = true;
    await resolveModel("silero-vad", { cacheDir, sources: [{ kind: "url", url }], log: () => {} });
    expect(readdirSync(cacheDir).sort()).toEqual([file, writing].sort());
  } finally {
    server.stop(true);
  }
});

describe("a model that cannot be had", () => {
  test("fails ready() once the other model's load has ended: nothing of it goes on, or is logged, after the error", async () => {
    const dir = tempDir();
    const pyannote = modelSpec("pyannote-segmentation").file;
    await Bun.write(join(dir, pyannote), Bun.file((await cachedModels())["pyannote-segmentation"]));
    const lines: string[] = [];
    const spy = spyOn(process.stderr, "write").mockImplementation((chunk: unknown) => lines.push(String(chunk).replace(/\n$/, "")) > 0);
    const diarizer = new Diarizer({ modelsDir: dir, cacheDir: tempDir(), offline: true, quiet: false, threads: 1 });
    try {
      expect(await diarizer.ready().catch((e: unknown) => e)).toBeInstanceOf(ModelLoadError);
      const seen = lines.length;
      await diarizer.close();
      expect(lines.slice(seen)).toEqual([]);
      expect(lines).toContain("senko: pyannote-segmentation runs on the CPU (1 thread)");
    } finally {
      spy.mockRestore();
    }
  });
});

describe("senko models", () => {
  test("--offline with nothing cached fails, naming SENKO_MODELS_DIR", async () => {
    const io = capture();
    const dir = tempDir();
    expect(await modelsCommand(["--offline", "--cache-dir", dir, "--models-dir", dir], io)).toBe(1);
    // One line per failure, with the command's prefix; the directory given twice is tried once.
    const lines = io.stderr().trimEnd().split("\n");
    expect(lines.map((line) => line.slice(0, line.indexOf(" (")))).toEqual(MODEL_IDS.map((id) => `senko models: model ${id}`));
    expect(lines[0]).toContain(`is not available; tried ${join(dir, modelSpec("silero-vad").file)}: not there; sources: not tried (offline). Run`);
    // Where to put the file: the flag of the commands (senko <audio>, worker, models) and the variable.
    expect(io.stderr()).toContain("in a directory named by --models-dir or SENKO_MODELS_DIR.");
    // What an installed package can run (bun run models is a script of the checkout only).
    expect(io.stderr()).toContain("Run `senko models` (in a checkout: `bun run models`)");
    expect(io.stdout()).toBe("");
  });

  test("a models directory serves a machine without network", async () => {
    const dir = tempDir();
    const models = await cachedModels();
    for (const id of MODEL_IDS) await Bun.write(join(dir, modelSpec(id).file), Bun.file(models[id]));
    const io = capture();
    expect(await modelsCommand(["--offline", "--cache-dir", tempDir(), "--models-dir", dir, "--json"], io)).toBe(0);
    const listed = JSON.parse(io.stdout()) as { id: string; origin: string }[];
    expect(listed.map((m) => [m.id, m.origin])).toEqual(MODEL_IDS.map((id) => [id, "models-dir"]));
  });

  test("a --models-dir or SENKO_MODELS_DIR that is not a directory is refused in one line, not skipped", async () => {
    const missing = join(tempDir(), "not-there");
    const io = capture();
    expect(await modelsCommand(["--offline", "--cache-dir", tempDir(), "--models-dir", missing], io)).toBe(2);
    expect(io.stderr()).toBe(`senko models: --models-dir ${missing} does not exist\n`);
    expect(io.stdout()).toBe("");
    const before = process.env.SENKO_MODELS_DIR;
    process.env.SENKO_MODELS_DIR = missing;
    try {
      const error = await resolveModel("silero-vad", { offline: true, cacheDir: tempDir() }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as Error).message).toBe(`SENKO_MODELS_DIR ${missing} does not exist`);
    } finally {
      if (before === undefined) delete process.env.SENKO_MODELS_DIR;
      else process.env.SENKO_MODELS_DIR = before;
    }
  });

  test("a cache directory that can never be one is refused in one line (a file, or under one); a missing one is made", async () => {
    const file = join(tempDir(), "a-file");
    await Bun.write(file, "x");
    for (const [cacheDir, why] of [
      [file, `${file} is a file, not a directory`],
      [join(file, "models"), `${join(file, "models")} cannot be created: ${file} is a file, not a directory`],
      ["", "needs a directory's path, got an empty one"],
    ] as const) {
      const io = capture();
      expect(await modelsCommand(["--offline", "--cache-dir", cacheDir], io)).toBe(2);
      expect(io.stderr()).toBe(`senko models: --cache-dir ${why}\n`);
      if (cacheDir === "") continue; // the Diarizer refuses "" itself (pipelines.test.ts)
      await using diarizer = new Diarizer({ cacheDir, offline: true, quiet: true, warmup: false, threads: 1 });
      const error = await diarizer.ready().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as Error).message).toBe(`cacheDir ${why}`);
    }
    // Not yet there is fine: the first download makes it (offline, the models come from SENKO_MODELS_DIR or are missing).
    const io = capture();
    expect(await modelsCommand(["--offline", "--cache-dir", join(tempDir(), "new", "cache"), "--json"], io)).not.toBe(2);
  });

  test("an export tool this senko does not carry fails before any download or PyTorch install", async () => {
    const source = modelSpec("campplus").sources.find((s) => s.kind === "export")!;
    const workDir = tempDir();
    const lines: string[] = [];
    const ctx = { workDir, timeoutMs: 1000, log: (line: string) => lines.push(line) };
    const error = await fetchSource({ ...source, tool: "models/not-carried.py" }, join(workDir, "out.onnx"), ctx).catch((e: unknown) => e);
    expect((error as Error).message).toBe("the manifest names export tool models/not-carried.py, which this senko does not carry");
    expect([lines, readdirSync(workDir)]).toEqual([[], []]);
  });

  test("with everything cached: downloads nothing and lists what is there", async () => {
    const cacheDir = tempDir();
    const io = capture();
    const models = await cachedModels();
    for (const id of MODEL_IDS) await Bun.write(join(cacheDir, modelSpec(id).file), Bun.file(models[id]));
    const before = process.env.SENKO_MODELS_DIR;
    delete process.env.SENKO_MODELS_DIR; // the cache alone
    try {
      expect(await modelsCommand(["--cache-dir", cacheDir], io)).toBe(0);
    } finally {
      if (before !== undefined) process.env.SENKO_MODELS_DIR = before;
    }
    expect(io.stdout().trim().split("\n")).toHaveLength(MODEL_IDS.length);
    expect(io.stdout()).toContain("sha256 ok");
    expect(io.stdout()).toContain("(from cache)");
    expect(io.stderr()).toBe("");
    expect(readdirSync(cacheDir).sort()).toEqual(MODEL_IDS.map((id) => modelSpec(id).file).sort());
  });

  test("is a subcommand of the senko command line; bad options are usage errors", () => {
    const run = (args: string[]) => Bun.spawnSync([process.execPath, "run", join(ROOT, "diarize.ts"), ...args], { stdout: "pipe", stderr: "pipe" });
    const listed = run(["models", "--offline"]);
    expect(listed.exitCode).toBe(0);
    expect(listed.stdout.toString()).toContain("campplus");
    const bad = run(["models", "--bogus"]);
    expect(bad.exitCode).toBe(2);
    expect(bad.stderr.toString()).toBe("senko models: Unknown option '--bogus' (see bun run diarize.ts models --help)\n");
  });

  test("a failed write to stdout (a full disk behind >) is one line and exit 2, as for senko <audio>", async () => {
    for (const args of [["--json"], []]) {
      const proc = Bun.spawn([process.execPath, "run", join(ROOT, "diarize.ts"), "models", "--offline", ...args], { stdout: Bun.file("/dev/full"), stderr: "pipe" });
      const [code, stderr] = await Promise.all([proc.exited, new Response(proc.stderr).text()]);
      expect({ code, stderr }).toEqual({ code: 2, stderr: "senko models: cannot write to stdout: no space left on the device\n" });
    }
  });
});
