/** @module Native symbols of the overlap-aware pipeline's kernels (zig/abi-overlap.zig); names match the Zig exports. */
export const overlapSymbols = {
  /**
   * (fbank frameCount x 80 f32, fbankLength, frameCount, indices u32, indicesLength, offsets u32 per member, offsetsLength,
   * memberCount, length, out f32, outCapacity)
   */
  senko_frames_gather: { args: ["ptr", "u64", "u32", "ptr", "u64", "ptr", "u64", "u32", "u32", "ptr", "u64"], returns: "i32" },
  senko_agglomerative_count_max: { args: [], returns: "u32" },
  /** (pool, data count x dim f32, dataLength, count, dim, then count - 1 merges: out a u32, capacity, out b u32, capacity, out distance f32, capacity) */
  senko_average_linkage: { args: ["ptr", "ptr", "u64", "u32", "u32", "ptr", "u64", "ptr", "u64", "ptr", "u64"], returns: "i32" },
} as const;
