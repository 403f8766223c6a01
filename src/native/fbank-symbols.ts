/** @module Native symbols of the fbank area (zig/abi-fbank.zig); names match the Zig exports. */
export const fbankSymbols = {
  senko_fbank_mel_bins: { args: [], returns: "u32" },
  senko_fbank_sample_rate: { args: [], returns: "u32" },
  senko_fbank_frame_length: { args: [], returns: "u32" },
  senko_fbank_frame_shift: { args: [], returns: "u32" },
  /** (pool, samples, samplesLength, segments as u32 start/end pairs, segmentsLength, segmentCount, flags, out result handle) */
  senko_fbank_compute: { args: ["ptr", "ptr", "u64", "ptr", "u64", "u32", "u32", "ptr"], returns: "i32" },
  senko_fbank_data: { args: ["ptr"], returns: "ptr" },
  senko_fbank_total_frames: { args: ["ptr"], returns: "u32" },
  senko_fbank_frame_counts: { args: ["ptr"], returns: "ptr" },
  senko_fbank_frame_offsets: { args: ["ptr"], returns: "ptr" },
  senko_fbank_free: { args: ["ptr"], returns: "void" },
} as const;
