/**
 * The npm packages (`npm run build:packages`): what the tarballs hold, the cross-built library of every
 * platform package (format, CPU, the symbols the bindings need), and a fresh project that installs the
 * tarballs with npm and with bun, imports senko and diarizes a fixture exactly as this checkout does.
 * The default suite packs `senko` with this machine's platform package only (one cross-compile);
 * `npm run test:platforms` (SENKO_TEST_PLATFORMS=all) packs all six, as a release does, and installs those.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative } from "node:path";
import { resolveModel } from "../models/fetch.ts";
import { Diarizer, toRttm, VERSION, type Segment } from "../src/index.ts";
import { NATIVE_SYMBOL_NAMES } from "../src/ffi.ts";
import { findPlatform, libraryFileName, PLATFORMS } from "../src/native/platforms.ts";
import { binaryInfo } from "../tools/binary-info.ts";
import { buildPackages, TYPES_ENTRY, type PackedPackages } from "../tools/build-packages.ts";
import { AMI_DIR, withoutAmi } from "./helpers/fixtures.ts";

const FIXTURE = join(AMI_DIR, "dev00.wav");
/** The fresh projects diarize the fixture as the checkout does. */
const noAmi = withoutAmi("package.test.ts");
const ARCH = { x64: "x86-64", arm64: "aarch64" } as const;
const FORMAT = { linux: "elf", darwin: "mach-o", win32: "pe" } as const;

const ALL_PLATFORMS = process.env.SENKO_TEST_PLATFORMS === "all";
const MINE = findPlatform()!;
const TESTED = ALL_PLATFORMS ? PLATFORMS : [MINE];

const BIN = mkdtempSync(join(tmpdir(), "senko-bin-"));
symlinkSync(process.execPath, join(BIN, "bun"));
let packed: PackedPackages;
let expected: { rttm: string; segments: string; recipe: string };

/** Files of a tarball (`tar -t`), and the text or bytes of one member (`tar -xO`). */
function tarList(tarball: string): string[] {
  return Bun.spawnSync(["tar", "-tzf", tarball]).stdout.toString().trim().split("\n");
}
function tarRead(tarball: string, member: string): Uint8Array {
  const out = Bun.spawnSync(["tar", "-xzOf", tarball, member], { stdout: "pipe" });
  if (out.exitCode !== 0) throw new Error(`${tarball} has no ${member}`);
  return new Uint8Array(out.stdout);
}

afterAll(() => rmSync(BIN, { recursive: true, force: true }));

/** Turns as the README's blocks print them: `start end speaker` lines. */
const linesOf = (turns: readonly Segment[]) => turns.map((s) => `${s.start} ${s.end} ${s.speaker}\n`).join("");

/** Relative imports of a module: `from "./x"`, `import "./x"`, `import("./x")` and workers' `new URL("./x", import.meta.url)`. */
const RELATIVE_IMPORT = /(?:\bfrom\s*|\bimport\s*\(?\s*|new URL\(\s*)"(\.\.?\/[^"]+)"/g;

/**
 * The shipped sources (.ts) under `root`, walked from `entries` through their relative imports: imports of files
 * that are not there (`missing`, "importer -> import"), and sources no entry reaches (`unreached`).
 */
function sourceGraph(root: string, entries: readonly string[]): { missing: string[]; unreached: string[] } {
  const seen = new Set<string>();
  const missing: string[] = [];
  const queue = entries.map((e) => join(root, e));
  for (let file = queue.pop(); file !== undefined; file = queue.pop()) {
    if (seen.has(file)) continue;
    seen.add(file);
    if (!file.endsWith(".ts")) continue;
    for (const [, spec] of readFileSync(file, "utf8").matchAll(RELATIVE_IMPORT)) {
      const target = join(dirname(file), spec!);
      if (existsSync(target)) queue.push(target);
      else missing.push(`${relative(root, file)} -> ${spec}`);
    }
  }
  const sources = [...new Bun.Glob("**/*.ts").scanSync({ cwd: root })].filter((f) => !f.startsWith("types/"));
  return { missing, unreached: sources.filter((f) => !seen.has(join(root, f))).sort() };
}

