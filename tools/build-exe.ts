/**
 * @module `npm run build:exe [platform...]`: one `bun build --compile` executable per platform of
 * src/native/platforms.ts (all five by default) in dist/exe/<platform>/, each carrying its libsenko
 * (tools/cross-build.ts), onnxruntime-node's binding for that platform (embedded by the bundler) and the
 * onnxruntime libraries the binding links (plus DirectML.dll on Windows, which onnxruntime loads by name).
 * onnxruntime-node 1.24 and later ship no Intel-Mac binaries, so the darwin-x64 executable is built with
 * onnxruntime-node 1.23.2, the last release that has them, installed into the build cache.
 * Every executable is cached by the content of what it is made from (tools/build-cache.ts).
 */
import { existsSync, linkSync } from "node:fs";
import { copyFile, mkdir, rm, writeFile } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { benchArgs } from "../bench/args.ts";
import type { Platform } from "../src/native/platforms.ts";
import { binaryInfo } from "./binary-info.ts";
import { cachedBuild, contentHash, filesMatching, run } from "./build-cache.ts";
import { buildLibraries, buildLibrary, platformsNamed, ROOT } from "./cross-build.ts";

const EXE_DIR = join(ROOT, "dist", "exe");

/** The onnxruntime-node release of a platform's executable, when it is not the project's own. */
const ORT_VERSION_OVERRIDE: Record<string, string> = { "darwin-x64": "1.23.2" };

/** onnxruntime-node's package directory to bundle for `platform`, and its version. */
async function onnxruntimePackage(platform: Platform, log: (line: string) => void): Promise<{ dir: string; version: string }> {
  const version = ORT_VERSION_OVERRIDE[platform.id];
  if (!version) {
    const dir = join(ROOT, "node_modules", "onnxruntime-node");
    return { dir, version: (await Bun.file(join(dir, "package.json")).json()).version };
  }
  const { dir } = await cachedBuild("onnxruntime-node", await contentHash(ROOT, [], [version]), async (out) => {
    log(`onnxruntime-node ${version} for ${platform.id} (npm install into the build cache)`);
    await writeFile(join(out, "package.json"), JSON.stringify({ name: "senko-exe-build", private: true }));
    await run(["npm", "install", "--no-audit", "--no-fund", "--ignore-scripts", "--no-save", `onnxruntime-node@${version}`], { cwd: out });
  });
  return { dir: join(dir, "node_modules", "onnxruntime-node"), version };
}

interface RuntimeFile {
  name: string;
  path: string;
  symbol: string;
}

/** The onnxruntime libraries the platform's binding links, found beside it, plus DirectML.dll on Windows. */
async function runtimeFiles(platform: Platform, ortDir: string): Promise<RuntimeFile[]> {
  const binDir = join(ortDir, "bin", "napi-v6", platform.os, platform.cpu);
  const binding = binaryInfo(new Uint8Array(await Bun.file(join(binDir, "onnxruntime_binding.node")).arrayBuffer()));
  const linked = binding.needed.map((n) => basename(n)).filter((n) => existsSync(join(binDir, n)));
  if (linked.length !== 1) throw new Error(`${binDir}: expected the binding to link one onnxruntime library there, found ${linked.join(", ") || "none"}`);
  const files: RuntimeFile[] = [];
  // Loaded first, so onnxruntime's later LoadLibrary("DirectML.dll") finds it in the process.
  if (platform.os === "win32") files.push({ name: "DirectML.dll", path: join(binDir, "DirectML.dll"), symbol: "DMLCreateDevice" });
  files.push({ name: linked[0]!, path: join(binDir, linked[0]!), symbol: "OrtGetApiBase" });
  return files;
}

/**
 * The cache folder the executable writes its onnxruntime libraries to: named by their bytes, so every
 * build (and senko release) that embeds the same ones shares it instead of adding a copy per build.
 */
async function runtimeCacheId(runtime: RuntimeFile[]): Promise<string> {
  return contentHash(dirname(runtime[0]!.path), runtime.map((r) => r.path));
}

/** Modules that run in threads of their own (`new Worker`): entry points of the bundle besides the main one. */
const THREAD_ENTRIES = { inferenceWorker: "src/models/inference-worker.ts", diarizeThread: "src/queue/diarize-thread.ts" };

/** The entry point of one platform's executable: embeds its files and runs src/compiled.ts. */
function entrySource(libsenko: string, runtime: RuntimeFile[], runtimeId: string): string {
  const imports = [`import libsenko from ${JSON.stringify(libsenko)} with { type: "file" };`];
  runtime.forEach((r, i) => imports.push(`import runtime${i} from ${JSON.stringify(r.path)} with { type: "file" };`));
  imports.push(`import { runExecutable } from ${JSON.stringify(join(ROOT, "src/compiled.ts"))};`);
  const list = runtime.map((r, i) => `{ name: ${JSON.stringify(r.name)}, path: runtime${i}, symbol: ${JSON.stringify(r.symbol)} }`);
  // The threads' modules are more entry points, kept at their paths under the bundle's root (the repo);
  // the entry itself runs as <root>/<executable>, so they are found from it as from the repo's root.
  const thread = (file: string) => `new URL(${JSON.stringify(`./${file}`)}, import.meta.url).href`;
  return `${imports.join("\n")}
// Written by tools/build-exe.ts.
await runExecutable({
  libsenko,
  runtime: [${list.join(", ")}],
  threads: { inferenceWorker: ${thread(THREAD_ENTRIES.inferenceWorker)}, diarizeThread: ${thread(THREAD_ENTRIES.diarizeThread)} },
  runtimeId: ${JSON.stringify(runtimeId)},
});
`;
}

