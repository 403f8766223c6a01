/**
 * @module The platforms senko ships prebuilt, in one table: the npm package that holds each one's libsenko,
 * the library's file name, and the targets Zig and `bun build --compile` build it for. The library lookup
 * (./lookup.ts) reads it at run time; tools/cross-build.ts, tools/build-packages.ts and tools/build-exe.ts
 * build from it.
 */

export interface Platform {
  /** `${process.platform}-${process.arch}` of the machines it runs on */
  id: string;
  os: "linux" | "darwin" | "win32";
  cpu: "x64" | "arm64";
  /** the optional dependency of `senko` that carries the prebuilt library */
  packageName: string;
  /**
   * Zig target of the prebuilt library, always built for the architecture's baseline CPU (users' CPUs
   * differ). Linux builds name glibc 2.28, the oldest onnxruntime-node's own binaries accept.
   */
  zigTarget: string;
  /** `bun build --compile --target` of the executable (x64: Bun's baseline build, which needs no AVX2) */
  bunTarget: string;
  /** file name of the executable */
  executable: string;
}

const ZIG_ARCH: Record<string, string> = { x64: "x86_64", arm64: "aarch64" };
const ZIG_OS: Record<string, string> = { linux: "linux", darwin: "macos", win32: "windows" };

/** File name of libsenko on this OS (Zig names a Windows DLL without the "lib" prefix). */
export function libraryFileName(os: string): string {
  return os === "win32" ? "senko.dll" : os === "darwin" ? "libsenko.dylib" : "libsenko.so";
}

/** The folder under zig-out/lib/ (or a --prefix) where `zig build` installs the library for this OS and CPU. */
export function zigLibDir(os: string, cpu: string): string {
  return `${ZIG_ARCH[cpu] ?? cpu}-${ZIG_OS[os] ?? os}`;
}

export const PLATFORMS: readonly Platform[] = [
  {
    id: "linux-x64",
    os: "linux",
    cpu: "x64",
    packageName: "senko-linux-x64",
    zigTarget: "x86_64-linux-gnu.2.28",
    bunTarget: "bun-linux-x64-baseline",
    executable: "senko",
  },
  {
    id: "linux-arm64",
    os: "linux",
    cpu: "arm64",
    packageName: "senko-linux-arm64",
    zigTarget: "aarch64-linux-gnu.2.28",
    bunTarget: "bun-linux-arm64",
    executable: "senko",
  },
  {
    id: "darwin-arm64",
    os: "darwin",
    cpu: "arm64",
    packageName: "senko-darwin-arm64",
    zigTarget: "aarch64-macos",
    bunTarget: "bun-darwin-arm64",
    executable: "senko",
  },
  {
    id: "darwin-x64",
    os: "darwin",
    cpu: "x64",
    packageName: "senko-darwin-x64",
    zigTarget: "x86_64-macos",
    bunTarget: "bun-darwin-x64-baseline",
    executable: "senko",
  },
  {
    id: "win32-x64",
    os: "win32",
    cpu: "x64",
    packageName: "senko-win32-x64",
    zigTarget: "x86_64-windows-gnu",
    bunTarget: "bun-windows-x64-baseline",
    executable: "senko.exe",
  },
];

/** The platform entry for this OS and CPU, if senko ships one. */
export function findPlatform(os: string = process.platform, cpu: string = process.arch): Platform | undefined {
  return PLATFORMS.find((p) => p.os === os && p.cpu === cpu);
}