/** Each installer's fresh project, installed (started once the tarballs exist, alongside the checkout's results). */
const projects = new Map<string, Promise<string>>();

beforeAll(async () => {
  packed = await buildPackages(TESTED);
  if (noAmi) return;
  for (const [installer, install] of INSTALLERS) {
    const dir = freshProject(installer === "npm");
    projects.set(installer, runInAsync(dir, install).then(() => dir));
  }
  // A failed install fails its describe's beforeAll (below), not this one as an unhandled rejection.
  for (const project of projects.values()) project.catch(() => {});
  await using diarizer = new Diarizer({ quiet: true });
  const result = await diarizer.diarize(FIXTURE);
  expect(result.mergedSegments.length).toBeGreaterThan(0);
  // What the README's stage-by-stage block says it prints.
  await using recipe = new Diarizer({ quiet: true, pipeline: "vad-windows", vad: "silero" });
  const turns = (await recipe.diarize(FIXTURE)).mergedSegments;
  expect(turns.length).toBeGreaterThan(0);
  expected = { rttm: toRttm(result, "dev00"), segments: JSON.stringify(result.mergedSegments), recipe: linesOf(turns) };
}, 900_000);

describe("the tarballs", () => {
  test("senko holds what a user needs, no benches, tests or tools, no Python but the CAM++ exporter", () => {
    const files = tarList(packed.main);
    for (const needed of ["package/src/index.ts", "package/src/ffi.ts", "package/models/manifest.json", "package/models/fetch.ts", "package/diarize.ts", "package/README.md", "package/LICENSE"]) {
      expect(files).toContain(needed);
    }
    // The README's own links (figures, the timeline picture) resolve inside the package, as npm shows it.
    const readme = new TextDecoder().decode(tarRead(packed.main, "package/README.md"));
    const links = [...readme.matchAll(/\]\(([^)#:]+)\)/g)].map((m) => `package/${m[1]}`);
    expect(links.length).toBeGreaterThan(0);
    expect(links.filter((l) => !files.includes(l))).toEqual([]);
    const manifest = JSON.parse(new TextDecoder().decode(tarRead(packed.main, "package/package.json")));
    // models/ runs the exporter where no model hub is reachable (imported as text, so the graph below checks it too).
    expect(files).toContain("package/models/export-campplus.py");
    const unwanted = files.filter(
      (f) => /^package\/(bench|test|tools|examples|zig)\//.test(f) || (f.endsWith(".py") && f !== "package/models/export-campplus.py") || f.endsWith(".zig"),
    );
    expect(unwanted).toEqual([]);
    // Every source file is one a user's program runs: reached from the entry points (the package's module and its
    // bin) by relative imports (type-only ones too: the declarations need them), each of them shipped.
    const unpacked = mkdtempSync(join(tmpdir(), "senko-unpacked-"));
    try {
      Bun.spawnSync(["tar", "-xzf", packed.main, "-C", unpacked]);
      const { missing, unreached } = sourceGraph(join(unpacked, "package"), [manifest.exports["."].default, ...Object.values<string>(manifest.bin)]);
      expect({ missing, unreached }).toEqual({ missing: [], unreached: [] });
    } finally {
      rmSync(unpacked, { recursive: true, force: true });
    }
    // Declarations for the user's tsc: it would check the .ts sources under the user's own tsconfig.
    expect(files).toContain(`package/${TYPES_ENTRY.slice(2)}`);
    expect([manifest.types, manifest.exports["."]]).toEqual([TYPES_ENTRY, { types: TYPES_ENTRY, default: "./src/index.ts" }]);
    expect(manifest.optionalDependencies).toEqual(Object.fromEntries(TESTED.map((p) => [p.packageName, VERSION])));
    expect(manifest.bin).toEqual({ senko: "./diarize.ts" });
    expect(manifest.devDependencies).toBeUndefined();
    expect(manifest.scripts).toBeUndefined();
  });

  for (const p of TESTED) {
    test(`${p.packageName}: os/cpu, and a ${FORMAT[p.os]} ${ARCH[p.cpu]} library exporting every symbol the bindings use`, () => {
      const tarball = packed.platforms[p.id]!;
      const file = libraryFileName(p.os);
      expect(tarList(tarball).sort()).toEqual([`package/${file}`, "package/LICENSE", "package/README.md", "package/package.json"].sort());
      const manifest = JSON.parse(new TextDecoder().decode(tarRead(tarball, "package/package.json")));
      expect(manifest).toMatchObject({ name: p.packageName, version: VERSION, os: [p.os], cpu: [p.cpu] });
      const info = binaryInfo(tarRead(tarball, `package/${file}`));
      expect(info).toMatchObject({ format: FORMAT[p.os], arch: ARCH[p.cpu], kind: "library" });
      expect(NATIVE_SYMBOL_NAMES.length).toBeGreaterThan(20);
      expect(NATIVE_SYMBOL_NAMES.filter((name) => !info.exports.includes(name))).toEqual([]);
    });
  }
});

/** The environment of a user's shell: no SENKO_LIB pointing into this checkout. */
function userEnv(): Record<string, string> {
  const env: Record<string, string> = { ...(process.env as Record<string, string>), ONNXRUNTIME_NODE_INSTALL: "skip" };
  // bun on the PATH, as a user who runs bunx has it (the npm package's binary is named bun.exe).
  env.PATH = `${BIN}:${env.PATH}`;
  delete env.SENKO_LIB;
  return env;
}

const SCRIPT = `import { Diarizer, setLibraryPath, toRttm } from "senko";
if (typeof setLibraryPath !== "function") throw new Error("senko exports no setLibraryPath");
await using diarizer = new Diarizer({ quiet: true });
const result = await diarizer.diarize(process.argv[2]);
console.log(JSON.stringify({ rttm: toRttm(result, "dev00"), segments: JSON.stringify(result.mergedSegments) }));
`;

const TS_USER_OPTIONS = {
  target: "ES2022",
  module: "NodeNext",
  moduleResolution: "NodeNext",
  strict: true,
  exactOptionalPropertyTypes: true,
  noPropertyAccessFromIndexSignature: true,
  noUnusedLocals: true,
  noUnusedParameters: true,
  skipLibCheck: true,
  noEmit: true,
  types: ["bun"],
};
const TYPES_SCRIPT = `import type { DiarizationResult, DiarizerOptions, Segment } from "senko";
export const options: DiarizerOptions = { numSpeakers: 2, quiet: true };
// @ts-expect-error numSpeakers is a number: the types are senko's, not any
export const wrong: DiarizerOptions = { numSpeakers: "2" };
export const speakers = (result: DiarizationResult): string[] => result.mergedSegments.map((s: Segment) => s.speaker);
`;

/** The TypeScript blocks of the packed README, as a user copies them into files. */
function readmeBlocks(): string[] {
  const readme = new TextDecoder().decode(tarRead(packed.main, "package/README.md"));
  return [...readme.matchAll(/^```ts\n([\s\S]*?)^```$/gm)].map((m) => m[1]!);
}
const readmeFile = (i: number) => `readme-${i + 1}.ts`;

/**
 * A fresh project that depends on the senko tarball; the platform packages come from their tarballs too.
 * `withReadme`: the README's blocks in files of their own, and meeting.wav (the name they read) a fixture.
 */
function freshProject(withReadme: boolean): string {
  const dir = mkdtempSync(join(tmpdir(), "senko-install-"));
  const tarballs = Object.fromEntries(TESTED.map((p) => [p.packageName, `file:${packed.platforms[p.id]}`]));
  const manifest = { name: "senko-user", version: "1.0.0", private: true, type: "module", dependencies: { senko: `file:${packed.main}` }, overrides: tarballs };
  writeFileSync(join(dir, "package.json"), JSON.stringify(manifest, null, 2));
  writeFileSync(join(dir, "diarize.ts"), SCRIPT);
  if (withReadme) {
    readmeBlocks().forEach((code, i) => writeFileSync(join(dir, readmeFile(i)), code));
    symlinkSync(FIXTURE, join(dir, "meeting.wav"));
  }
  return dir;
}

function runIn(dir: string, cmd: string[], env: Record<string, string> = {}): string {
  const run = Bun.spawnSync(cmd, { cwd: dir, env: { ...userEnv(), ...env }, stdout: "pipe", stderr: "pipe" });
  if (run.exitCode !== 0) throw new Error(`${cmd.join(" ")} exited ${run.exitCode}:\n${run.stderr.toString()}${run.stdout.toString()}`);
  return run.stdout.toString();
}

/** runIn without blocking the event loop, so other work goes on meanwhile. */
async function runInAsync(dir: string, cmd: string[]): Promise<string> {
  const run = Bun.spawn(cmd, { cwd: dir, env: userEnv(), stdout: "pipe", stderr: "pipe" });
  const [code, stdout, stderr] = await Promise.all([run.exited, new Response(run.stdout).text(), new Response(run.stderr).text()]);
  if (code !== 0) throw new Error(`${cmd.join(" ")} exited ${code}:\n${stderr}${stdout}`);
  return stdout;
}

// npm reads os/cpu from the tarballs and skips the other platforms' packages; bun reads them only from a
// registry's metadata, so from local tarballs it installs all five (the lookup still takes its own).
const INSTALLERS: [string, string[], boolean][] = [
  ["npm", ["npm", "install", "--no-audit", "--no-fund", "--prefer-offline"], true],
  ["bun", [process.execPath, "install"], false],
];

describe.skipIf(noAmi).each(INSTALLERS)("a fresh project installed with %s", (installer, _install, filtersTarballs) => {
  let dir: string;

  beforeAll(async () => {
    dir = await projects.get(installer)!;
  }, 600_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test("gets its own platform package", () => {
    expect(existsSync(join(dir, "node_modules", MINE.packageName, libraryFileName(MINE.os)))).toBe(true);
    if (filtersTarballs) for (const p of TESTED) expect(existsSync(join(dir, "node_modules", p.packageName))).toBe(p === MINE);
  });

  // npm's project runs the README's first block instead, which prints the same turns.
  if (installer === "bun") {
    test("import { Diarizer } from \"senko\" diarizes a fixture as the checkout does", () => {
      const got = JSON.parse(runIn(dir, [process.execPath, "run", "diarize.ts", FIXTURE]));
      expect(got.segments).toBe(expected.segments);
      expect(got.rttm).toBe(expected.rttm);
    }, 120_000);
  }

  // With an empty cache and the models in SENKO_MODELS_DIR, as on a machine without network.
  const offline = async () => ({ XDG_CACHE_HOME: join(dir, "empty-cache"), SENKO_MODELS_DIR: dirname((await resolveModel("campplus", { offline: true })).path) });

  test("bunx senko <file> works from the project, the models from SENKO_MODELS_DIR", async () => {
    const bunx = [process.execPath, "x", "senko", FIXTURE, "--format", "rttm", "--quiet"];
    expect(runIn(dir, bunx, await offline())).toBe(expected.rttm);
  }, 120_000);

  // The other checks need one project each (the tarballs' files are the same under both installers).
  if (installer === "npm") {
    test("bunx senko models lists the models of SENKO_MODELS_DIR", async () => {
      const listed = runIn(dir, [process.execPath, "x", "senko", "models", "--offline", "--json"], await offline());
      expect((JSON.parse(listed) as { origin: string }[]).map((m) => m.origin)).toEqual(["models-dir", "models-dir", "models-dir"]);
    });

    // A tsconfig unlike senko's (no allowImportingTsExtensions, stricter flags): senko's declarations, not its sources, are checked.
    test("a TypeScript project with its own tsconfig type-checks the README's blocks and examples/ against senko's types", () => {
      // @types/bun, as `bun init` adds it (the checkout's: installing it from the registry would cost seconds).
      mkdirSync(join(dir, "node_modules", "@types"), { recursive: true });
      symlinkSync(join(import.meta.dir, "..", "node_modules", "@types", "bun"), join(dir, "node_modules", "@types", "bun"));
      // The examples are in the repository, not the package: copied as a user copies them.
      const examples = readdirSync(join(import.meta.dir, "..", "examples")).filter((f) => f.endsWith(".ts"));
      for (const f of examples) copyFileSync(join(import.meta.dir, "..", "examples", f), join(dir, `example-${f}`));
      const files = ["types.ts", ...readmeBlocks().map((_, i) => readmeFile(i)), ...examples.map((f) => `example-${f}`)];
      writeFileSync(join(dir, "tsconfig.json"), JSON.stringify({ compilerOptions: TS_USER_OPTIONS, files }));
      writeFileSync(join(dir, "types.ts"), TYPES_SCRIPT);
      const check = Bun.spawnSync([process.execPath, "check", "--no-pretty"], { cwd: dir, env: userEnv(), stdout: "pipe", stderr: "pipe" });
      expect([check.exitCode, check.stdout.toString()]).toEqual([0, ""]);
      expect(check.stderr.toString()).toContain(`No type errors in ${files.length} files`);
    });

    // As written, at once: the first is the Diarizer (the checkout's turns), the second a run with a signal (the
    // checkout's speaker count), the third the stages one by one (the checkout's vad-windows turns), the fourth a
    // live session.
    test("the README's TypeScript blocks run as written: import { Diarizer } from \"senko\" gives the checkout's turns", async () => {
      const blocks = readmeBlocks();
      expect(blocks.length).toBe(4);
      const runs = blocks.map((_, i) => Bun.spawn([process.execPath, "run", readmeFile(i)], { cwd: dir, env: userEnv(), stdout: "pipe", stderr: "pipe" }));
      const outputs = await Promise.all(runs.map(async (run) => [await run.exited, await new Response(run.stdout).text(), await new Response(run.stderr).text()] as const));
      for (const [code, , stderr] of outputs) if (code !== 0) throw new Error(`a README block exited ${code}:\n${stderr}`);
      expect(outputs[0]![1]).toBe(linesOf(JSON.parse(expected.segments) as Segment[]));
      const speakers = new Set((JSON.parse(expected.segments) as Segment[]).map((s) => s.speaker)).size;
      expect(outputs[1]![1]).toBe(`${speakers} speakers\n`);
      expect(outputs[2]![1]).toBe(expected.recipe);
      expect(outputs[3]![1].trimEnd().split("\n").at(-1)).toStartWith(`${speakers} speakers; live names: {`);
    }, 120_000);
  } else {
    // As after an install with --omit=optional (the project's platform package is moved away).
    test("without its platform package: one line listing every place tried, before any model loads", () => {
      renameSync(join(dir, "node_modules", MINE.packageName), join(dir, "moved-away"));
      const run = Bun.spawnSync([process.execPath, "x", "senko", FIXTURE], { cwd: dir, env: userEnv(), stdout: "pipe", stderr: "pipe" });
      const lines = run.stderr.toString().trimEnd().split("\n");
      expect([run.exitCode, lines.length, run.stdout.toString()]).toEqual([1, 1, ""]);
      expect(lines[0]).toStartWith(`senko: libsenko not found for ${MINE.id}; tried explicit path: not set; SENKO_LIB: not set; package ${MINE.packageName}: not installed; checkout build: `);
      expect(lines[0]).toContain(`To fix: install ${MINE.packageName} (`);
    });
  }
});
