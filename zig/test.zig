//! Root of `zig build test`: every module with tests is referenced here.
comptime {
    _ = @import("pool.zig");
    _ = @import("status.zig");
    _ = @import("abi-testing.zig");
    _ = @import("milliseconds.zig");
    _ = @import("simd.zig");
    _ = @import("lib.zig");
    _ = @import("fft.zig");
    _ = @import("fbank.zig");
    _ = @import("log-mel.zig");
    _ = @import("resample.zig");
    _ = @import("convert.zig");
    _ = @import("knn.zig");
    _ = @import("umap.zig");
    _ = @import("umap-graph.zig");
    _ = @import("umap-curve.zig");
    _ = @import("fast-pow.zig");
    _ = @import("umap-layout.zig");
    _ = @import("umap-init.zig");
    _ = @import("hdbscan.zig");
    _ = @import("spanning-tree.zig");
    _ = @import("matrix.zig");
    _ = @import("eigen.zig");
    _ = @import("column-blocks.zig");
    _ = @import("dense-eigen.zig");
    _ = @import("cholesky.zig");
    _ = @import("kmeans.zig");
    _ = @import("spectral.zig");
    _ = @import("frame-gather.zig");
    _ = @import("agglomerative.zig");
}
