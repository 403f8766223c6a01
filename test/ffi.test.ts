import { describe, expect, test } from "bun:test";
import { libraryPath, nativeThreadCount, setNativeThreads } from "../src/ffi.ts";
import { cpus } from "node:os";

describe("libsenko loading", () => {
  test("loads the built library and reports its thread pool", () => {
    expect(libraryPath()).toMatch(/libsenko\.(so|dylib|dll)$/);
    setNativeThreads(0);
    expect(nativeThreadCount()).toBe(cpus().length);
    setNativeThreads(1);
    expect(nativeThreadCount()).toBe(1);
    setNativeThreads(0);
  });
});
