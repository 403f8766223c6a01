/**
 * @module `npm run build:packages [platform...]`: cross-compiles libsenko for every platform of
 * src/native/platforms.ts (or the ones named) and packs the npm packages into dist/npm/: one `senko-<os>-<cpu>` per platform (the library, with
 * `os`/`cpu` fields so npm and bun install only the one that fits) and `senko` itself, holding the files
 * the root package.json's `files` list names and the declarations of its API, with the platform packages as optional dependencies. The
 * checkout's own package.json has no optional dependencies (they are not on a registry while developing,
 * and `npm ci` would refuse them), so the published manifest is written here from it.
 */
import { cp, copyFile, mkdir, rm, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { benchArgs } from "../bench/args.ts";
import { libraryFileName, PLATFORMS, type Platform } from "../src/native/platforms.ts";
import { cachedBuild, contentHash, filesMatching, run } from "./build-cache.ts";
import { buildLibraries, platformsNamed, ROOT, type BuiltLibrary } from "./cross-build.ts";

const DIST = join(ROOT, "dist");
const STAGING = join(DIST, "packages");
const TARBALLS = join(DIST, "npm");

const OS_NAMES: Record<Platform["os"], string> = { linux: "Linux (glibc 2.28 or newer)", darwin: "macOS", win32: "Windows" };

type Manifest = Record<string, unknown> & { name: string; version: string };

async function rootManifest(): Promise<Manifest> {
  return (await Bun.file(join(ROOT, "package.json")).json()) as Manifest;
}

/** `npm pack` of a staged directory into dist/npm; returns the tarball's path. */
async function npmPack(dir: string): Promise<string> {
  const out = await run(["npm", "pack", dir, "--json", "--pack-destination", TARBALLS], { cwd: DIST });
  const [packed] = JSON.parse(out) as { filename: string }[];
  return join(TARBALLS, packed!.filename);
}

function platformManifest(root: Manifest, p: Platform): Manifest {
  const libc = p.os === "linux" ? { libc: ["glibc"] } : {};
  return {
    name: p.packageName,
    version: root.version,
    description: `libsenko, the native core of senko, prebuilt for ${OS_NAMES[p.os]} on ${p.cpu}`,
    license: root.license,
    os: [p.os],
    cpu: [p.cpu],
    ...libc,
    files: [libraryFileName(p.os), "LICENSE"],
    preferUnplugged: true,
  };
}

async function stagePlatform(root: Manifest, lib: BuiltLibrary): Promise<string> {
  const p = lib.platform;
  const dir = join(STAGING, p.packageName);
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  await copyFile(lib.path, join(dir, libraryFileName(p.os)));
  await copyFile(join(ROOT, "LICENSE"), join(dir, "LICENSE"));
  await writeFile(join(dir, "package.json"), `${JSON.stringify(platformManifest(root, p), null, 2)}\n`);
  await writeFile(
    join(dir, "README.md"),
    `# ${p.packageName}\n\nThe prebuilt native library of [senko](https://www.npmjs.com/package/senko) for ${OS_NAMES[p.os]} on ${p.cpu}.\n` +
      "Install `senko`, not this package: npm and bun pick it as senko's optional dependency for this platform.\n",
  );
  return npmPack(dir);
}

/** Where the declarations of `senko` are in its package. */
export const TYPES_ENTRY = "./types/src/index.d.ts";

/**
 * Declarations of the public API (`tsc --emitDeclarationOnly` from src/index.ts), cached by the content of
 * the sources. Bun runs the TypeScript sources, but a user's `tsc` would type-check those under the user's
 * own tsconfig (skipLibCheck skips only .d.ts files), so the package's `types` are these.
 */
async function declarations(log: (line: string) => void): Promise<string> {
  const sources = [...filesMatching(join(ROOT, "src"), "**/*"), ...filesMatching(join(ROOT, "models"), "*.{ts,json}"), join(ROOT, "package.json"), join(ROOT, "tsconfig.json")];
  const tsc = join(ROOT, "node_modules", "typescript", "bin", "tsc");
  const version = ((await Bun.file(join(ROOT, "node_modules", "typescript", "package.json")).json()) as { version: string }).version;
  const { dir } = await cachedBuild("senko-types", await contentHash(ROOT, sources, [`typescript ${version}`]), async (out) => {
    log(`declarations (tsc ${version})`);
    const config = { extends: join(ROOT, "tsconfig.json"), compilerOptions: { noEmit: false, declaration: true, emitDeclarationOnly: true, rootDir: ROOT, outDir: out, typeRoots: [join(ROOT, "node_modules", "@types")] }, files: [join(ROOT, "src/index.ts")], include: [] };
    const project = join(out, "tsconfig.json");
    await writeFile(project, JSON.stringify(config));
    await run([process.execPath, tsc, "-p", project]);
    await rm(project);
  });
  return dir;
}

/** The fields of the root manifest a user's install needs, its declarations, plus the platform packages. */
function mainManifest(root: Manifest, platforms: readonly Platform[]): Manifest {
  const keep = ["name", "version", "description", "license", "type", "module", "bin", "files", "engines", "dependencies"];
  const manifest = Object.fromEntries(keep.filter((k) => root[k] !== undefined).map((k) => [k, root[k]])) as Manifest;
  manifest.files = [...(root.files as string[]), "types/"];
  manifest.types = TYPES_ENTRY;
  manifest.exports = { ".": { types: TYPES_ENTRY, default: (root.exports as Record<string, string>)["."] } };
  manifest.optionalDependencies = Object.fromEntries(platforms.map((p) => [p.packageName, root.version]));
  return manifest;
}

async function stageMain(root: Manifest, platforms: readonly Platform[], log: (line: string) => void): Promise<string> {
  const dir = join(STAGING, root.name);
  await rm(dir, { recursive: true, force: true });
  // npm's own reading of the `files` list decides what goes in.
  const [listing] = JSON.parse(await run(["npm", "pack", "--dry-run", "--json", "--ignore-scripts"], { cwd: ROOT })) as { files: { path: string }[] }[];
  for (const { path } of listing!.files) {
    if (path === "package.json") continue;
    await mkdir(dirname(join(dir, path)), { recursive: true });
    await copyFile(join(ROOT, path), join(dir, path));
  }
  await cp(await declarations(log), join(dir, "types"), { recursive: true });
  await writeFile(join(dir, "package.json"), `${JSON.stringify(mainManifest(root, platforms), null, 2)}\n`);
  return npmPack(dir);
}

export interface PackedPackages {
  main: string;
  /** tarball per platform id */
  platforms: Record<string, string>;
}

/**
 * Builds (or takes from the cache) the libraries of `platforms` and packs their packages and `senko`, whose
 * optional dependencies are those platforms' packages: all five (six tarballs) for a release; the tests of
 * the default suite pack this machine's only, a release's subset that installs the same way.
 */
export async function buildPackages(platforms: readonly Platform[] = PLATFORMS, log: (line: string) => void = () => {}): Promise<PackedPackages> {
  const root = await rootManifest();
  await rm(TARBALLS, { recursive: true, force: true });
  await mkdir(TARBALLS, { recursive: true });
  const packed: Record<string, string> = {};
  for (const lib of await buildLibraries(platforms, log)) packed[lib.platform.id] = await stagePlatform(root, lib);
  const main = await stageMain(root, platforms, log);
  return { main, platforms: packed };
}

if (import.meta.main) {
  const platforms = platformsNamed(import.meta.path, benchArgs(import.meta.path, {}, { positionals: true }).positionals);
  const started = performance.now();
  const packed = await buildPackages(platforms, (line) => console.error(`build:packages: ${line}`));
  for (const tarball of [packed.main, ...Object.values(packed.platforms)]) console.log(tarball);
  console.error(`build:packages: done in ${((performance.now() - started) / 1000).toFixed(1)} s`);
}
