//! UMAP's fuzzy simplicial set of a kNN graph, as umap-learn computes it: smoothed kNN distances,
//! directed memberships, fuzzy-union symmetrisation, and the pruning of edges the layout would never
//! sample.
const std = @import("std");
const assert = std.debug.assert;
const Pool = @import("pool.zig").Pool;
const chunkRange = @import("pool.zig").chunkRange;

/// Vertices' edges in compressed rows, each row sorted by column. Symmetric: w(i, j) = w(j, i).
pub const Graph = struct {
    offsets: []u32, // vertex_count + 1
    columns: []u32,
    weights: []f32,

    pub fn vertexCount(graph: *const Graph) u32 {
        return @intCast(graph.offsets.len - 1);
    }

    pub fn edgeCount(graph: *const Graph) u32 {
        return graph.offsets[graph.offsets.len - 1];
    }

    pub fn deinit(graph: *Graph, allocator: std.mem.Allocator) void {
        allocator.free(graph.offsets);
        allocator.free(graph.columns);
        allocator.free(graph.weights);
        graph.* = undefined;
    }
};

// smooth_knn_dist constants of umap-learn.
const smooth_k_tolerance = 1e-5;
const min_k_dist_scale = 1e-3;
const smooth_iterations = 64;

/// rho (distance to the nearest neighbour at a non-zero distance) and sigma (the bandwidth at which the
/// memberships of the others sum to log2(n_neighbors)) of one point. `distances` are its k nearest
/// others, ascending; n_neighbors = k + 1 because umap-learn counts the point itself.
fn smoothDistances(distances: []const f32, global_mean: f64) struct { rho: f64, sigma: f64 } {
    assert(distances.len >= 1);
    const target = std.math.log2(@as(f64, @floatFromInt(distances.len + 1)));
    var rho: f64 = 0;
    var sum: f64 = 0;
    for (distances) |d| {
        if (rho == 0 and d > 0) rho = d;
        sum += d;
    }
    var lo: f64 = 0;
    var hi: f64 = std.math.inf(f64);
    var mid: f64 = 1;
    for (0..smooth_iterations) |_| {
        var psum: f64 = 0;
        for (distances) |d| {
            const excess = @as(f64, d) - rho;
            psum += if (excess > 0) @exp(-(excess / mid)) else 1.0;
        }
        if (@abs(psum - target) < smooth_k_tolerance) break;
        if (psum > target) {
            hi = mid;
            mid = (lo + hi) / 2;
        } else {
            lo = mid;
            mid = if (hi == std.math.inf(f64)) mid * 2 else (lo + hi) / 2;
        }
    }
    // The mean runs over the point's own zero distance too, as in umap-learn.
    const mean = if (rho > 0) sum / @as(f64, @floatFromInt(distances.len + 1)) else global_mean;
    return .{ .rho = rho, .sigma = @max(mid, min_k_dist_scale * mean) };
}

const Membership = struct {
    knn_indices: []const u32,
    knn_distances: []const f32,
    k: u32,
    global_mean: f64,
    values: []f32, // directed memberships, count x k
    sorted_columns: []u32, // each row's neighbours sorted by index, with their memberships:
    sorted_values: []f32, // the lookup table for the transpose
};

fn membershipRow(m: *const Membership, row: u32) void {
    const base = @as(usize, row) * m.k;
    const distances = m.knn_distances[base..][0..m.k];
    const smooth = smoothDistances(distances, m.global_mean);
    for (distances, m.values[base..][0..m.k]) |d, *v| {
        const excess = @as(f64, d) - smooth.rho;
        v.* = if (excess <= 0 or smooth.sigma == 0) 1.0 else @floatCast(@exp(-(excess / smooth.sigma)));
    }
    const columns = m.sorted_columns[base..][0..m.k];
    const values = m.sorted_values[base..][0..m.k];
    @memcpy(columns, m.knn_indices[base..][0..m.k]);
    @memcpy(values, m.values[base..][0..m.k]);
    // Insertion sort by column: k is small (tens).
    for (1..m.k) |i| {
        const c = columns[i];
        const v = values[i];
        var j = i;
        while (j > 0 and columns[j - 1] > c) : (j -= 1) {
            columns[j] = columns[j - 1];
            values[j] = values[j - 1];
        }
        columns[j] = c;
        values[j] = v;
    }
}

fn membershipTask(m: *const Membership, chunk: u32) void {
    const count: u32 = @intCast(m.knn_indices.len / m.k);
    const range = chunkRange(count, fixed_chunks, chunk);
    var row = range.begin;
    while (row < range.end) : (row += 1) membershipRow(m, row);
}

/// Chunking that does not depend on the thread count, so results do not either.
const fixed_chunks = 64;

