import { describe, expect, test } from "bun:test";
import { cpus } from "node:os";
import { SenkoError } from "../src/errors.ts";
import { check, lib, libraryPath } from "../src/ffi.ts";
import { NativeThreadPool } from "../src/thread-pool.ts";

describe("libsenko loading", () => {
  test("loads the built library", () => {
    expect(libraryPath()).toMatch(/libsenko\.(so|dylib|dll)$/);
  });
});

describe("native thread pools", () => {
  test("are sized as asked (0 = one per CPU) and independent of each other", () => {
    const all = new NativeThreadPool(0);
    const one = new NativeThreadPool(1);
    const three = new NativeThreadPool(3);
    try {
      expect(all.threadCount).toBe(cpus().length);
      expect(one.threadCount).toBe(1);
      expect(three.threadCount).toBe(3);
      expect(one.handle).not.toBe(three.handle);
    } finally {
      for (const p of [all, one, three]) p.destroy();
    }
  });

  test("destroy() is idempotent and a destroyed pool cannot be used", () => {
    const pool = new NativeThreadPool(2);
    pool.destroy();
    pool.destroy();
    expect(pool.destroyed).toBe(true);
    expect(() => pool.handle).toThrow(SenkoError);
  });

  test("a parallel entry point refuses a null pool", () => {
    const out = new Float32Array(4);
    expect(() => check(lib().senko_cosine_similarity(null, new Float32Array(4), 2, 2, out), "cosine")).toThrow(/invalid argument/);
  });
});
