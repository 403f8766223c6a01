import { describe, expect, test } from "bun:test";
import { ptr } from "bun:ffi";
import { cpus } from "node:os";
import { SenkoError } from "../src/errors.ts";
import { ABI_VERSION, check, lib, libraryPath } from "../src/ffi.ts";
import { NativeThreadPool } from "../src/thread-pool.ts";

describe("libsenko loading", () => {
  test("loads the built library", () => {
    expect(libraryPath()).toMatch(/libsenko\.(so|dylib|dll)$/);
  });

  test("the library's ABI version is the one these bindings were written for", () => {
    expect(lib().senko_abi_version()).toBe(ABI_VERSION);
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

  test("a pointer that is not a live pool is refused, not run on (and not destroyed)", () => {
    const native = lib();
    const notAPool = new BigUint64Array(64); // readable memory without the pool's mark
    const handle = ptr(notAPool);
    expect(native.senko_pool_thread_count(handle)).toBe(0);
    native.senko_pool_destroy(handle);
    expect(notAPool.every((v) => v === 0n)).toBe(true);
    const out = new Float32Array(4);
    expect(() => check(native.senko_cosine_similarity(handle, new Float32Array(4), 2, 2, out), "cosine")).toThrow(/invalid argument/);
    expect(() => check(native.senko_kmeans(handle, new Float32Array(4), 2, 2, 1, 1, 0, new Int32Array(2), null, null), "kmeans")).toThrow(
      /invalid argument/,
    );
  });
});

describe("C ABI argument checks", () => {
  test("the fbank accessors answer null for no result instead of reading address 0", () => {
    const native = lib();
    expect(native.senko_fbank_total_frames(null)).toBe(0);
    expect(native.senko_fbank_data(null)).toBeNull();
    expect(native.senko_fbank_frame_counts(null)).toBeNull();
    expect(native.senko_fbank_frame_offsets(null)).toBeNull();
    native.senko_fbank_free(null);
  });

  test("restart and epoch counts beyond their bounds are invalid arguments", () => {
    const native = lib();
    const pool = new NativeThreadPool(1);
    try {
      const points = Float32Array.from({ length: 40 }, (_, i) => Math.sin(i));
      const labels = new Int32Array(20);
      const restartsMax = native.senko_kmeans_restarts_max();
      const kmeans = (restarts: number) => native.senko_kmeans(pool.handle, points, 20, 2, 2, restarts, 0, labels, null, null);
      expect(kmeans(restartsMax)).toBe(0);
      expect(() => check(kmeans(restartsMax + 1), "kmeans")).toThrow(/invalid argument/);
      const spectral = (restarts: number) =>
        native.senko_spectral_cluster(pool.handle, points, 20, 2, 0.5, 2, 1, 4, 0, restarts, labels, new Float32Array(32), null);
      expect(spectral(1)).toBe(0);
      expect(() => check(spectral(restartsMax + 1), "spectral")).toThrow(/invalid argument/);
      const umap = (epochs: number) => native.senko_umap_embed(pool.handle, points, 20, 2, 5, 2, 0.1, 1, 0, epochs, 1, new Float32Array(40), null);
      expect(umap(5)).toBe(0);
      expect(() => check(umap(native.senko_umap_epochs_max() + 1), "umap")).toThrow(/invalid argument/);
    } finally {
      pool.destroy();
    }
  });
});
