/** @module Native symbols of UMAP and HDBSCAN (zig/abi-umap.zig); names match the Zig exports. */
export const umapSymbols = {
  senko_umap_components_max: { args: [], returns: "u32" },
  senko_umap_epochs_max: { args: [], returns: "u32" },
  /** (pool, data, dataLength, count, dim, k, metric 0 cosine / 1 euclidean, out indices u32[count*k], capacity, out distances f32[count*k], capacity) */
  senko_knn: { args: ["ptr", "ptr", "u64", "u32", "u32", "u32", "u32", "ptr", "u64", "ptr", "u64"], returns: "i32" },
  /**
   * (pool, knn indices, length, knn distances, length, count, k, then at least 2 count k each: out rows, capacity,
   * out columns, capacity, out weights, capacity; out edge count u32[1])
   */
  senko_umap_fuzzy_graph: {
    args: ["ptr", "ptr", "u64", "ptr", "u64", "u32", "u32", "ptr", "u64", "ptr", "u64", "ptr", "u64", "ptr"],
    returns: "i32",
  },
  /** (spread, minDist, out f64[2] = a, b) */
  senko_umap_curve: { args: ["f32", "f32", "ptr"], returns: "i32" },
  /**
   * (pool, data, dataLength, count, dim, nNeighbors, nComponents, minDist, metric, seed, epochs (0 = default),
   * init 0 spectral / 1 random, out f32[count*nComponents], capacity, out timings f64[4] or null)
   */
  senko_umap_embed: {
    args: ["ptr", "ptr", "u64", "u32", "u32", "u32", "u32", "f32", "u32", "u32", "u32", "u32", "ptr", "u64", "ptr"],
    returns: "i32",
  },
  /** (pool, data, dataLength, count, dim, minSamples, minClusterSize, out labels i32[count], capacity, out timings f64[3] or null) */
  senko_hdbscan: { args: ["ptr", "ptr", "u64", "u32", "u32", "u32", "u32", "ptr", "u64", "ptr"], returns: "i32" },
} as const;
