import { describe, expect, test } from "bun:test";
import { ptr } from "bun:ffi";
import { cpus } from "node:os";
import { NativeLibraryError, SenkoError } from "../src/errors.ts";
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
    let scoped: NativeThreadPool;
    {
      using inBlock = new NativeThreadPool(1);
      scoped = inBlock;
      expect(scoped.destroyed).toBe(false);
    }
    expect(scoped.destroyed).toBe(true);
  });

  test("a parallel entry point refuses a null pool", () => {
    const out = new Float32Array(4);
    expect(() => check(lib().senko_cosine_similarity(null, new Float32Array(4), 4, 2, 2, out, out.length), "cosine")).toThrow(/invalid argument/);
  });

  test("a pointer that is not a live pool is refused, not run on (and not destroyed)", () => {
    const native = lib();
    const notAPool = new BigUint64Array(64); // readable memory without the pool's mark
    const handle = ptr(notAPool);
    expect(native.senko_pool_thread_count(handle)).toBe(0);
    native.senko_pool_destroy(handle);
    expect(notAPool.every((v) => v === 0n)).toBe(true);
    const out = new Float32Array(4);
    expect(() => check(native.senko_cosine_similarity(handle, new Float32Array(4), 4, 2, 2, out, out.length), "cosine")).toThrow(/invalid argument/);
    expect(() => check(native.senko_kmeans(handle, new Float32Array(4), 4, 2, 2, 1, 1, 0, new Int32Array(2), 2, null, 0, null), "kmeans")).toThrow(
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

  test("every entry point answers bad arguments with a status, which check() turns into a typed error", () => {
    const native = lib();
    using pool = new NativeThreadPool(1);
    const p = pool.handle;
    const points = Float32Array.from({ length: 40 }, (_, i) => Math.sin(i));
    const short = points.subarray(0, 39); // an input one element short of 20 x 2
    const labels = new Int32Array(20);
    const u32s = (n: number) => new Uint32Array(n);
    const f32s = (n: number) => new Float32Array(n);
    const range = new BigUint64Array(2);
    const pcm = new Uint8Array(200);
    const slot = new BigUint64Array(1);
    const nan = new Float32Array(40).fill(Number.NaN);
    const f64s = (n: number) => new Float64Array(n);
    const info = f64s(native.senko_cluster_info_len());
    const spectral = (count: number, pval: number, min: number, max: number, fixed: number, out: Int32Array | null, values: Float32Array, slots: Float64Array, data = points) =>
      native.senko_spectral_cluster(p, data, data.length, count, 2, pval, 2, min, max, fixed, 1, out, out?.length ?? 0, values, values.length, slots, slots.length);
    // 3 points, k = 2: rows of distinct other points at ascending distances (the fuzzy graph's input), and
    // its outputs: at most 2 x 3 x 2 = 12 edges.
    const neighbours = Uint32Array.of(1, 2, 0, 2, 0, 1);
    const near = Float32Array.of(0.1, 0.2, 0.1, 0.3, 0.2, 0.3);
    const fuzzy = (indices: Uint32Array, distances: Float32Array, rows = 12, columns = 12, weights = 12) =>
      native.senko_umap_fuzzy_graph(p, indices, indices.length, distances, distances.length, 3, 2, u32s(rows), rows, u32s(columns), columns, f32s(weights), weights, u32s(1));
    // [what is wrong, the call] for each status-returning export: null pointers, zero or too small
    // sizes, sizes that do not agree, values out of range, enums past their last value.
    const invalid: [string, () => number][] = [
      ["input_range: no outputs", () => native.senko_audio_input_range(16000, 100, 0, 0, range)],
      ["input_range: rate 0", () => native.senko_audio_input_range(0, 100, 0, 1, range)],
      ["input_range: no range", () => native.senko_audio_input_range(16000, 100, 0, 1, null)],
      ["to_mono16k: encoding 7", () => native.senko_audio_to_mono16k(p, pcm, 200, 7, 1, 16000, 100, 0, f32s(4), 4, 0, 4)],
      ["to_mono16k: 0 channels", () => native.senko_audio_to_mono16k(p, pcm, 200, 2, 0, 16000, 100, 0, f32s(4), 4, 0, 4)],
      ["to_mono16k: no data", () => native.senko_audio_to_mono16k(p, null, 200, 2, 1, 16000, 100, 0, f32s(4), 4, 0, 4)],
      ["to_mono16k: no output", () => native.senko_audio_to_mono16k(p, pcm, 200, 2, 1, 16000, 100, 0, null, 4, 0, 4)],
      ["to_mono16k: output too small", () => native.senko_audio_to_mono16k(p, pcm, 200, 2, 1, 16000, 100, 0, f32s(3), 3, 0, 4)],
      ["to_mono16k: data one byte short of the last frame", () => native.senko_audio_to_mono16k(p, pcm, 199, 2, 1, 16000, 100, 0, f32s(4), 4, 96, 4)],
      ["fbank: unknown flag", () => native.senko_fbank_compute(p, points, 40, u32s(2), 2, 1, 4, slot)],
      ["fbank: no samples", () => native.senko_fbank_compute(p, null, 40, u32s(2), 2, 1, 0, slot)],
      ["fbank: span past the end", () => native.senko_fbank_compute(p, points, 40, Uint32Array.of(0, 41), 2, 1, 0, slot)],
      ["fbank: no result slot", () => native.senko_fbank_compute(p, points, 40, u32s(2), 2, 1, 0, null)],
      ["fbank: samples one short of a span", () => native.senko_fbank_compute(p, short, short.length, Uint32Array.of(0, 40), 2, 1, 0, slot)],
      ["fbank: segments one short", () => native.senko_fbank_compute(p, points, 40, Uint32Array.of(0, 40, 0), 3, 2, 0, slot)],
      ["cosine: dim 0", () => native.senko_cosine_similarity(p, points, points.length, 20, 0, f32s(400), 400)],
      ["cosine: no output", () => native.senko_cosine_similarity(p, points, points.length, 20, 2, null, 400)],
      ["cosine: output too small", () => native.senko_cosine_similarity(p, points, points.length, 20, 2, f32s(399), 399)],
      ["cosine: data one short", () => native.senko_cosine_similarity(p, short, short.length, 20, 2, f32s(400), 400)],
      ["prune: pval 1.5", () => native.senko_prune_rows(p, f32s(400), 400, 20, 1.5, 1)],
      ["prune: no matrix", () => native.senko_prune_rows(p, null, 400, 20, 0.5, 1)],
      ["prune: matrix too small", () => native.senko_prune_rows(p, f32s(399), 399, 20, 0.5, 1)],
      ["spectral: count 0", () => spectral(0, 0.5, 1, 8, 0, labels, f32s(32), info)],
      ["spectral: pval NaN", () => spectral(20, Number.NaN, 1, 8, 0, labels, f32s(32), info)],
      ["spectral: 32 speakers", () => spectral(20, 0.5, 1, 8, 32, labels, f32s(32), info)],
      ["spectral: min 0", () => spectral(20, 0.5, 0, 8, 0, labels, f32s(32), info)],
      ["spectral: min > max", () => spectral(20, 0.5, 5, 4, 0, labels, f32s(32), info)],
      ["spectral: no labels", () => spectral(20, 0.5, 1, 8, 0, null, f32s(32), info)],
      ["spectral: labels too small", () => spectral(20, 0.5, 1, 8, 0, new Int32Array(19), f32s(32), info)],
      ["spectral: eigenvalues too small (9 for 8 speakers)", () => spectral(20, 0.5, 1, 8, 0, labels, f32s(8), info)],
      ["spectral: eigenvalues too small (4 for 3 fixed)", () => spectral(20, 0.5, 1, 8, 3, labels, f32s(3), info)],
      ["spectral: info too small", () => spectral(20, 0.5, 1, 8, 0, labels, f32s(32), f64s(7))],
      ["spectral: data one short", () => spectral(20, 0.5, 1, 8, 0, labels, f32s(32), info, short)],
      ["eigen: 0 wanted", () => native.senko_laplacian_eigen(p, points, points.length, 20, 2, 0.5, 2, 0, 0, f64s(1), 1, null, 0, null, 0)],
      ["eigen: more wanted than points", () => native.senko_laplacian_eigen(p, points, points.length, 20, 2, 0.5, 2, 21, 0, f64s(21), 21, null, 0, null, 0)],
      ["eigen: solver 3", () => native.senko_laplacian_eigen(p, points, points.length, 20, 2, 0.5, 2, 2, 3, f64s(2), 2, null, 0, null, 0)],
      ["eigen: values too small", () => native.senko_laplacian_eigen(p, points, points.length, 20, 2, 0.5, 2, 2, 0, f64s(1), 1, null, 0, null, 0)],
      ["eigen: vectors too small", () => native.senko_laplacian_eigen(p, points, points.length, 20, 2, 0.5, 2, 2, 0, f64s(2), 2, f32s(39), 39, null, 0)],
      ["eigen: info too small", () => native.senko_laplacian_eigen(p, points, points.length, 20, 2, 0.5, 2, 2, 0, f64s(2), 2, null, 0, f64s(7), 7)],
      ["eigen: data one short", () => native.senko_laplacian_eigen(p, short, short.length, 20, 2, 0.5, 2, 2, 0, f64s(2), 2, null, 0, null, 0)],
      ["kmeans: k 0", () => native.senko_kmeans(p, points, points.length, 20, 2, 0, 1, 0, labels, 20, null, 0, null)],
      ["kmeans: k > count", () => native.senko_kmeans(p, points, points.length, 20, 2, 21, 1, 0, labels, 20, null, 0, null)],
      ["kmeans: labels too small", () => native.senko_kmeans(p, points, points.length, 20, 2, 2, 1, 0, new Int32Array(19), 19, null, 0, null)],
      ["kmeans: centroids too small", () => native.senko_kmeans(p, points, points.length, 20, 2, 2, 1, 0, labels, 20, f32s(3), 3, null)],
      ["kmeans: data one short", () => native.senko_kmeans(p, short, short.length, 20, 2, 2, 1, 0, labels, 20, null, 0, null)],
      ["gather: index past the frames", () => native.senko_frames_gather(f32s(160), 160, 2, Uint32Array.of(2), 1, u32s(1), 1, 1, 1, f32s(80), 80)],
      ["gather: output too small", () => native.senko_frames_gather(f32s(160), 160, 2, Uint32Array.of(0, 1), 2, u32s(1), 1, 1, 2, f32s(80), 80)],
      ["gather: member past the indices", () => native.senko_frames_gather(f32s(160), 160, 2, Uint32Array.of(0, 1), 2, Uint32Array.of(1), 1, 1, 2, f32s(160), 160)],
      ["gather: fbank one short", () => native.senko_frames_gather(f32s(159), 159, 2, Uint32Array.of(0, 1), 2, u32s(1), 1, 1, 2, f32s(160), 160)],
      ["gather: offsets one short", () => native.senko_frames_gather(f32s(160), 160, 2, Uint32Array.of(0, 1), 2, u32s(2), 1, 2, 1, f32s(160), 160)],
      ["linkage: one point", () => native.senko_average_linkage(p, points, points.length, 1, 2, u32s(1), 1, u32s(1), 1, f32s(1), 1)],
      ["linkage: a too small", () => native.senko_average_linkage(p, points, points.length, 20, 2, u32s(18), 18, u32s(19), 19, f32s(19), 19)],
      ["linkage: b too small", () => native.senko_average_linkage(p, points, points.length, 20, 2, u32s(19), 19, u32s(18), 18, f32s(19), 19)],
      ["linkage: distance too small", () => native.senko_average_linkage(p, points, points.length, 20, 2, u32s(19), 19, u32s(19), 19, f32s(18), 18)],
      ["linkage: data one short", () => native.senko_average_linkage(p, short, short.length, 20, 2, u32s(19), 19, u32s(19), 19, f32s(19), 19)],
      ["knn: k = count", () => native.senko_knn(p, points, points.length, 20, 2, 20, 0, u32s(400), 400, f32s(400), 400)],
      ["knn: metric 2", () => native.senko_knn(p, points, points.length, 20, 2, 3, 2, u32s(60), 60, f32s(60), 60)],
      ["knn: indices too small", () => native.senko_knn(p, points, points.length, 20, 2, 3, 0, u32s(59), 59, f32s(60), 60)],
      ["knn: distances too small", () => native.senko_knn(p, points, points.length, 20, 2, 3, 0, u32s(60), 60, f32s(59), 59)],
      ["knn: data one short", () => native.senko_knn(p, short, short.length, 20, 2, 3, 0, u32s(60), 60, f32s(60), 60)],
      ["fuzzy graph: a point its own neighbour", () => fuzzy(Uint32Array.of(1, 2, 1, 2, 0, 1), near)],
      ["fuzzy graph: neighbour out of range", () => fuzzy(Uint32Array.of(1, 2, 0, 3, 0, 1), near)],
      ["fuzzy graph: neighbour listed twice", () => fuzzy(Uint32Array.of(1, 1, 0, 2, 0, 1), near)],
      ["fuzzy graph: distances not ascending", () => fuzzy(neighbours, Float32Array.of(0.2, 0.1, 0.1, 0.3, 0.2, 0.3))],
      ["fuzzy graph: negative distance", () => fuzzy(neighbours, Float32Array.of(-0.1, 0.1, 0.1, 0.3, 0.2, 0.3))],
      ["fuzzy graph: rows too small", () => fuzzy(neighbours, near, 11)],
      ["fuzzy graph: columns too small", () => fuzzy(neighbours, near, 12, 11)],
      ["fuzzy graph: weights too small", () => fuzzy(neighbours, near, 12, 12, 11)],
      ["fuzzy graph: indices one short", () => fuzzy(neighbours.subarray(0, 5), near)],
      ["fuzzy graph: distances one short", () => fuzzy(neighbours, near.subarray(0, 5))],
      ["curve: spread 0", () => native.senko_umap_curve(0, 0.1, f64s(2))],
      ["curve: no output", () => native.senko_umap_curve(1, 0.1, null)],
      ["umap: 1 neighbour", () => native.senko_umap_embed(p, points, points.length, 20, 2, 1, 2, 0.1, 0, 0, 5, 0, f32s(40), 40, null)],
      ["umap: 0 components", () => native.senko_umap_embed(p, points, points.length, 20, 2, 5, 0, 0.1, 0, 0, 5, 0, f32s(40), 40, null)],
      ["umap: init 2", () => native.senko_umap_embed(p, points, points.length, 20, 2, 5, 2, 0.1, 0, 0, 5, 2, f32s(40), 40, null)],
      ["umap: output too small", () => native.senko_umap_embed(p, points, points.length, 20, 2, 5, 2, 0.1, 0, 0, 5, 0, f32s(39), 39, null)],
      ["umap: data one short", () => native.senko_umap_embed(p, short, short.length, 20, 2, 5, 2, 0.1, 0, 0, 5, 0, f32s(40), 40, null)],
      ["hdbscan: min_samples 0", () => native.senko_hdbscan(p, points, points.length, 20, 2, 0, 5, labels, 20, null)],
      ["hdbscan: min_cluster_size 1", () => native.senko_hdbscan(p, points, points.length, 20, 2, 5, 1, labels, 20, null)],
      ["hdbscan: labels too small", () => native.senko_hdbscan(p, points, points.length, 20, 2, 5, 5, new Int32Array(19), 19, null)],
      ["hdbscan: data one short", () => native.senko_hdbscan(p, short, short.length, 20, 2, 5, 5, labels, 20, null)],
    ];
    const statuses = Object.fromEntries(invalid.map(([what, call]) => [what, call()]));
    expect(statuses).toEqual(Object.fromEntries(invalid.map(([what]) => [what, -1])));
    expect(() => check(invalid[0]![1](), "audio input range")).toThrow(new NativeLibraryError("audio input range failed: invalid argument"));
    // The same calls with the buffers they need succeed.
    expect(spectral(20, 0.5, 1, 8, 0, labels, f32s(9), info)).toBe(0);
    expect(spectral(20, 0.5, 1, 8, 3, labels, f32s(4), info)).toBe(0);
    expect(fuzzy(neighbours, near)).toBe(0);
    expect(native.senko_average_linkage(p, points, points.length, 20, 2, u32s(19), 19, u32s(19), 19, f32s(19), 19)).toBe(0);
    expect(native.senko_audio_to_mono16k(p, pcm, 200, 2, 1, 16000, 100, 0, f32s(4), 4, 96, 4)).toBe(0);
    expect(native.senko_cosine_similarity(p, points, points.length, 20, 2, f32s(400), 400)).toBe(0);
    expect(native.senko_knn(p, points, points.length, 20, 2, 3, 0, u32s(60), 60, f32s(60), 60)).toBe(0);
    expect(native.senko_hdbscan(p, points, points.length, 20, 2, 5, 5, labels, 20, null)).toBe(0);
    expect(native.senko_frames_gather(f32s(160), 160, 2, Uint32Array.of(0, 1), 2, u32s(2), 2, 2, 1, f32s(160), 160)).toBe(0);
    // Non-finite points are invalid data, which the stages report as such.
    expect(native.senko_kmeans(p, nan, nan.length, 20, 2, 2, 1, 0, labels, 20, null, 0, null)).toBe(-3);
    expect(native.senko_hdbscan(p, nan, nan.length, 20, 2, 5, 5, labels, 20, null)).toBe(-3);
    expect(native.senko_prune_keep_count(20, Number.NaN, 1)).toBe(0);
  });

  test("an output range whose end wraps around 2^64 is refused, not converted", () => {
    const native = lib();
    using pool = new NativeThreadPool(1);
    const wraps = 2n ** 64n - 1n; // out_first + 2 wraps to 1
    const range = new BigUint64Array(2);
    // bun:ffi takes a bigint for a u64 argument; the symbol table types it as number.
    const first = wraps as unknown as number;
    expect(native.senko_audio_input_range(16000, 100, first, 2, range)).toBe(-1);
    expect(native.senko_audio_to_mono16k(pool.handle, new Uint8Array(200), 200, 2, 1, 16000, 100, 0, new Float32Array(2), 2, first, 2)).toBe(-1);
  });

  test("spectral clustering with a minimum above the embedding count gives at most one cluster per embedding", () => {
    const native = lib();
    using pool = new NativeThreadPool(1);
    // Three all-zero embeddings (no graph edges) and at least 4 speakers asked for.
    const labels = new Int32Array(3).fill(-7);
    const info = new Float64Array(native.senko_cluster_info_len());
    expect(native.senko_spectral_cluster(pool.handle, new Float32Array(6), 6, 3, 2, 0.5, 2, 4, 8, 0, 1, labels, 3, new Float32Array(32), 32, info, info.length)).toBe(0);
    const speakers = info[0]!;
    expect(speakers).toBeGreaterThanOrEqual(1);
    expect(speakers).toBeLessThanOrEqual(3);
    for (const label of labels) expect(label >= 0 && label < speakers).toBe(true);
  });

  test("the fbank accessors and free refuse memory that is not a live result", () => {
    const native = lib();
    const notAResult = new BigUint64Array(64).fill(0x0101010101010101n); // readable, without the result's mark
    const handle = ptr(notAResult);
    expect(native.senko_fbank_total_frames(handle)).toBe(0);
    expect(native.senko_fbank_data(handle)).toBeNull();
    expect(native.senko_fbank_frame_counts(handle)).toBeNull();
    expect(native.senko_fbank_frame_offsets(handle)).toBeNull();
    native.senko_fbank_free(handle);
    expect(notAResult.every((v) => v === 0x0101010101010101n)).toBe(true);
  });

  test("restart and epoch counts beyond their bounds are invalid arguments", () => {
    const native = lib();
    using pool = new NativeThreadPool(1);
    const points = Float32Array.from({ length: 40 }, (_, i) => Math.sin(i));
    const labels = new Int32Array(20);
    const restartsMax = native.senko_kmeans_restarts_max();
    const kmeans = (restarts: number) => native.senko_kmeans(pool.handle, points, points.length, 20, 2, 2, restarts, 0, labels, labels.length, null, 0, null);
    expect(kmeans(restartsMax)).toBe(0);
    expect(() => check(kmeans(restartsMax + 1), "kmeans")).toThrow(/invalid argument/);
    const spectral = (restarts: number) =>
      native.senko_spectral_cluster(pool.handle, points, points.length, 20, 2, 0.5, 2, 1, 4, 0, restarts, labels, labels.length, new Float32Array(32), 32, null, 0);
    expect(spectral(1)).toBe(0);
    expect(() => check(spectral(restartsMax + 1), "spectral")).toThrow(/invalid argument/);
    const umap = (epochs: number) => native.senko_umap_embed(pool.handle, points, points.length, 20, 2, 5, 2, 0.1, 1, 0, epochs, 1, new Float32Array(40), 40, null);
    expect(umap(5)).toBe(0);
    expect(() => check(umap(native.senko_umap_epochs_max() + 1), "umap")).toThrow(/invalid argument/);
  });
});
