//! Exported C ABI for UMAP and HDBSCAN (see lib.zig for conventions). Every output is a buffer the
//! caller allocates; nothing is left to free.
const std = @import("std");
const pool = @import("pool.zig");
const status = @import("status.zig").status;
const inputRows = @import("status.zig").inputRows;
const inputSlice = @import("status.zig").inputSlice;
const outputSlice = @import("status.zig").outputSlice;
const matrix = @import("matrix.zig");
const knn = @import("knn.zig");
const umap = @import("umap.zig");
const umap_graph = @import("umap-graph.zig");
const umap_curve = @import("umap-curve.zig");
const umap_layout = @import("umap-layout.zig");
const hdbscan = @import("hdbscan.zig");

const allocator = std.heap.c_allocator;

// Bounds TypeScript mirrors (src/cluster/umap-hdbscan.ts; test/shared-constants.test.ts compares).
export fn senko_umap_components_max() u32 {
    return umap_layout.components_max;
}

export fn senko_umap_epochs_max() u32 {
    return umap_layout.epochs_max;
}

/// Slots (f64 milliseconds) of senko_umap_embed's and senko_hdbscan's out_timings, one per field of
/// umap.EmbedTimings and hdbscan.Timings (src/cluster/umap-hdbscan.ts mirrors the counts;
/// test/shared-constants.test.ts compares).
const umap_timing_slots = 4;
const hdbscan_timing_slots = 3;

comptime {
    std.debug.assert(umap_timing_slots == @typeInfo(umap.EmbedTimings).@"struct".fields.len);
    std.debug.assert(hdbscan_timing_slots == @typeInfo(hdbscan.Timings).@"struct".fields.len);
}

fn failed(err: anyerror) i32 {
    return switch (err) {
        error.OutOfMemory => status(.out_of_memory),
        else => status(.invalid_argument),
    };
}

/// The k nearest other points of each of `count` points of `dim` floats, ascending by (distance,
/// index): out_indices (u32) and out_distances (f32), count x k each, each followed by its capacity in
/// elements. metric: 0 cosine (1 - cos), 1 euclidean. Needs 1 <= k < count.
export fn senko_knn(
    thread_pool: ?*pool.Pool,
    data: ?[*]const f32,
    data_len: u64,
    count: u32,
    dim: u32,
    k: u32,
    metric: u32,
    out_indices: ?[*]u32,
    indices_capacity: u64,
    out_distances: ?[*]f32,
    distances_capacity: u64,
) i32 {
    const p = pool.Pool.fromHandle(thread_pool) orelse return status(.invalid_argument);
    const values = inputRows(data, data_len, count, dim) orelse return status(.invalid_argument);
    if (k == 0 or k >= count) return status(.invalid_argument);
    const distance_metric = std.meta.intToEnum(knn.Metric, metric) catch return status(.invalid_argument);
    const n = @as(u64, count) * k;
    const indices = outputSlice(u32, out_indices, indices_capacity, n) orelse return status(.invalid_argument);
    const distances = outputSlice(f32, out_distances, distances_capacity, n) orelse return status(.invalid_argument);
    if (!matrix.allFinite(values)) return status(.invalid_data);
    knn.search(allocator, p, values, count, dim, k, distance_metric, indices, distances) catch |err| return failed(err);
    return status(.ok);
}

/// UMAP's fuzzy simplicial set of a kNN graph (count x k, as senko_knn gives them: each row k distinct
/// other points at non-negative distances, ascending; anything else is an invalid argument) as COO
/// triples (rows, columns, weights), rows ascending and columns ascending within a row. Each input is
/// followed by its length and each output by its capacity, in elements; outputs hold at least
/// 2 count k (the most edges there can be); *out_edge_count receives the edge count.
export fn senko_umap_fuzzy_graph(
    thread_pool: ?*pool.Pool,
    knn_indices: ?[*]const u32,
    indices_len: u64,
    knn_distances: ?[*]const f32,
    distances_len: u64,
    count: u32,
    k: u32,
    out_rows: ?[*]u32,
    rows_capacity: u64,
    out_columns: ?[*]u32,
    columns_capacity: u64,
    out_weights: ?[*]f32,
    weights_capacity: u64,
    out_edge_count: ?*u32,
) i32 {
    const p = pool.Pool.fromHandle(thread_pool) orelse return status(.invalid_argument);
    const edge_count = out_edge_count orelse return status(.invalid_argument);
    if (count < 2 or k == 0 or k >= count) return status(.invalid_argument);
    const n = @as(u64, count) * k;
    const indices = inputSlice(u32, knn_indices, indices_len, n) orelse return status(.invalid_argument);
    const distances = inputSlice(f32, knn_distances, distances_len, n) orelse return status(.invalid_argument);
    const edges_max = 2 * n;
    const rows = outputSlice(u32, out_rows, rows_capacity, edges_max) orelse return status(.invalid_argument);
    const columns = outputSlice(u32, out_columns, columns_capacity, edges_max) orelse return status(.invalid_argument);
    const weights = outputSlice(f32, out_weights, weights_capacity, edges_max) orelse return status(.invalid_argument);
    if (!matrix.allFinite(distances)) return status(.invalid_data);
    const seen = allocator.alloc(u32, count) catch return status(.out_of_memory);
    defer allocator.free(seen);
    if (!umap_graph.validNeighbours(indices, distances, count, k, seen)) return status(.invalid_argument);
    var graph = umap_graph.fuzzyGraph(allocator, p, indices, distances, count, k) catch |err| return failed(err);
    defer graph.deinit(allocator);
    const edges = graph.edgeCount();
    std.debug.assert(edges <= edges_max);
    for (0..count) |i| {
        for (graph.offsets[i]..graph.offsets[i + 1]) |e| rows[e] = @intCast(i);
    }
    @memcpy(columns[0..edges], graph.columns);
    @memcpy(weights[0..edges], graph.weights);
    edge_count.* = edges;
    return status(.ok);
}