/// Membership of `column` in the kNN row of `row`, 0 if absent.
fn lookup(m: *const Membership, row: u32, column: u32) f32 {
    const base = @as(usize, row) * m.k;
    const columns = m.sorted_columns[base..][0..m.k];
    const i = std.sort.lowerBound(u32, columns, column, orderU32);
    return if (i < columns.len and columns[i] == column) m.sorted_values[base + i] else 0;
}

fn orderU32(a: u32, b: u32) std.math.Order {
    return std.math.order(a, b);
}

/// The fuzzy simplicial set of a kNN graph (k nearest others per point, ascending, self excluded):
/// directed memberships exp(-(d - rho) / sigma), symmetrised by fuzzy union a + b - ab.
pub fn fuzzyGraph(
    allocator: std.mem.Allocator,
    pool: *Pool,
    knn_indices: []const u32,
    knn_distances: []const f32,
    count: u32,
    k: u32,
) !Graph {
    assert(k >= 1 and k < count);
    assert(knn_indices.len == @as(usize, count) * k);
    assert(knn_distances.len == knn_indices.len);
    var sum: f64 = 0;
    for (knn_distances) |d| sum += d;
    const scratch = try allocator.alloc(u32, knn_indices.len);
    defer allocator.free(scratch);
    const floats = try allocator.alloc(f32, 2 * knn_indices.len);
    defer allocator.free(floats);
    const m = Membership{
        .knn_indices = knn_indices,
        .knn_distances = knn_distances,
        .k = k,
        .global_mean = sum / @as(f64, @floatFromInt(@as(u64, count) * (k + 1))),
        .values = floats[0..knn_indices.len],
        .sorted_columns = scratch,
        .sorted_values = floats[knn_indices.len..],
    };
    pool.parallelFor(fixed_chunks, &m, membershipTask);
    return symmetrize(allocator, &m, count);
}

/// Whether a kNN graph (count x k) is what fuzzyGraph needs: each row lists k distinct other points
/// (< count; a repeat would emit its edge twice) at non-negative distances in ascending order
/// (smoothDistances takes the first non-zero one as the nearest). `seen` (count entries) is scratch.
pub fn validNeighbours(knn_indices: []const u32, knn_distances: []const f32, count: u32, k: u32, seen: []u32) bool {
    assert(k >= 1 and k < count);
    assert(knn_indices.len == @as(usize, count) * k and knn_distances.len == knn_indices.len);
    assert(seen.len == count);
    @memset(seen, std.math.maxInt(u32)); // the last row that listed each point; no row is maxInt
    for (0..count) |i| {
        const row: u32 = @intCast(i);
        var previous: f32 = 0;
        for (knn_indices[i * k ..][0..k], knn_distances[i * k ..][0..k]) |j, d| {
            if (j >= count or j == row or seen[j] == row) return false;
            seen[j] = row;
            if (!(d >= previous)) return false;
            previous = d;
        }
    }
    return true;
}

/// Fuzzy union of the directed memberships. Edge (i, j) is emitted from row i; when j does not list i,
/// row i also emits (j, i), so each undirected edge appears once per direction.
fn symmetrize(allocator: std.mem.Allocator, m: *const Membership, count: u32) !Graph {
    const offsets = try allocator.alloc(u32, count + 1);
    errdefer allocator.free(offsets);
    @memset(offsets, 0);
    for (0..count) |i| {
        for (0..m.k) |r| {
            const j = m.knn_indices[i * m.k + r];
            const a = m.values[i * m.k + r];
            const b = lookup(m, j, @intCast(i));
            if (a + b - a * b == 0) continue;
            offsets[i + 1] += 1;
            if (b == 0) offsets[j + 1] += 1;
        }
    }
    for (1..count + 1) |i| offsets[i] += offsets[i - 1];
    const edge_count = offsets[count];
    const columns = try allocator.alloc(u32, edge_count);
    errdefer allocator.free(columns);
    const weights = try allocator.alloc(f32, edge_count);
    errdefer allocator.free(weights);
    const fill = try allocator.alloc(u32, count);
    defer allocator.free(fill);
    @memcpy(fill, offsets[0..count]);
    for (0..count) |i| {
        for (0..m.k) |r| {
            const j = m.knn_indices[i * m.k + r];
            const a = m.values[i * m.k + r];
            const b = lookup(m, j, @intCast(i));
            const w = a + b - a * b;
            if (w == 0) continue;
            columns[fill[i]] = j;
            weights[fill[i]] = w;
            fill[i] += 1;
            if (b == 0) {
                columns[fill[j]] = @intCast(i);
                weights[fill[j]] = w;
                fill[j] += 1;
            }
        }
    }
    for (0..count) |i| {
        assert(fill[i] == offsets[i + 1]);
        sortRow(columns[offsets[i]..offsets[i + 1]], weights[offsets[i]..offsets[i + 1]]);
    }
    return .{ .offsets = offsets, .columns = columns, .weights = weights };
}

