/**
 * `--models-dir` on `senko <audio>` (also `--live`) and `senko worker`, as on `senko models`: a user of the
 * executable or the package with the models in a folder of their own, and no network, finds the flag in
 * `--help`; SENKO_MODELS_DIR was the only way, and `--models-dir` was an unknown option.
 */
import { afterAll, expect, test } from "bun:test";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { checkModelsDir } from "../models/directories.ts";
import { resolveModel } from "../models/fetch.ts";
import { MODEL_IDS } from "../models/manifest.ts";
import { AMI_DIR, withoutAmi } from "./helpers/fixtures.ts";
import { OPTIMIZED_DIR } from "../src/models/optimized-model.ts";

const root = join(import.meta.dir, "..");
const bun = process.execPath;
const fixture = join(AMI_DIR, "trn09.wav");
const dir = mkdtempSync(join(tmpdir(), "senko-models-dir-flag-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The CLI with no models cache and no SENKO_MODELS_DIR: models only from the flag (or a download, which fails here). */
async function senko(args: string[], more: Record<string, string | undefined> = {}) {
  const env = { ...process.env, XDG_CACHE_HOME: join(dir, "empty-cache"), SENKO_MODELS_DIR: undefined, SENKO_DEBUG: undefined, ...more };
  const proc = Bun.spawn([bun, "run", join(root, "diarize.ts"), ...args], { cwd: dir, env, stdin: "ignore", stdout: "pipe", stderr: "pipe" });
  const [stdout, stderr, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
  return { stdout, stderr, code };
}

test.skipIf(withoutAmi("cli-models-dir.test.ts"))("senko <audio> and --live with --models-dir <dir>: the models come from there (no cache, no network needed)", async () => {
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

test("a --models-dir or SENKO_MODELS_DIR that cannot serve: one line saying what is wrong, exit 2, before any model loads (senko <audio>, --live, voice-print, worker)", async () => {
  const missing = join(dir, "no-such-dir");
  const file = join(dir, "a-file");
  await Bun.write(file, "x");
  const empty = join(dir, "empty");
  mkdirSync(empty);
  const renamed = join(dir, "renamed");
  mkdirSync(renamed);
  await Bun.write(join(renamed, "campplus.onnx"), "x");
  const looksFor = "holds none of the model files senko looks for there (silero_vad_v5.onnx, pyannote_segmentation_3.0.onnx, campplus_sv_zh_en_16k_common_advanced.onnx)";
  const cases: [string[], string][] = [
    [[fixture, "--models-dir", missing], `--models-dir ${missing} does not exist`],
    [["--live", fixture, "--models-dir", file], `--models-dir ${file} is a file, not a directory`],
    [["voice-print", fixture, "--out", join(dir, "p.json"), "--models-dir", join(file, "sub")], `--models-dir ${join(file, "sub")} does not exist (${file} is a file, not a directory)`],
    [[fixture, "--models-dir", empty], `--models-dir ${empty} ${looksFor}: it is empty`],
    [[fixture, "--models-dir", renamed], `--models-dir ${renamed} ${looksFor}: it holds campplus.onnx`],
    [[fixture, "--models-dir", ""], "--models-dir needs a directory's path, got an empty one"],
    // Refused before Redis is reached (nothing listens on port 1).
    [["worker", "--redis", "redis://127.0.0.1:1", "--models-dir", missing], `--models-dir ${missing} does not exist`],
  ];
  const runs = await Promise.all(cases.map(([args]) => senko(args)));
  // The variable is checked as the flag is, and named.
  runs.push(await senko([fixture], { SENKO_MODELS_DIR: empty }));
  cases.push([[], `SENKO_MODELS_DIR ${empty} ${looksFor}: it is empty`]);
  for (const [i, run] of runs.entries()) {
    expect(run.stderr).toBe(`senko: ${cases[i]![1]}\n`);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe("");
  }
  expect(existsSync(join(dir, "p.json"))).toBe(false);
}, 30_000);

test("a models directory holding some of the files: the others from the cache, said in one line", async () => {
  const some = join(dir, "some");
  mkdirSync(some);
  const { path } = await resolveModel("campplus", { offline: true });
  copyFileSync(path, join(some, basename(path)));
  const run = await senko([fixture, "--models-dir", some, "--format", "rttm"], { XDG_CACHE_HOME: process.env.XDG_CACHE_HOME });
  expect(run.code).toBe(0);
  expect(run.stderr).toContain(`senko: pyannote-segmentation: pyannote_segmentation_3.0.onnx is not in ${some}: looking in the cache\n`);
});

test("what a models directory without the model files holds: its .onnx files (five named), or that it has none", async () => {
  const many = join(dir, "many");
  mkdirSync(many);
  for (const name of ["a", "b", "c", "d", "e", "f", "g"]) await Bun.write(join(many, `${name}.onnx`), "x");
  const other = join(dir, "other");
  mkdirSync(other);
  await Bun.write(join(other, "notes.txt"), "x");
  const refusal = (path: string) => checkModelsDir(path, "modelsDir").catch((error: Error) => error.message.slice(error.message.indexOf("): ") + 3));
  expect(await refusal(many)).toBe("it holds a.onnx, b.onnx, c.onnx, d.onnx, e.onnx and 2 more");
  expect(await refusal(other)).toBe("it holds no .onnx file");
  // The cache itself may be empty: its first download fills it.
  expect(await checkModelsDir(other, "modelsDir", other)).toBeUndefined();
});
