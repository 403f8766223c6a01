/**
 * @module Where libsenko is: an explicit path (`setLibraryPath`), then SENKO_LIB, then the platform package
 * (the optional dependency `senko-<os>-<cpu>` that npm or bun installed beside `senko`), then a checkout's
 * own build (zig-out/lib/<arch>-<os>/). A path that was given but does not exist is an error, not a reason
 * to load some other library; when nothing is found, the error lists every place tried and names the
 * package to install.
 */
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { NativeLibraryError } from "../errors.ts";
import { findPlatform, libraryFileName, zigLibDir } from "./platforms.ts";

export interface LookupInput {
  /** from `setLibraryPath` */
  explicit?: string;
  /** $SENKO_LIB */
  env?: string;
  os: string;
  cpu: string;
  /** package.json path of an installed package, or undefined when it is not installed */
  resolvePackage: (name: string) => string | undefined;
  /** root of a senko checkout (holds zig-out/ after `npm run setup`) */
  checkoutRoot: string;
  exists?: (path: string) => boolean;
}

export interface Found {
  path: string;
  /** how it was found: "explicit path", "SENKO_LIB", "package senko-linux-x64", "checkout build" */
  origin: string;
  /** every place looked at, in order, each with what was there */
  tried: string[];
}

/** Where `zig build` puts the library of this OS and CPU in a checkout. */
export function checkoutLibraryPath(root: string, os: string, cpu: string): string {
  return join(root, "zig-out", "lib", zigLibDir(os, cpu), libraryFileName(os));
}

export function findLibrary(input: LookupInput): Found {
  const exists = input.exists ?? existsSync;
  const tried: string[] = [];
  const given: [string, string | undefined][] = [
    ["explicit path", input.explicit],
    ["SENKO_LIB", input.env],
  ];
  for (const [origin, path] of given) {
    if (!path) {
      tried.push(`${origin}: not set`);
      continue;
    }
    tried.push(`${origin}: ${path}`);
    if (exists(path)) return { path, origin, tried };
    throw new NativeLibraryError(`libsenko not found: ${origin} names ${path}, which does not exist`, [path]);
  }

  const platform = findPlatform(input.os, input.cpu);
  if (platform) {
    const manifest = input.resolvePackage(platform.packageName);
    if (manifest) {
      const path = join(dirname(manifest), libraryFileName(platform.os));
      tried.push(`package ${platform.packageName}: ${path}`);
      if (exists(path)) return { path, origin: `package ${platform.packageName}`, tried };
    } else {
      tried.push(`package ${platform.packageName}: not installed`);
    }
  } else {
    tried.push(`platform package: senko has none for ${input.os}-${input.cpu}`);
  }

  const built = checkoutLibraryPath(input.checkoutRoot, input.os, input.cpu);
  tried.push(`checkout build: ${built}`);
  if (exists(built)) return { path: built, origin: "checkout build", tried };

  const fix = platform
    ? `install ${platform.packageName} (the optional dependency of senko for ${platform.id}: \`npm install ${platform.packageName}\` or \`bun add ${platform.packageName}\`; it is skipped by --omit=optional / --no-optional), set SENKO_LIB to a libsenko you built, or run 'npm run setup' in a senko checkout`
    : `senko ships no prebuilt library for ${input.os}-${input.cpu}: build one from a checkout ('npm run setup') and set SENKO_LIB to it`;
  throw new NativeLibraryError(`libsenko not found for ${input.os}-${input.cpu}; tried ${tried.join("; ")}. To fix: ${fix}.`, tried);
}
