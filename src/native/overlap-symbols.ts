/** @module Native symbols of the overlap-aware pipeline's kernels (zig/abi-overlap.zig); names match the Zig exports. */
export const overlapSymbols = {
  /** (fbank frameCount x 80 f32, frameCount, indices u32, indexCount, offsets u32 per member, memberCount, length, out f32, outLen) */
  senko_frames_gather: { args: ["ptr", "u32", "ptr", "u32", "ptr", "u32", "u32", "ptr", "u32"], returns: "i32" },
  /** (pool, data count x dim f32, count, dim, out a u32, out b u32, out distance f32, outLen = count - 1) */
  senko_average_linkage: { args: ["ptr", "ptr", "u32", "u32", "ptr", "ptr", "ptr", "u32"], returns: "i32" },
} as const;