/** Imports of onnxruntime-node (and its onnxruntime-common) resolve inside `ortDir`'s node_modules. */
function onnxruntimeFrom(ortDir: string): Bun.BunPlugin {
  const modules = join(ortDir, "..");
  return {
    name: "senko-onnxruntime-version",
    setup(build) {
      build.onResolve({ filter: /^onnxruntime-(node|common)$/ }, (args) => ({ path: Bun.resolveSync(args.path, modules) }));
    },
  };
}

export interface BuiltExecutable {
  platform: Platform;
  path: string;
  /** the onnxruntime-node release inside, and its package directory */
  onnxruntime: string;
  ortDir: string;
  /** the embedded onnxruntime libraries (file names) */
  runtime: string[];
  /** the folder under ~/.cache/senko/runtime/ they are written to on first run */
  runtimeId: string;
  cached: boolean;
}

async function buildExecutable(platform: Platform, log: (line: string) => void = () => {}): Promise<BuiltExecutable> {
  const lib = await buildLibrary(platform, log);
  const ort = await onnxruntimePackage(platform, log);
  const runtime = await runtimeFiles(platform, ort.dir);
  const runtimeId = await runtimeCacheId(runtime);
  const sources = [
    ...filesMatching(join(ROOT, "src"), "**/*"),
    ...filesMatching(join(ROOT, "models"), "*.{ts,json}"),
    join(ROOT, "package.json"),
    join(ROOT, "tools/build-exe.ts"),
    lib.path,
  ];
  const extra = [Bun.version, platform.bunTarget, `onnxruntime-node ${ort.version}`, ...runtime.map((r) => r.name)];
  const hash = await contentHash(ROOT, sources, extra);
  const { dir, hit } = await cachedBuild(`senko-exe-${platform.id}`, hash, async (out) => {
    log(`executable for ${platform.id}: bun build --compile --target=${platform.bunTarget} (onnxruntime-node ${ort.version})`);
    const entryDir = join(ROOT, "dist", "exe-entry");
    await mkdir(entryDir, { recursive: true });
    const entry = join(entryDir, `${platform.id}.ts`);
    await writeFile(entry, entrySource(lib.path, runtime, runtimeId));
    const result = await Bun.build({
      entrypoints: [entry, ...Object.values(THREAD_ENTRIES).map((file) => join(ROOT, file))],
      root: ROOT,
      minify: true,
      plugins: ORT_VERSION_OVERRIDE[platform.id] ? [onnxruntimeFrom(ort.dir)] : [],
      compile: { target: platform.bunTarget as Bun.Build.CompileTarget, outfile: join(out, platform.executable), autoloadDotenv: false, autoloadBunfig: false },
    });
    if (!result.success) throw new Error(`bun build for ${platform.id} failed:\n${result.logs.join("\n")}`);
  });
  const path = join(EXE_DIR, platform.id, platform.executable);
  await mkdir(join(EXE_DIR, platform.id), { recursive: true });
  await rm(path, { force: true });
  // The cache and dist/ share a file system here; a copy elsewhere.
  try {
    linkSync(join(dir, platform.executable), path);
  } catch {
    await copyFile(join(dir, platform.executable), path);
  }
  return { platform, path, onnxruntime: ort.version, ortDir: ort.dir, runtime: runtime.map((r) => r.name), runtimeId, cached: hit };
}

/** The executables of `platforms`, their libraries built first (in parallel). */
export async function buildExecutables(platforms: readonly Platform[], log: (line: string) => void = () => {}): Promise<BuiltExecutable[]> {
  await buildLibraries(platforms, log);
  const built: BuiltExecutable[] = [];
  for (const p of platforms) built.push(await buildExecutable(p, log));
  return built;
}

if (import.meta.main) {
  const platforms = platformsNamed(import.meta.path, benchArgs(import.meta.path, {}, { positionals: true }).positionals);
  const started = performance.now();
  for (const exe of await buildExecutables(platforms, (line) => console.error(`build:exe: ${line}`))) {
    console.log(`${exe.path}  (onnxruntime-node ${exe.onnxruntime}: ${exe.runtime.join(", ")}${exe.cached ? "; cached" : ""})`);
  }
  console.error(`build:exe: done in ${((performance.now() - started) / 1000).toFixed(1)} s`);
}
