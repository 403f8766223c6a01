/** @module Native symbols of the matrix area (zig/abi-matrix.zig); names match the Zig exports. */
export const matrixSymbols = {
  /** (pool, data count x dim f32, dataLength, count, dim, out count x count f32, outCapacity) */
  senko_cosine_similarity: { args: ["ptr", "ptr", "u64", "u32", "u32", "ptr", "u64"], returns: "i32" },
  /** (count, pval, minPnum) -> entries kept per row */
  senko_prune_keep_count: { args: ["u32", "f64", "u32"], returns: "u32" },
  /** (pool, matrix count x count f32 (in place), matrixCapacity, count, pval, minPnum) */
  senko_prune_rows: { args: ["ptr", "ptr", "u64", "u32", "f64", "u32"], returns: "i32" },
} as const;
