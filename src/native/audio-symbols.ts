/** @module Native symbols of the audio area (zig/abi-audio.zig); names match the Zig exports. */
export const audioSymbols = {
  senko_audio_output_rate: { args: [], returns: "u32" },
  senko_audio_rate_max: { args: [], returns: "u32" },
  /** (sampleRate, totalFrames, outFirst, outCount, range: u64[2]) -> status */
  senko_audio_input_range: { args: ["u32", "u64", "u64", "u64", "ptr"], returns: "i32" },
  /** (pool, data, byteCount, encoding, channels, sampleRate, totalFrames, dataFirstFrame, out, outCapacity, outFirst, outCount) -> status */
  senko_audio_to_mono16k: {
    args: ["ptr", "ptr", "u64", "u32", "u32", "u32", "u64", "u64", "ptr", "u64", "u64", "u64"],
    returns: "i32",
  },
} as const;
