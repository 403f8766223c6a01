/**
 * @module The one module that talks to libsenko through bun:ffi: library lookup, the symbol
 * table (assembled from the per-area tables in ./native/), status checks and zero-copy views.
 * Set SENKO_TRACE_FFI=1 to log every native call with its duration.
 */
import { dlopen, suffix, toArrayBuffer, type Library, type Pointer } from "bun:ffi";
import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import { NativeLibraryError } from "./errors.ts";
import { coreSymbols } from "./native/core-symbols.ts";
import { fbankSymbols } from "./native/fbank-symbols.ts";
import { matrixSymbols } from "./native/matrix-symbols.ts";
import { clusterSymbols } from "./native/cluster-symbols.ts";
import { audioSymbols } from "./native/audio-symbols.ts";
import { umapSymbols } from "./native/umap-symbols.ts";
import { overlapSymbols } from "./native/overlap-symbols.ts";

const symbols = {
  ...coreSymbols,
  ...fbankSymbols,
  ...matrixSymbols,
  ...clusterSymbols,
  ...audioSymbols,
  ...umapSymbols,
  ...overlapSymbols,
} as const;

/** The ABI version this TypeScript expects; must equal `senko_abi_version()` in zig/lib.zig. */
const ABI_VERSION = 3;

export type NativeSymbols = Library<typeof symbols>["symbols"];

/** Status codes of zig/status.zig. */
const STATUS_TEXT: Record<number, string> = {
  [-1]: "invalid argument",
  [-2]: "out of memory",
  [-3]: "invalid data",
  [-4]: "no convergence",
};

let explicitPath: string | undefined;
let loaded: { lib: Library<typeof symbols>; path: string } | undefined;

/** Uses this file as libsenko instead of searching for it (call before the first native call). */
export function setLibraryPath(path: string): void {
  if (loaded) throw new NativeLibraryError(`libsenko is already loaded from ${loaded.path}`);
  explicitPath = path;
}

const ZIG_ARCH: Record<string, string> = { x64: "x86_64", arm64: "aarch64" };
const ZIG_OS: Record<string, string> = { linux: "linux", darwin: "macos", win32: "windows" };

function candidatePaths(): string[] {
  if (explicitPath) return [explicitPath];
  const paths: string[] = [];
  if (process.env.SENKO_LIB) paths.push(process.env.SENKO_LIB);
  const dir = `${ZIG_ARCH[process.arch] ?? process.arch}-${ZIG_OS[process.platform] ?? process.platform}`;
  const file = `${process.platform === "win32" ? "" : "lib"}senko.${suffix}`;
  paths.push(join(resolve(import.meta.dir, ".."), "zig-out", "lib", dir, file));
  return paths;
}

function load(): Library<typeof symbols> {
  if (loaded) return loaded.lib;
  const tried = candidatePaths();
  const path = tried.find((p) => existsSync(p));
  if (!path) {
    throw new NativeLibraryError(
      `libsenko not found (run 'npm run setup' to build it); looked in: ${tried.join(", ")}`,
      tried,
    );
  }
  let lib: Library<typeof symbols>;
  try {
    lib = dlopen(path, symbols);
  } catch (cause) {
    throw new NativeLibraryError(`libsenko at ${path} could not be loaded: ${String(cause)}`, tried, { cause });
  }
  const version = lib.symbols.senko_abi_version();
  if (version !== ABI_VERSION) {
    lib.close();
    throw new NativeLibraryError(
      `libsenko at ${path} has ABI version ${version}, expected ${ABI_VERSION}; rebuild it with 'npm run build:zig'`,
      tried,
    );
  }
  loaded = { lib, path };
  return lib;
}

function traced(raw: NativeSymbols): NativeSymbols {
  const wrapped: Record<string, unknown> = {};
  for (const [name, fn] of Object.entries(raw)) {
    wrapped[name] = (...args: unknown[]) => {
      const t0 = performance.now();
      const result = (fn as (...a: unknown[]) => unknown)(...args);
      console.error(`[senko ffi] ${name} ${(performance.now() - t0).toFixed(3)} ms`);
      return result;
    };
  }
  return wrapped as NativeSymbols;
}

let native: NativeSymbols | undefined;

/** The native symbol table, loading libsenko on first use. */
export function lib(): NativeSymbols {
  if (!native) {
    const raw = load().symbols;
    native = process.env.SENKO_TRACE_FFI ? traced(raw) : raw;
  }
  return native;
}

/** Path of the loaded library (loads it if needed). */
export function libraryPath(): string {
  load();
  return loaded!.path;
}

/** Throws a NativeLibraryError for a negative status from a native call. */
export function check(status: number, what: string): void {
  if (status >= 0) return;
  throw new NativeLibraryError(`${what} failed: ${STATUS_TEXT[status] ?? `status ${status}`}`);
}

/** A Float32Array over native memory (no copy); valid only until that memory is freed. */
export function f32View(pointer: Pointer, length: number): Float32Array {
  if (length === 0) return new Float32Array(0);
  return new Float32Array(toArrayBuffer(pointer, 0, length * 4));
}

/** A Uint32Array over native memory (no copy); valid only until that memory is freed. */
export function u32View(pointer: Pointer, length: number): Uint32Array {
  if (length === 0) return new Uint32Array(0);
  return new Uint32Array(toArrayBuffer(pointer, 0, length * 4));
}
