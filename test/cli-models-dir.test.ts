/**
 * `--models-dir` on `senko <audio>` (also `--live`) and `senko worker`, as on `senko models`: a user of the
 * executable or the package with the models in a folder of their own, and no network, finds the flag in
 * `--help`; SENKO_MODELS_DIR was the only way, and `--models-dir` was an unknown option.
 */
import { afterAll, expect, test } from "bun:test";
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { resolveModel } from "../models/fetch.ts";
import { MODEL_IDS } from "../models/manifest.ts";
import { OPTIMIZED_DIR } from "../src/models/optimized-model.ts";

const root = join(import.meta.dir, "..");
const bun = process.execPath;
const fixture = join(import.meta.dir, "../../shared/fixtures/ami/trn09.wav");
const dir = mkdtempSync(join(tmpdir(), "senko-models-dir-flag-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The CLI with no models cache and no SENKO_MODELS_DIR: models only from the flag (or a download, which fails here). */
async function senko(args: string[]) {
  const env = { ...process.env, XDG_CACHE_HOME: join(dir, "empty-cache"), SENKO_MODELS_DIR: undefined, SENKO_DEBUG: undefined };
  const proc = Bun.spawn([bun, "run", join(root, "diarize.ts"), ...args], { cwd: dir, env, stdin: "ignore", stdout: "pipe", stderr: "pipe" });
  const [stdout, stderr, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
  return { stdout, stderr, code };
}

test("senko <audio> and --live with --models-dir <dir>: the models come from there (no cache, no network needed)", async () => {
  const models = join(dir, "my models");
  mkdirSync(models);
  for (const id of MODEL_IDS) {
    const { path } = await resolveModel(id, { offline: true });
    copyFileSync(path, join(models, basename(path)));
  }
  const [run, live] = await Promise.all([
    senko([fixture, "--models-dir", models, "--format", "rttm"]),
    senko(["--live", fixture, "--models-dir", models, "--out", join(dir, "live.rttm")]),
  ]);
  expect(run.stderr).not.toContain("fetching");
  expect(run.code).toBe(0);
  expect(run.stdout).toStartWith("SPEAKER trn09 1 ");
  expect(live.code).toBe(0);
  expect(await Bun.file(join(dir, "live.rttm")).text()).toBe(run.stdout);
  // Nothing was downloaded: the cache holds only onnxruntime's optimised copies of the models (src/models/optimized-model.ts).
  expect(readdirSync(join(dir, "empty-cache", "senko", "models"))).toEqual([OPTIMIZED_DIR]);
});

test("a --models-dir that is not a directory: one line, exit 2, before any model loads (senko <audio>, --live, worker)", async () => {
  const missing = join(dir, "no-such-dir");
  const runs = await Promise.all([
    senko([fixture, "--models-dir", missing]),
    senko(["--live", fixture, "--models-dir", missing]),
    // Refused before Redis is reached (nothing listens on port 1).
    senko(["worker", "--redis", "redis://127.0.0.1:1", "--models-dir", missing]),
  ]);
  for (const run of runs) {
    expect(run.stderr).toBe(`senko: --models-dir ${missing} is not a directory\n`);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe("");
  }
}, 30_000);
