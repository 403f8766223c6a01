/** Where libsenko is looked for, in order, and what the error says when it is nowhere. */
import { describe, expect, test } from "bun:test";
import { NativeLibraryError } from "../src/errors.ts";
import { checkoutLibraryPath, findLibrary, type LookupInput } from "../src/native/lookup.ts";
import { PLATFORMS } from "../src/native/platforms.ts";

const CHECKOUT = "/src/senko";
const PACKAGE_DIR = "/app/node_modules/senko-linux-x64";

function input(files: string[], overrides: Partial<LookupInput> = {}): LookupInput {
  const present = new Set(files);
  return {
    os: "linux",
    cpu: "x64",
    resolvePackage: (name) => (present.has(`/app/node_modules/${name}/package.json`) ? `/app/node_modules/${name}/package.json` : undefined),
    checkoutRoot: CHECKOUT,
    exists: (path) => present.has(path),
    ...overrides,
  };
}

const everything = [`${PACKAGE_DIR}/package.json`, `${PACKAGE_DIR}/libsenko.so`, `${CHECKOUT}/zig-out/lib/x86_64-linux/libsenko.so`, "/opt/lib.so", "/env/lib.so"];

function lookupError(run: () => unknown): NativeLibraryError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(NativeLibraryError);
    return error as NativeLibraryError;
  }
  throw new Error("expected a NativeLibraryError");
}

describe("library lookup order", () => {
  test("an explicit path comes first", () => {
    const found = findLibrary(input(everything, { explicit: "/opt/lib.so", env: "/env/lib.so" }));
    expect(found).toMatchObject({ path: "/opt/lib.so", origin: "explicit path" });
  });

  test("then SENKO_LIB", () => {
    expect(findLibrary(input(everything, { env: "/env/lib.so" }))).toMatchObject({ path: "/env/lib.so", origin: "SENKO_LIB" });
  });

  test("then the platform package", () => {
    const found = findLibrary(input(everything));
    expect(found).toMatchObject({ path: `${PACKAGE_DIR}/libsenko.so`, origin: "package senko-linux-x64" });
  });

  test("then the checkout's build", () => {
    const found = findLibrary(input([`${CHECKOUT}/zig-out/lib/x86_64-linux/libsenko.so`]));
    expect(found).toMatchObject({ path: `${CHECKOUT}/zig-out/lib/x86_64-linux/libsenko.so`, origin: "checkout build" });
    expect(found.tried).toEqual([
      "explicit path: not set",
      "SENKO_LIB: not set",
      "package senko-linux-x64: not installed",
      `checkout build: ${CHECKOUT}/zig-out/lib/x86_64-linux/libsenko.so`,
    ]);
  });

  test("each platform finds its own package and file name", () => {
    for (const p of PLATFORMS) {
      const dir = `/app/node_modules/${p.packageName}`;
      const file = p.os === "win32" ? "senko.dll" : p.os === "darwin" ? "libsenko.dylib" : "libsenko.so";
      const found = findLibrary(input([`${dir}/package.json`, `${dir}/${file}`], { os: p.os, cpu: p.cpu }));
      expect(found.path).toBe(`${dir}/${file}`);
    }
    expect(checkoutLibraryPath("/r", "darwin", "arm64")).toBe("/r/zig-out/lib/aarch64-macos/libsenko.dylib");
    expect(checkoutLibraryPath("/r", "win32", "x64")).toBe("/r/zig-out/lib/x86_64-windows/senko.dll");
  });
});

describe("library lookup errors", () => {
  test("a path that was given but is missing is an error, not a fallback", () => {
    const explicit = lookupError(() => findLibrary(input(everything, { explicit: "/gone/libsenko.so" })));
    expect(explicit.message).toBe("libsenko not found: explicit path names /gone/libsenko.so, which does not exist");
    const env = lookupError(() => findLibrary(input(everything, { env: "/gone/libsenko.so" })));
    expect(env.message).toBe("libsenko not found: SENKO_LIB names /gone/libsenko.so, which does not exist");
  });

  test("nothing found: every place tried, and the package to install", () => {
    const error = lookupError(() => findLibrary(input([])));
    expect(error.message).toStartWith(
      `libsenko not found for linux-x64; tried explicit path: not set; SENKO_LIB: not set; package senko-linux-x64: not installed; checkout build: ${CHECKOUT}/zig-out/lib/x86_64-linux/libsenko.so. To fix: `,
    );
    expect(error.message).toContain("`npm install senko-linux-x64`");
    expect(error.message).not.toContain("\n");
    expect(error.tried).toEqual(["explicit path: not set", "SENKO_LIB: not set", "package senko-linux-x64: not installed", `checkout build: ${CHECKOUT}/zig-out/lib/x86_64-linux/libsenko.so`]);
  });

  test("an installed package without its library says where it looked", () => {
    const error = lookupError(() => findLibrary(input([`${PACKAGE_DIR}/package.json`])));
    expect(error.message).toContain(`; package senko-linux-x64: ${PACKAGE_DIR}/libsenko.so; `);
  });

  test("a library that will not load: its loader's text on the same line", () => {
    expect(new NativeLibraryError("/x/libsenko.so could not be loaded: dlopen failed:\n  bad ELF", ["/x/libsenko.so"]).message).toBe("/x/libsenko.so could not be loaded: dlopen failed: bad ELF");
  });

  test("a platform without a prebuilt package says so", () => {
    const error = lookupError(() => findLibrary(input([], { os: "freebsd", cpu: "x64" })));
    expect(error.message).toContain("platform package: senko has none for freebsd-x64");
    expect(error.message).toContain("senko ships no prebuilt library for freebsd-x64");
  });
});
