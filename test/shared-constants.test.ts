/**
 * Constants written in both TypeScript and Zig: each TypeScript one against the export of libsenko
 * that returns the Zig one, so neither side can change alone.
 */
import { describe, expect, test } from "bun:test";
import { TARGET_RATE } from "../src/audio/convert.ts";
import { MAX_SAMPLE_RATE } from "../src/audio/wav.ts";
import { KMEANS_RESTARTS_MAX, SPECTRAL_INFO_LEN, SPECTRAL_MAX_SPEAKERS } from "../src/cluster/spectral.ts";
import { UMAP_COMPONENTS_MAX, UMAP_EPOCHS_MAX } from "../src/cluster/umap-hdbscan.ts";
import { FBANK_FRAME_LENGTH, FBANK_FRAME_SHIFT, FBANK_SAMPLE_RATE } from "../src/features/fbank.ts";
import { lib } from "../src/ffi.ts";
import { FBANK_BINS, SILERO_SAMPLE_RATE } from "../src/models/index.ts";
import { SAMPLE_RATE } from "../src/types.ts";

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
  });
});