/// a and b of UMAP's curve 1 / (1 + a d^(2b)) for `spread` and `min_dist`, into out[0], out[1].
export fn senko_umap_curve(spread: f32, min_dist: f32, out: ?*[2]f64) i32 {
    const o = out orelse return status(.invalid_argument);
    if (!(spread > 0) or !(min_dist >= 0) or !std.math.isFinite(spread) or !std.math.isFinite(min_dist)) {
        return status(.invalid_argument);
    }
    const curve = umap_curve.fitCurve(spread, min_dist);
    o.* = .{ curve.a, curve.b };
    return status(.ok);
}

/// UMAP embedding (spread 1) of `count` points of `dim` floats into out_embedding
/// (`embedding_capacity` floats, at least count x component_count). metric: 0 cosine, 1 euclidean; init: 0 spectral, 1 random;
/// epoch_count 0 picks umap-learn's default. Needs 2 <= n_neighbors <= count and
/// 1 <= component_count <= min(count - 2, 256). out_timings (optional) receives milliseconds for
/// kNN, graph, initialisation and layout.
export fn senko_umap_embed(
    thread_pool: ?*pool.Pool,
    data: ?[*]const f32,
    data_len: u64,
    count: u32,
    dim: u32,
    n_neighbors: u32,
    component_count: u32,
    min_dist: f32,
    metric: u32,
    seed: u32,
    epoch_count: u32,
    init_method: u32,
    out_embedding: ?[*]f32,
    embedding_capacity: u64,
    out_timings: ?*[umap_timing_slots]f64,
) i32 {
    const p = pool.Pool.fromHandle(thread_pool) orelse return status(.invalid_argument);
    const values = inputRows(data, data_len, count, dim) orelse return status(.invalid_argument);
    if (n_neighbors < 2 or n_neighbors > count) return status(.invalid_argument);
    if (component_count == 0 or component_count > umap_layout.components_max or @as(u64, component_count) + 2 > count) {
        return status(.invalid_argument);
    }
    const embedding = outputSlice(f32, out_embedding, embedding_capacity, @as(u64, count) * component_count) orelse
        return status(.invalid_argument);
    if (!(min_dist >= 0) or !std.math.isFinite(min_dist)) return status(.invalid_argument);
    const distance_metric = std.meta.intToEnum(knn.Metric, metric) catch return status(.invalid_argument);
    const initial_layout = std.meta.intToEnum(umap.InitMethod, init_method) catch return status(.invalid_argument);
    if (epoch_count > umap_layout.epochs_max) return status(.invalid_argument);
    if (!matrix.allFinite(values)) return status(.invalid_data);
    var timings: umap.EmbedTimings = .{};
    umap.embed(allocator, p, values, count, dim, .{
        .n_neighbors = n_neighbors,
        .component_count = component_count,
        .min_dist = min_dist,
        .metric = distance_metric,
        .seed = seed,
        .epoch_count = epoch_count,
        .init = initial_layout,
    }, embedding, &timings) catch |err| return failed(err);
    if (out_timings) |t| t.* = .{ timings.knn_ms, timings.graph_ms, timings.init_ms, timings.layout_ms };
    return status(.ok);
}

