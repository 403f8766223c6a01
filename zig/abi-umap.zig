//! Exported C ABI for UMAP and HDBSCAN (see lib.zig for conventions). Every output is a buffer the
//! caller allocates; nothing is left to free.
const std = @import("std");
const pool = @import("pool.zig");
const status = @import("status.zig").status;
const inputRows = @import("status.zig").inputRows;
const matrix = @import("matrix.zig");
const knn = @import("knn.zig");
const umap = @import("umap.zig");
const hdbscan = @import("hdbscan.zig");

const allocator = std.heap.c_allocator;

// Bounds TypeScript mirrors (src/cluster/umap-hdbscan.ts; test/shared-constants.test.ts compares).
export fn senko_umap_components_max() u32 {
    return umap.components_max;
}

export fn senko_umap_epochs_max() u32 {
    return umap.epochs_max;
}

fn failed(err: anyerror) i32 {
    return switch (err) {
        error.OutOfMemory => status(.out_of_memory),
        else => status(.invalid_argument),
    };
}

/// The k nearest other points of each of `count` points of `dim` floats, ascending by (distance,
/// index): out_indices (u32) and out_distances (f32), count x k each. metric: 0 cosine (1 - cos),
/// 1 euclidean. Needs 1 <= k < count.
export fn senko_knn(
    thread_pool: ?*pool.Pool,
    data: ?[*]const f32,
    count: u32,
    dim: u32,
    k: u32,
    metric: u32,
    out_indices: ?[*]u32,
    out_distances: ?[*]f32,
) i32 {
    const p = pool.Pool.fromHandle(thread_pool) orelse return status(.invalid_argument);
    const values = inputRows(data, count, dim) orelse return status(.invalid_argument);
    const indices = out_indices orelse return status(.invalid_argument);
    const distances = out_distances orelse return status(.invalid_argument);
    if (k == 0 or k >= count or metric > 1) return status(.invalid_argument);
    if (!matrix.allFinite(values)) return status(.invalid_data);
    const n = @as(usize, count) * k;
    knn.search(allocator, p, values, count, dim, k, @enumFromInt(metric), indices[0..n], distances[0..n]) catch |err| return failed(err);
    return status(.ok);
}

/// UMAP's fuzzy simplicial set of a kNN graph (count x k nearest others, ascending, as senko_knn gives
/// them; a row must not list its own point),
/// as COO triples (rows, columns, weights), rows ascending and columns ascending within a row.
/// `capacity` (at least 2 count k) bounds the output; *out_edge_count receives the edge count.
export fn senko_umap_fuzzy_graph(
    thread_pool: ?*pool.Pool,
    knn_indices: ?[*]const u32,
    knn_distances: ?[*]const f32,
    count: u32,
    k: u32,
    capacity: u32,
    out_rows: ?[*]u32,
    out_columns: ?[*]u32,
    out_weights: ?[*]f32,
    out_edge_count: ?*u32,
) i32 {
    const p = pool.Pool.fromHandle(thread_pool) orelse return status(.invalid_argument);
    const indices = knn_indices orelse return status(.invalid_argument);
    const distances = knn_distances orelse return status(.invalid_argument);
    const rows = out_rows orelse return status(.invalid_argument);
    const columns = out_columns orelse return status(.invalid_argument);
    const weights = out_weights orelse return status(.invalid_argument);
    const edge_count = out_edge_count orelse return status(.invalid_argument);
    if (count < 2 or k == 0 or k >= count) return status(.invalid_argument);
    if (@as(u64, capacity) < 2 * @as(u64, count) * k) return status(.invalid_argument);
    const n = @as(usize, count) * k;
    for (indices[0..n], 0..) |j, e| {
        if (j >= count or j == e / k) return status(.invalid_argument); // out of range or the point itself
    }
    if (!matrix.allFinite(distances[0..n])) return status(.invalid_data);
    var graph = umap.fuzzyGraph(allocator, p, indices[0..n], distances[0..n], count, k) catch |err| return failed(err);
    defer graph.deinit(allocator);
    for (0..count) |i| {
        for (graph.offsets[i]..graph.offsets[i + 1]) |e| rows[e] = @intCast(i);
    }
    @memcpy(columns[0..graph.edgeCount()], graph.columns);
    @memcpy(weights[0..graph.edgeCount()], graph.weights);
    edge_count.* = graph.edgeCount();
    return status(.ok);
}

