/**
 * Constants written in both TypeScript and Zig: each TypeScript one against the export of libsenko
 * that returns the Zig one, or, for enum values, flag bits and slots that have no export, against the
 * Zig source, or, for the bytes per sample and the longest signal, by what the converter accepts: so
 * neither side can change alone. Likewise every bun:ffi binding against the signature of its Zig
 * `export fn`.
 */
import { describe, expect, test } from "bun:test";
import { ENCODING_CODE, INPUT_RANGE_LEN, TARGET_RATE } from "../src/audio/convert.ts";
import { UNBOUNDED_FRAMES } from "../src/audio/stream.ts";
import { BYTES_PER_SAMPLE, MAX_SAMPLE_RATE, type SampleEncoding } from "../src/audio/wav.ts";
import { KMEANS_RESTARTS_MAX, SOLVER_CODE, SPECTRAL_INFO, SPECTRAL_INFO_LEN, SPECTRAL_MAX_SPEAKERS } from "../src/cluster/spectral.ts";
import {
  HDBSCAN_TIMING_SLOTS,
  INIT_CODE,
  METRIC_CODE,
  UMAP_COMPONENTS_MAX,
  UMAP_CURVE_LEN,
  UMAP_EPOCHS_MAX,
  UMAP_TIMING_SLOTS,
} from "../src/cluster/umap-hdbscan.ts";
import { FBANK_FLAGS, FBANK_FRAME_LENGTH, FBANK_FRAME_SHIFT, FBANK_SAMPLE_RATE } from "../src/features/fbank.ts";
import { lib, NATIVE_SYMBOLS, STATUS } from "../src/ffi.ts";
import { FBANK_BINS, SILERO_SAMPLE_RATE } from "../src/models/index.ts";
import { AGGLOMERATIVE_COUNT_MAX } from "../src/pipeline/overlap/constrained-clustering.ts";
import { NativeThreadPool, THREADS_MAX } from "../src/thread-pool.ts";
import { SAMPLE_RATE } from "../src/types.ts";
import { snakeKeys, zigConstants, zigEnum, zigExports, zigInteger, type ZigExport } from "./helpers/zig-source.ts";

describe("constants shared by TypeScript and libsenko agree", () => {
  test("sample rates", () => {
    const native = lib();
    expect(SAMPLE_RATE).toBe(native.senko_audio_output_rate());
    expect(SAMPLE_RATE).toBe(native.senko_fbank_sample_rate());
    // The names the stages use are the one rate.
    for (const rate of [TARGET_RATE, FBANK_SAMPLE_RATE, SILERO_SAMPLE_RATE]) expect(rate).toBe(SAMPLE_RATE);
    expect(MAX_SAMPLE_RATE).toBe(native.senko_audio_rate_max());
  });

  test("fbank frame geometry", () => {
    const native = lib();
    expect(FBANK_BINS).toBe(native.senko_fbank_mel_bins());
    expect(FBANK_FRAME_LENGTH).toBe(native.senko_fbank_frame_length());
    expect(FBANK_FRAME_SHIFT).toBe(native.senko_fbank_frame_shift());
  });

  test("clustering bounds and buffer sizes", () => {
    const native = lib();
    expect(SPECTRAL_MAX_SPEAKERS).toBe(native.senko_spectral_speakers_max());
    expect(KMEANS_RESTARTS_MAX).toBe(native.senko_kmeans_restarts_max());
    expect(SPECTRAL_INFO_LEN).toBe(native.senko_cluster_info_len());
    expect(UMAP_COMPONENTS_MAX).toBe(native.senko_umap_components_max());
    expect(UMAP_EPOCHS_MAX).toBe(native.senko_umap_epochs_max());
    expect(AGGLOMERATIVE_COUNT_MAX).toBe(native.senko_agglomerative_count_max());
  });

  test("bytes per sample of each encoding: the frames' bytes are enough for the decoder, one fewer is not", () => {
    const native = lib();
    using pool = new NativeThreadPool(1);
    const frames = 64;
    const out = new Float32Array(frames);
    const decode = (encoding: SampleEncoding, bytes: number) =>
      native.senko_audio_to_mono16k(pool.handle, new Uint8Array(bytes), bytes, ENCODING_CODE[encoding], 1, SAMPLE_RATE, frames, 0, out, frames, 0, frames);
    for (const encoding of Object.keys(ENCODING_CODE) as SampleEncoding[]) {
      expect([encoding, decode(encoding, frames * BYTES_PER_SAMPLE[encoding])]).toEqual([encoding, STATUS.ok]);
      expect([encoding, decode(encoding, frames * BYTES_PER_SAMPLE[encoding] - 1)]).toEqual([encoding, STATUS.invalidArgument]);
    }
  });

  test("a live stream's frame count is the longest signal the converter takes", () => {
    const range = new BigUint64Array(2);
    expect(lib().senko_audio_input_range(SAMPLE_RATE, UNBOUNDED_FRAMES, 0, 1, range)).toBe(STATUS.ok);
    expect(lib().senko_audio_input_range(SAMPLE_RATE, UNBOUNDED_FRAMES + 1, 0, 1, range)).toBe(STATUS.invalidArgument);
  });

  test("enum values, flag bits and slots (read from the Zig source)", () => {
    expect(snakeKeys(STATUS)).toEqual(zigEnum("status.zig", "Status"));
    expect(ENCODING_CODE).toEqual(zigEnum("convert.zig", "Encoding"));
    expect(METRIC_CODE).toEqual(zigEnum("knn.zig", "Metric"));
    expect(INIT_CODE).toEqual(zigEnum("umap.zig", "InitMethod"));
    expect(SOLVER_CODE).toEqual(zigEnum("abi-cluster.zig", "Solver"));
    expect(snakeKeys(FBANK_FLAGS)).toEqual(zigConstants("abi-fbank.zig", "flag_"));
    const info: Record<string, number> = { ...snakeKeys(SPECTRAL_INFO), len: SPECTRAL_INFO_LEN };
    expect(info).toEqual(zigConstants("abi-cluster.zig", "info_"));
    expect(THREADS_MAX).toBe(zigConstants("pool.zig", "threads_").max!);
  });
});