/// HDBSCAN labels (cluster >= 0, noise -1) of `count` points of `dim` floats (euclidean) into
/// out_labels (`labels_capacity` i32, at least count). Needs min_samples >= 1 and min_cluster_size >= 2. out_timings (optional) receives
/// milliseconds for core distances, spanning tree, and condensed tree + labels.
export fn senko_hdbscan(
    thread_pool: ?*pool.Pool,
    data: ?[*]const f32,
    data_len: u64,
    count: u32,
    dim: u32,
    min_samples: u32,
    min_cluster_size: u32,
    out_labels: ?[*]i32,
    labels_capacity: u64,
    out_timings: ?*[hdbscan_timing_slots]f64,
) i32 {
    const p = pool.Pool.fromHandle(thread_pool) orelse return status(.invalid_argument);
    const values = inputRows(data, data_len, count, dim) orelse return status(.invalid_argument);
    const labels = outputSlice(i32, out_labels, labels_capacity, count) orelse return status(.invalid_argument);
    if (min_samples == 0 or min_cluster_size < 2) return status(.invalid_argument);
    if (!matrix.allFinite(values)) return status(.invalid_data);
    var timings: hdbscan.Timings = .{};
    hdbscan.cluster(allocator, p, values, count, dim, min_samples, min_cluster_size, labels, &timings) catch |err| return failed(err);
    if (out_timings) |t| t.* = .{ timings.core_ms, timings.tree_ms, timings.labels_ms };
    return status(.ok);
}

test "senko_knn, senko_umap_fuzzy_graph, senko_umap_embed and senko_hdbscan refuse a buffer one element short" {
    const testing = @import("abi-testing.zig");
    const p = try pool.Pool.create(std.testing.allocator, 2);
    defer p.destroy();
    const Knn = struct {
        p: *pool.Pool,
        indices: [16]u32 = .{99} ** 16,
        distances: [16]f32 = .{-7} ** 16,
        pub fn run(self: *@This(), sizes: [3]u64) i32 {
            return senko_knn(self.p, &testing.two_groups_2d, sizes[0], 8, 2, 2, 1, &self.indices, sizes[1], &self.distances, sizes[2]);
        }
    };
    var neighbours: Knn = .{ .p = p };
    try testing.expectEachOneShortRefused(3, .{ 16, 16, 16 }, &neighbours);
    const Graph = struct {
        p: *pool.Pool,
        knn: *const Knn,
        rows: [32]u32 = .{99} ** 32,
        columns: [32]u32 = .{99} ** 32,
        weights: [32]f32 = .{-7} ** 32,
        edge_count: u32 = 99,
        pub fn run(self: *@This(), sizes: [5]u64) i32 {
            return senko_umap_fuzzy_graph(self.p, &self.knn.indices, sizes[0], &self.knn.distances, sizes[1], 8, 2, &self.rows, sizes[2], &self.columns, sizes[3], &self.weights, sizes[4], &self.edge_count);
        }
    };
    var graph: Graph = .{ .p = p, .knn = &neighbours };
    try testing.expectEachOneShortRefused(5, .{ 16, 16, 32, 32, 32 }, &graph);
    const Embed = struct {
        p: *pool.Pool,
        embedding: [16]f32 = .{-7} ** 16,
        pub fn run(self: *@This(), sizes: [2]u64) i32 {
            return senko_umap_embed(self.p, &testing.two_groups_2d, sizes[0], 8, 2, 4, 2, 0.1, 1, 7, 20, 1, &self.embedding, sizes[1], null);
        }
    };
    var embedding: Embed = .{ .p = p };
    try testing.expectEachOneShortRefused(2, .{ 16, 16 }, &embedding);
    const Hdbscan = struct {
        p: *pool.Pool,
        labels: [8]i32 = .{-7} ** 8,
        pub fn run(self: *@This(), sizes: [2]u64) i32 {
            return senko_hdbscan(self.p, &testing.two_groups_2d, sizes[0], 8, 2, 2, 2, &self.labels, sizes[1], null);
        }
    };
    var hdbscan_labels: Hdbscan = .{ .p = p };
    try testing.expectEachOneShortRefused(2, .{ 16, 8 }, &hdbscan_labels);
}

test "senko_hdbscan takes any min_samples and min_cluster_size: a cluster size over half the points leaves all noise" {
    const testing = @import("abi-testing.zig");
    const p = try pool.Pool.create(std.testing.allocator, 2);
    defer p.destroy();
    const most = std.math.maxInt(u32);
    var labels: [8]i32 = .{7} ** 8;
    // 2 * min_cluster_size would wrap in u32.
    try std.testing.expectEqual(status(.ok), senko_hdbscan(p, &testing.two_groups_2d, 16, 8, 2, 2, most, &labels, 8, null));
    try std.testing.expectEqualSlices(i32, &(.{-1} ** 8), &labels);
    try std.testing.expectEqual(status(.ok), senko_hdbscan(p, &testing.two_groups_2d, 16, 8, 2, most, 4, &labels, 8, null));
    try std.testing.expectEqual(status(.ok), senko_hdbscan(p, &testing.two_groups_2d, 16, 8, 2, 2, 5, &labels, 8, null));
    try std.testing.expectEqualSlices(i32, &(.{-1} ** 8), &labels);
}