/// a and b of UMAP's curve 1 / (1 + a d^(2b)) for `spread` and `min_dist`, into out[0], out[1].
export fn senko_umap_curve(spread: f32, min_dist: f32, out: ?*[2]f64) i32 {
    const o = out orelse return status(.invalid_argument);
    if (!(spread > 0) or !(min_dist >= 0) or !std.math.isFinite(spread) or !std.math.isFinite(min_dist)) {
        return status(.invalid_argument);
    }
    const curve = umap.fitCurve(spread, min_dist);
    o.* = .{ curve.a, curve.b };
    return status(.ok);
}

/// UMAP embedding (spread 1) of `count` points of `dim` floats into out_embedding
/// (count x component_count floats). metric: 0 cosine, 1 euclidean; init: 0 spectral, 1 random;
/// epoch_count 0 picks umap-learn's default. Needs 2 <= n_neighbors <= count and
/// 1 <= component_count <= min(count - 2, 256). out_timings (optional) receives milliseconds for
/// kNN, graph, initialisation and layout.
export fn senko_umap_embed(
    thread_pool: ?*pool.Pool,
    data: ?[*]const f32,
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
    out_timings: ?*[4]f64,
) i32 {
    const p = pool.Pool.fromHandle(thread_pool) orelse return status(.invalid_argument);
    const values = inputRows(data, count, dim) orelse return status(.invalid_argument);
    const embedding = out_embedding orelse return status(.invalid_argument);
    if (n_neighbors < 2 or n_neighbors > count) return status(.invalid_argument);
    if (component_count == 0 or component_count > umap.components_max or @as(u64, component_count) + 2 > count) {
        return status(.invalid_argument);
    }
    if (!(min_dist >= 0) or !std.math.isFinite(min_dist) or metric > 1 or init_method > 1) return status(.invalid_argument);
    if (epoch_count > umap.epochs_max) return status(.invalid_argument);
    if (!matrix.allFinite(values)) return status(.invalid_data);
    var timings: umap.EmbedTimings = .{};
    umap.embed(allocator, p, values, count, dim, .{
        .n_neighbors = n_neighbors,
        .component_count = component_count,
        .min_dist = min_dist,
        .metric = @enumFromInt(metric),
        .seed = seed,
        .epoch_count = epoch_count,
        .init = @enumFromInt(init_method),
    }, embedding[0 .. @as(usize, count) * component_count], &timings) catch |err| return failed(err);
    if (out_timings) |t| t.* = .{ timings.knn_ms, timings.graph_ms, timings.init_ms, timings.layout_ms };
    return status(.ok);
}

/// HDBSCAN labels (cluster >= 0, noise -1) of `count` points of `dim` floats (euclidean) into
/// out_labels. Needs min_samples >= 1 and min_cluster_size >= 2. out_timings (optional) receives
/// milliseconds for core distances, spanning tree, and condensed tree + labels.
export fn senko_hdbscan(
    thread_pool: ?*pool.Pool,
    data: ?[*]const f32,
    count: u32,
    dim: u32,
    min_samples: u32,
    min_cluster_size: u32,
    out_labels: ?[*]i32,
    out_timings: ?*[3]f64,
) i32 {
    const p = pool.Pool.fromHandle(thread_pool) orelse return status(.invalid_argument);
    const values = inputRows(data, count, dim) orelse return status(.invalid_argument);
    const labels = out_labels orelse return status(.invalid_argument);
    if (min_samples == 0 or min_cluster_size < 2) return status(.invalid_argument);
    if (!matrix.allFinite(values)) return status(.invalid_data);
    var timings: hdbscan.Timings = .{};
    hdbscan.cluster(allocator, p, values, count, dim, min_samples, min_cluster_size, labels[0..count], &timings) catch |err| return failed(err);
    if (out_timings) |t| t.* = .{ timings.core_ms, timings.tree_ms, timings.labels_ms };
    return status(.ok);
}