fn sortRow(columns: []u32, weights: []f32) void {
    const Context = struct {
        columns: []u32,
        weights: []f32,
        pub fn lessThan(c: @This(), a: usize, b: usize) bool {
            return c.columns[a] < c.columns[b];
        }
        pub fn swap(c: @This(), a: usize, b: usize) void {
            std.mem.swap(u32, &c.columns[a], &c.columns[b]);
            std.mem.swap(f32, &c.weights[a], &c.weights[b]);
        }
    };
    std.sort.pdqContext(0, columns.len, Context{ .columns = columns, .weights = weights });
}

/// Drops the edges lighter than max_weight / epoch_count (they would never be sampled), in place.
pub fn pruneGraph(allocator: std.mem.Allocator, graph: *Graph, epoch_count: u32) !void {
    var max_weight: f32 = 0;
    for (graph.weights) |w| max_weight = @max(max_weight, w);
    const threshold = max_weight / @as(f32, @floatFromInt(epoch_count));
    var write: u32 = 0;
    var row_begin: u32 = 0;
    for (0..graph.vertexCount()) |i| {
        const row_end = graph.offsets[i + 1];
        for (row_begin..row_end) |e| {
            if (graph.weights[e] < threshold) continue;
            graph.columns[write] = graph.columns[e];
            graph.weights[write] = graph.weights[e];
            write += 1;
        }
        row_begin = row_end;
        graph.offsets[i + 1] = write;
    }
    graph.columns = try allocator.realloc(graph.columns, write);
    graph.weights = try allocator.realloc(graph.weights, write);
}

test "smoothDistances: memberships of the others sum to log2(k + 1)" {
    const distances = [_]f32{ 0, 0.1, 0.15, 0.2, 0.3, 0.31, 0.5 };
    const s = smoothDistances(&distances, 0.2);
    try std.testing.expectEqual(@as(f64, @as(f32, 0.1)), s.rho);
    var psum: f64 = 0;
    for (distances) |d| psum += if (d - s.rho > 0) @exp(-(d - s.rho) / s.sigma) else 1;
    try std.testing.expectApproxEqAbs(std.math.log2(8.0), psum, 1e-4);
}

test "validNeighbours refuses repeated, unsorted, negative and out-of-range neighbours" {
    var seen: [3]u32 = undefined;
    const near = [_]f32{ 0.1, 0.2, 0.1, 0.3, 0.2, 0.3 };
    try std.testing.expect(validNeighbours(&.{ 1, 2, 0, 2, 0, 1 }, &near, 3, 2, &seen));
    try std.testing.expect(!validNeighbours(&.{ 1, 1, 0, 2, 0, 1 }, &near, 3, 2, &seen)); // repeated
    try std.testing.expect(!validNeighbours(&.{ 1, 2, 0, 3, 0, 1 }, &near, 3, 2, &seen)); // out of range
    try std.testing.expect(!validNeighbours(&.{ 1, 2, 1, 2, 0, 1 }, &near, 3, 2, &seen)); // itself
    try std.testing.expect(!validNeighbours(&.{ 1, 2, 0, 2, 0, 1 }, &.{ 0.2, 0.1, 0.1, 0.3, 0.2, 0.3 }, 3, 2, &seen));
    try std.testing.expect(!validNeighbours(&.{ 1, 2, 0, 2, 0, 1 }, &.{ -0.1, 0.1, 0.1, 0.3, 0.2, 0.3 }, 3, 2, &seen));
}

test "fuzzyGraph is symmetric with the fuzzy union of both directions" {
    const allocator = std.testing.allocator;
    const pool = try Pool.create(allocator, 2);
    defer pool.destroy();
    // Points on a line at 0, 1, 3, 4, 10: 2 nearest others each.
    const indices = [_]u32{ 1, 2, 0, 2, 3, 1, 2, 1, 3, 2 };
    const distances = [_]f32{ 1, 3, 1, 2, 1, 2, 1, 3, 6, 7 };
    var graph = try fuzzyGraph(allocator, pool, &indices, &distances, 5, 2);
    defer graph.deinit(allocator);
    for (0..5) |i| {
        for (graph.offsets[i]..graph.offsets[i + 1]) |e| {
            const j = graph.columns[e];
            var found = false;
            for (graph.offsets[j]..graph.offsets[j + 1]) |f| {
                if (graph.columns[f] == i) {
                    found = true;
                    try std.testing.expectEqual(graph.weights[e], graph.weights[f]);
                }
            }
            try std.testing.expect(found);
        }
    }
    // Point 4's nearest is 3 at rho: membership 1, so the union weight of (3, 4) is 1.
    for (graph.offsets[4]..graph.offsets[5]) |e| {
        if (graph.columns[e] == 3) try std.testing.expectEqual(@as(f32, 1), graph.weights[e]);
    }
}
