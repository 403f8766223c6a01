//! UMAP (McInnes, Healy & Melville 2018) as umap-learn computes it, for clustering speaker embeddings:
//! exact kNN (knn.zig), the fuzzy simplicial set of smoothed kNN distances with fuzzy-union
//! symmetrisation (umap-graph.zig), the a/b curve fitted by least squares (umap-curve.zig), spectral
//! initialisation (umap-init.zig) and the stochastic layout with negative sampling (umap-layout.zig).
const std = @import("std");
const assert = std.debug.assert;
const Pool = @import("pool.zig").Pool;
const milliseconds = @import("milliseconds.zig");
const knn = @import("knn.zig");
const init = @import("umap-init.zig");
const fuzzyGraph = @import("umap-graph.zig").fuzzyGraph;
const pruneGraph = @import("umap-graph.zig").pruneGraph;
const fitCurve = @import("umap-curve.zig").fitCurve;
const optimizeLayout = @import("umap-layout.zig").optimizeLayout;
const row_align = @import("umap-layout.zig").row_align;
const components_max = @import("umap-layout.zig").components_max;

pub const InitMethod = enum(u32) { spectral = 0, random = 1 };

pub const EmbedOptions = struct {
    n_neighbors: u32,
    component_count: u32,
    min_dist: f32,
    spread: f32 = 1,
    metric: knn.Metric,
    seed: u64,
    /// 0: umap-learn's default, 500 up to 10,000 points and 200 beyond.
    epoch_count: u32 = 0,
    init: InitMethod = .spectral,
};

/// Milliseconds spent in each stage of `embed`.
pub const EmbedTimings = struct { knn_ms: f64 = 0, graph_ms: f64 = 0, init_ms: f64 = 0, layout_ms: f64 = 0 };

fn defaultEpochs(count: u32) u32 {
    return if (count <= 10_000) 500 else 200;
}

/// UMAP embedding of `count` points of `dim` floats into `out` (count x component_count, row-major).
pub fn embed(
    allocator: std.mem.Allocator,
    pool: *Pool,
    data: []const f32,
    count: u32,
    dim: u32,
    options: EmbedOptions,
    out: []f32,
    timings: *EmbedTimings,
) !void {
    assert(options.n_neighbors >= 2 and options.n_neighbors <= count);
    assert(options.component_count >= 1 and options.component_count + 2 <= count);
    assert(options.component_count <= components_max);
    assert(out.len == @as(usize, count) * options.component_count);
    var timer = try std.time.Timer.start();
    const k = options.n_neighbors - 1;
    const knn_indices = try allocator.alloc(u32, @as(usize, count) * k);
    defer allocator.free(knn_indices);
    const knn_distances = try allocator.alloc(f32, knn_indices.len);
    defer allocator.free(knn_distances);
    try knn.search(allocator, pool, data, count, dim, k, options.metric, knn_indices, knn_distances);
    timings.knn_ms = milliseconds.lap(&timer);

    var graph = try fuzzyGraph(allocator, pool, knn_indices, knn_distances, count, k);
    defer graph.deinit(allocator);
    const epoch_count = if (options.epoch_count == 0) defaultEpochs(count) else options.epoch_count;
    // As umap-learn: a short run still drops the edges a default-length run would never sample.
    try pruneGraph(allocator, &graph, if (epoch_count > 10) epoch_count else defaultEpochs(count));
    timings.graph_ms = milliseconds.lap(&timer);

    const stride = std.mem.alignForward(u32, options.component_count, row_align);
    const embedding = try allocator.alloc(f32, @as(usize, count) * stride);
    defer allocator.free(embedding);
    @memset(embedding, 0);
    try init.initialize(allocator, pool, &graph, options.init, options.seed, embedding, stride, options.component_count);
    timings.init_ms = milliseconds.lap(&timer);

    const curve = fitCurve(options.spread, options.min_dist);
    try optimizeLayout(allocator, pool, &graph, embedding, stride, .{
        .a = @floatCast(curve.a),
        .b = @floatCast(curve.b),
        .epoch_count = epoch_count,
        .seed = options.seed,
    });
    for (0..count) |i| {
        @memcpy(out[i * options.component_count ..][0..options.component_count], embedding[i * stride ..][0..options.component_count]);
    }
    timings.layout_ms = milliseconds.lap(&timer);
}

test "embed separates well-separated blobs, identically on 1 and 3 threads" {
    const allocator = std.testing.allocator;
    const count: u32 = 300;
    const dim: u32 = 24;
    const components: u32 = 8;
    var prng = std.Random.DefaultPrng.init(5);
    const random = prng.random();
    var centers: [3][dim]f32 = undefined;
    for (&centers) |*c| {
        for (c) |*x| x.* = random.floatNorm(f32);
    }
    const data = try allocator.alloc(f32, count * dim);
    defer allocator.free(data);
    for (0..count) |i| {
        for (0..dim) |d| data[i * dim + d] = centers[i % 3][d] + 0.2 * random.floatNorm(f32);
    }
    var outputs: [2][]f32 = undefined;
    for (&outputs, [_]u32{ 1, 3 }) |*out, threads| {
        const pool = try Pool.create(allocator, threads);
        defer pool.destroy();
        out.* = try allocator.alloc(f32, count * components);
        var timings: EmbedTimings = .{};
        try embed(allocator, pool, data, count, dim, .{
            .n_neighbors = 15,
            .component_count = components,
            .min_dist = 0,
            .metric = .cosine,
            .seed = 42,
            .epoch_count = 100,
        }, out.*, &timings);
    }
    defer for (outputs) |o| allocator.free(o);
    try std.testing.expectEqualSlices(f32, outputs[0], outputs[1]);
    // Every point is nearer to its own blob's embedded centroid than to any other.
    var centroids = [_][components]f64{[_]f64{0} ** components} ** 3;
    for (0..count) |i| {
        for (0..components) |c| centroids[i % 3][c] += outputs[0][i * components + c] / (count / 3);
    }
    for (0..count) |i| {
        var nearest: usize = 0;
        var nearest_sq = std.math.inf(f64);
        for (centroids, 0..) |centroid, b| {
            var sq: f64 = 0;
            for (0..components) |c| sq += (outputs[0][i * components + c] - centroid[c]) * (outputs[0][i * components + c] - centroid[c]);
            if (sq < nearest_sq) {
                nearest_sq = sq;
                nearest = b;
            }
        }
        try std.testing.expectEqual(i % 3, nearest);
    }
}
