/**
 * @module libsenko for any platform of src/native/platforms.ts, cross-compiled by the pinned Zig from this
 * machine: ReleaseFast, the architecture's baseline CPU, the platform's Zig target, no debug information. Each build is cached by
 * the content of the Zig sources (tools/build-cache.ts).
 */
import { copyFile, mkdtemp, rm } from "node:fs/promises";
import { availableParallelism, tmpdir } from "node:os";
import { join } from "node:path";
import { fail } from "../bench/args.ts";
import { libraryFileName, PLATFORMS, zigLibDir, type Platform } from "../src/native/platforms.ts";
import { cachedBuild, contentHash, filesMatching, run } from "./build-cache.ts";

export const ROOT = join(import.meta.dir, "..");

/** The platforms a build script's arguments name (all without any); an unknown one is a line on stderr and exit 2. */
export function platformsNamed(script: string, ids: readonly string[]): readonly Platform[] {
  if (ids.length === 0) return PLATFORMS;
  const unknown = ids.filter((id) => !PLATFORMS.some((p) => p.id === id));
  if (unknown.length > 0) fail(script, `unknown platform ${unknown.join(", ")} (known: ${PLATFORMS.map((p) => p.id).join(", ")}); see --help`);
  return ids.map((id) => PLATFORMS.find((p) => p.id === id)!);
}

/** Everything a libsenko build is made from. */
function zigInputs(): string[] {
  return [join(ROOT, "build.zig"), join(ROOT, "tools/zig-version"), ...filesMatching(join(ROOT, "zig"), "**/*.zig")];
}

export interface BuiltLibrary {
  platform: Platform;
  path: string;
  /** true when it came from the cache */
  cached: boolean;
}

/** The cached library of `platform`, built first if its sources changed. */
export async function buildLibrary(platform: Platform, log: (line: string) => void = () => {}): Promise<BuiltLibrary> {
  const args = ["build", "-Doptimize=ReleaseFast", `-Dtarget=${platform.zigTarget}`, "-Dcpu=baseline", "-Dstrip=true"];
  const hash = await contentHash(ROOT, zigInputs(), args);
  const file = libraryFileName(platform.os);
  const { dir, hit } = await cachedBuild(`libsenko-${platform.id}`, hash, async (out) => {
    log(`libsenko for ${platform.id}: zig ${args.join(" ")}`);
    const prefix = await mkdtemp(join(tmpdir(), "senko-zig-"));
    try {
      await run(["bash", join(ROOT, "tools/zig.sh"), ...args, "--prefix", prefix]);
      await copyFile(join(prefix, "lib", zigLibDir(platform.os, platform.cpu), file), join(out, file));
    } finally {
      await rm(prefix, { recursive: true, force: true });
    }
  });
  return { platform, path: join(dir, file), cached: hit };
}

/**
 * The libraries of `platforms`, in their order, building the missing ones two at a time: a Zig compile of
 * libsenko keeps about one core busy.
 */
export async function buildLibraries(platforms: readonly Platform[], log: (line: string) => void = () => {}): Promise<BuiltLibrary[]> {
  const built: BuiltLibrary[] = [];
  let next = 0;
  const worker = async () => {
    while (next < platforms.length) {
      const i = next++;
      built[i] = await buildLibrary(platforms[i]!, log);
    }
  };
  await Promise.all(Array.from({ length: Math.min(2, availableParallelism()) }, worker));
  return built;
}
