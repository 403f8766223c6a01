/** @module Native symbols of the cluster area (zig/abi-cluster.zig); names match the Zig exports. */
export const clusterSymbols = {
  senko_spectral_speakers_max: { args: [], returns: "u32" },
  senko_kmeans_restarts_max: { args: [], returns: "u32" },
  senko_cluster_info_len: { args: [], returns: "u32" },
  /**
   * (pool, data count x dim f32, dataLength, count, dim, pval, minPnum, minSpeakers, maxSpeakers, speakers (0 = eigengap),
   * kmeansRestarts, out labels count i32, capacity, out eigenvalues min(top + 1, count) f32, capacity,
   * out info 8 f64 | null, capacity)
   */
  senko_spectral_cluster: {
    args: ["ptr", "ptr", "u64", "u32", "u32", "f64", "u32", "u32", "u32", "u32", "u32", "ptr", "u64", "ptr", "u64", "ptr", "u64"],
    returns: "i32",
  },
  /**
   * (pool, data, dataLength, count, dim, pval, minPnum, wanted, solver 0 auto | 1 dense | 2 Lanczos,
   * out values wanted f64, capacity, out vectors count x wanted f32 | null, capacity, out info 8 f64 | null, capacity)
   */
  senko_laplacian_eigen: {
    args: ["ptr", "ptr", "u64", "u32", "u32", "f64", "u32", "u32", "u32", "ptr", "u64", "ptr", "u64", "ptr", "u64"],
    returns: "i32",
  },
  /**
   * (pool, data count x dim f32, dataLength, count, dim, k, restarts, seed, out labels count i32, capacity,
   * out centroids k x dim f32 | null, capacity, out inertia f64 | null)
   */
  senko_kmeans: {
    args: ["ptr", "ptr", "u64", "u32", "u32", "u32", "u32", "u32", "ptr", "u64", "ptr", "u64", "ptr"],
    returns: "i32",
  },
} as const;