/** The bun:ffi type of an argument or result of Zig type `zig`: any pointer is a ptr, a scalar its own name. */
function ffiType(zig: string): string {
  if (/^\??(\*|\[\*)/.test(zig)) return "ptr";
  if (["void", "bool", "u8", "i8", "u16", "i16", "u32", "i32", "u64", "i64", "f32", "f64"].includes(zig)) return zig;
  throw new Error(`no bun:ffi type for the Zig type ${zig}`);
}

const TYPED_ARRAY: Record<string, string> = {
  u8: "Uint8Array",
  u32: "Uint32Array",
  i32: "Int32Array",
  u64: "BigUint64Array",
  f32: "Float32Array",
  f64: "Float64Array",
};

/**
 * For each fixed-length array parameter (`*[N]T`, which bun:ffi passes as a bare ptr): the typed array and
 * the constant of its length with which TypeScript calls the export (the UMAP and HDBSCAN timing slots
 * among them).
 */
const FIXED_LENGTH_ARGUMENTS: Record<string, [string, number]> = {
  "senko_audio_input_range range": ["BigUint64Array", INPUT_RANGE_LEN],
  "senko_umap_curve out": ["Float64Array", UMAP_CURVE_LEN],
  "senko_umap_embed out_timings": ["Float64Array", UMAP_TIMING_SLOTS],
  "senko_hdbscan out_timings": ["Float64Array", HDBSCAN_TIMING_SLOTS],
};

/** Each `*[N]T` parameter of `exports` as FIXED_LENGTH_ARGUMENTS keys it, with T's typed array and N. */
function fixedLengthParameters(exports: ZigExport[]): Record<string, [string, number]> {
  const found: Record<string, [string, number]> = {};
  for (const { file, name, parameters } of exports) {
    for (const p of parameters) {
      const m = /^\??\*\[(\w+)\](\w+)$/.exec(p.type);
      if (m) found[`${name} ${p.name}`] = [TYPED_ARRAY[m[2]!] ?? m[2]!, zigInteger(file, m[1]!)];
    }
  }
  return found;
}

describe("the bun:ffi bindings of src/native/ match the Zig export fn signatures", () => {
  const exports = zigExports();

  test("every export has a binding and every binding an export", () => {
    expect(exports.length).toBeGreaterThan(30);
    expect(exports.map((e) => e.name).sort()).toEqual(Object.keys(NATIVE_SYMBOLS).sort());
  });

  test("argument count and types, and return type", () => {
    const fromZig = Object.fromEntries(
      exports.map((e) => [e.name, { args: e.parameters.map((p) => ffiType(p.type)), returns: ffiType(e.returns) }]),
    );
    const fromTypeScript: Record<string, { args: string[]; returns: string }> = Object.fromEntries(
      Object.entries(NATIVE_SYMBOLS).map(([name, { args, returns }]) => [name, { args: [...args], returns }]),
    );
    expect(fromTypeScript).toEqual(fromZig);
  });

  test("fixed-length array parameters: element type and length", () => {
    expect(FIXED_LENGTH_ARGUMENTS).toEqual(fixedLengthParameters(exports));
  });
});
