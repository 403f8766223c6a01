/**
 * @module The one module that talks to libsenko through bun:ffi: loading it (found by ./native/lookup.ts),
 * the symbol table (assembled from the per-area tables in ./native/), status checks and zero-copy views.
 * Set SENKO_TRACE_FFI=1 to log every native call with its duration.
 */
import { dlopen, toArrayBuffer, type Library, type Pointer } from "bun:ffi";
import { resolve } from "node:path";
import { NativeLibraryError } from "./errors.ts";
import { findLibrary } from "./native/lookup.ts";
import { VERSION } from "./version.ts";
import { coreSymbols } from "./native/core-symbols.ts";
import { fbankSymbols } from "./native/fbank-symbols.ts";
import { matrixSymbols } from "./native/matrix-symbols.ts";
import { clusterSymbols } from "./native/cluster-symbols.ts";
import { audioSymbols } from "./native/audio-symbols.ts";
import { umapSymbols } from "./native/umap-symbols.ts";
import { overlapSymbols } from "./native/overlap-symbols.ts";

/** The dlopen table: every export of libsenko the bindings use (test/shared-constants.test.ts checks each against the Zig signature). */
export const NATIVE_SYMBOLS = {
  ...coreSymbols,
  ...fbankSymbols,
  ...matrixSymbols,
  ...clusterSymbols,
  ...audioSymbols,
  ...umapSymbols,
  ...overlapSymbols,
} as const;

/** The ABI version this TypeScript expects; must equal `senko_abi_version()` in zig/lib.zig. */
export const ABI_VERSION = 6;

export type NativeSymbols = Library<typeof NATIVE_SYMBOLS>["symbols"];

/** Every symbol the bindings need libsenko to export (tests check prebuilt libraries against it). */
export const NATIVE_SYMBOL_NAMES: readonly string[] = Object.keys(NATIVE_SYMBOLS);

/** Status codes of zig/status.zig (test/shared-constants.test.ts compares). */
export const STATUS = { ok: 0, invalidArgument: -1, outOfMemory: -2, invalidData: -3, noConvergence: -4 } as const;

const STATUS_TEXT: Record<number, string> = {
  [STATUS.invalidArgument]: "invalid argument",
  [STATUS.outOfMemory]: "out of memory",
  [STATUS.invalidData]: "invalid data",
  [STATUS.noConvergence]: "no convergence",
};

let explicitPath: string | undefined;
let loaded: { lib: Library<typeof NATIVE_SYMBOLS>; path: string } | undefined;

/** Uses this file as libsenko instead of searching for it (call before the first native call). */
export function setLibraryPath(path: string): void {
  if (loaded) throw new NativeLibraryError(`libsenko is already loaded from ${loaded.path}`);
  explicitPath = path;
}

/**
 * Loads a shared library for the rest of the process (never closed), so that later loads of the same
 * name resolve to it. `symbol` is one it exports (bun:ffi binds at least one).
 */
export function loadSharedLibrary(path: string, symbol: string): void {
  try {
    dlopen(path, { [symbol]: { args: [], returns: "ptr" } });
  } catch (cause) {
    throw new NativeLibraryError(`${path} could not be loaded: ${String(cause)}`, [path], { cause });
  }
}

/** package.json of an installed package, resolved from this module as `import` would, or undefined. */
function resolvePackage(name: string): string | undefined {
  try {
    return Bun.resolveSync(`${name}/package.json`, import.meta.dir);
  } catch {
    return undefined;
  }
}

function load(): Library<typeof NATIVE_SYMBOLS> {
  if (loaded) return loaded.lib;
  const { path, origin, tried } = findLibrary({
    explicit: explicitPath,
    env: process.env.SENKO_LIB,
    os: process.platform,
    cpu: process.arch,
    resolvePackage,
    checkoutRoot: resolve(import.meta.dir, ".."),
  });
  let lib: Library<typeof NATIVE_SYMBOLS>;
  try {
    lib = dlopen(path, NATIVE_SYMBOLS);
  } catch (cause) {
    throw new NativeLibraryError(`libsenko at ${path} (${origin}) could not be loaded: ${String(cause)}`, tried, { cause });
  }
  const version = lib.symbols.senko_abi_version();
  if (version !== ABI_VERSION) {
    lib.close();
    const fix = origin.startsWith("package ")
      ? `install ${origin.slice("package ".length)}@${VERSION}, the version of this senko`
      : "rebuild it with 'npm run build:zig'";
    throw new NativeLibraryError(`libsenko at ${path} (${origin}) has ABI version ${version}, expected ${ABI_VERSION}; ${fix}`, tried);
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
  if (status >= STATUS.ok) return;
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
