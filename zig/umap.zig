//! UMAP (McInnes, Healy & Melville 2018) as umap-learn computes it, for clustering speaker embeddings:
//! exact kNN (knn.zig), smoothed kNN distances, the fuzzy simplicial set with fuzzy-union
//! symmetrisation, the a/b curve fitted by least squares, spectral initialisation (umap-init.zig) and
//! the stochastic layout with negative sampling.
//!
//! The layout is arranged so it runs on all cores and gives the same result for any thread count.
//! umap-learn walks the edges in order, and each edge moves both of its ends, so a vertex moves both when
//! its own edges come up and when its neighbours' do. Here each epoch reads the other vertices from a
//! snapshot of the previous epoch and moves only the vertex being processed (vertex-centric, double
//! buffered). Each due edge (v, u) then gives v two moves: the attraction of v's live position toward u,
//! as umap-learn's head update, and the move umap-learn makes of v as the "other" end of (u, v). The
//! second is evaluated between both ends' epoch-start positions and applied when v is done, so each
//! vertex only writes its own row. Moving v twice toward u at once instead merged neighbouring clusters
//! on borderline data where umap-learn (and this scheme) kept them apart. Negative samples come from a
//! random stream seeded by (seed, epoch, vertex).
const std = @import("std");
const assert = std.debug.assert;
const Pool = @import("pool.zig").Pool;
const simd = @import("simd.zig");
const chunkRange = @import("pool.zig").chunkRange;
const knn = @import("knn.zig");
const init = @import("umap-init.zig");

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
pub fn smoothDistances(distances: []const f32, global_mean: f64) struct { rho: f64, sigma: f64 } {
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

// ---------------------------------------------------------------------------------------------
// The low-dimensional similarity curve 1 / (1 + a d^(2b))

pub const Curve = struct { a: f64, b: f64 };

/// Least-squares fit (Levenberg-Marquardt, from a = b = 1 as scipy's curve_fit starts) of
/// 1 / (1 + a x^(2b)) to 1 for x < min_dist and exp(-(x - min_dist) / spread) beyond, on 300 points
/// of [0, 3 spread], as umap-learn's find_ab_params.
pub fn fitCurve(spread: f64, min_dist: f64) Curve {
    assert(spread > 0);
    assert(min_dist >= 0);
    const point_count = 300;
    var xs: [point_count]f64 = undefined;
    var ys: [point_count]f64 = undefined;
    for (&xs, &ys, 0..) |*x, *y, i| {
        x.* = 3 * spread * @as(f64, @floatFromInt(i)) / (point_count - 1);
        y.* = if (x.* < min_dist) 1 else @exp(-(x.* - min_dist) / spread);
    }
    var p = [2]f64{ 1, 1 };
    var lambda: f64 = 1e-3;
    var cost = curveCost(&xs, &ys, p);
    for (0..200) |_| {
        // Normal equations J^T J dp = -J^T r with r = f - y.
        var jtj = [3]f64{ 0, 0, 0 }; // aa, ab, bb
        var jtr = [2]f64{ 0, 0 };
        for (xs, ys) |x, y| {
            if (x == 0) continue; // f = 1 and both derivatives vanish
            const u = std.math.pow(f64, x, 2 * p[1]);
            const q = 1 + p[0] * u;
            const r = 1 / q - y;
            const da = -u / (q * q);
            const db = -p[0] * u * 2 * @log(x) / (q * q);
            jtj[0] += da * da;
            jtj[1] += da * db;
            jtj[2] += db * db;
            jtr[0] += da * r;
            jtr[1] += db * r;
        }
        const m00 = jtj[0] * (1 + lambda);
        const m11 = jtj[2] * (1 + lambda);
        const det = m00 * m11 - jtj[1] * jtj[1];
        const step = [2]f64{ -(m11 * jtr[0] - jtj[1] * jtr[1]) / det, -(m00 * jtr[1] - jtj[1] * jtr[0]) / det };
        const trial = [2]f64{ p[0] + step[0], p[1] + step[1] };
        const trial_cost = curveCost(&xs, &ys, trial);
        if (trial_cost < cost) {
            const converged = cost - trial_cost <= 1e-15 * cost;
            p = trial;
            cost = trial_cost;
            lambda = @max(lambda / 10, 1e-12);
            if (converged) break;
        } else {
            lambda *= 10;
            if (lambda > 1e12) break;
        }
    }
    return .{ .a = p[0], .b = p[1] };
}

fn curveCost(xs: []const f64, ys: []const f64, p: [2]f64) f64 {
    var cost: f64 = 0;
    for (xs, ys) |x, y| {
        const f = if (x == 0) 1 else 1 / (1 + p[0] * std.math.pow(f64, x, 2 * p[1]));
        cost += (f - y) * (f - y);
    }
    return cost;
}

// ---------------------------------------------------------------------------------------------
// Fast powers for the layout's gradient coefficients (relative error ~3e-6, far below SGD noise),
// written once for f32 and for vectors of f32.

fn Bits(comptime T: type) type {
    return switch (@typeInfo(T)) {
        .vector => |v| @Vector(v.len, u32),
        else => u32,
    };
}

fn Shifts(comptime T: type) type {
    return switch (@typeInfo(T)) {
        .vector => |v| @Vector(v.len, u5),
        else => u5,
    };
}

fn Ints(comptime T: type) type {
    return switch (@typeInfo(T)) {
        .vector => |v| @Vector(v.len, i32),
        else => i32,
    };
}

fn choose(comptime T: type, condition: anytype, a: T, b: T) T {
    return switch (@typeInfo(T)) {
        .vector => @select(@typeInfo(T).vector.child, condition, a, b),
        else => if (condition) a else b,
    };
}

fn splat(comptime T: type, x: anytype) T {
    return switch (@typeInfo(T)) {
        .vector => @splat(x),
        else => x,
    };
}

/// log2(x) for x > 0: exponent plus a series for the mantissa reduced to [sqrt(1/2), sqrt(2)).
fn log2Fast(comptime T: type, x_in: T) T {
    const U = Bits(T);
    const I = Ints(T);
    const x = @max(x_in, splat(T, std.math.floatMin(f32)));
    const bits: U = @bitCast(x);
    var mantissa: T = @bitCast((bits & splat(U, 0x007F_FFFF)) | splat(U, 0x3F80_0000));
    const big = mantissa > splat(T, std.math.sqrt2);
    mantissa = choose(T, big, mantissa * splat(T, 0.5), mantissa);
    const exponent_int: I = @as(I, @bitCast(bits >> splat(Shifts(T), 23))) - splat(I, 127) + choose(I, big, splat(I, 1), splat(I, 0));
    // ln(m) = 2 atanh(s), s = (m - 1) / (m + 1), |s| < 0.172
    const s = (mantissa - splat(T, 1)) / (mantissa + splat(T, 1));
    const s2 = s * s;
    const series = splat(T, 1) + s2 * (splat(T, 1.0 / 3.0) + s2 * (splat(T, 1.0 / 5.0) + s2 * splat(T, 1.0 / 7.0)));
    return @as(T, @floatFromInt(exponent_int)) + s * series * splat(T, 2 * std.math.log2e);
}

/// 2^y: 2^round(y) from the exponent bits times a Taylor series of e^(f ln 2), |f| <= 1/2.
fn exp2Fast(comptime T: type, y_in: T) T {
    const U = Bits(T);
    const I = Ints(T);
    const y = std.math.clamp(y_in, splat(T, -126), splat(T, 126));
    const n = @round(y);
    const t = (y - n) * splat(T, std.math.ln2);
    const p = splat(T, 1) + t * (splat(T, 1) + t * (splat(T, 1.0 / 2.0) + t * (splat(T, 1.0 / 6.0) +
        t * (splat(T, 1.0 / 24.0) + t * (splat(T, 1.0 / 120.0) + t * splat(T, 1.0 / 720.0))))));
    const n_int: I = @intFromFloat(n);
    const scale: T = @bitCast(@as(U, @bitCast(n_int + splat(I, 127))) << splat(Shifts(T), 23));
    return p * scale;
}

fn powFast(comptime T: type, x: T, b: f32) T {
    return exp2Fast(T, splat(T, b) * log2Fast(T, x));
}

// ---------------------------------------------------------------------------------------------
// Layout

/// Fixed width: a row's squared distance is summed across these lanes (sumEach), so the width decides
/// the rounding; 8 fills an AVX register and two SSE ones, and the layout is the same on every CPU.
const lanes = 8;
const Vec = @Vector(lanes, f32);
/// Embedding rows are padded to this multiple with zeros that stay zero (their gradients are 0).
pub const row_align = lanes;
pub const components_max = 256;
/// Most SGD epochs a caller may ask for (src/cluster/umap-hdbscan.ts checks the same bound).
pub const epochs_max: u32 = 100_000;
const vecs_max = components_max / lanes;

pub const LayoutOptions = struct {
    a: f32,
    b: f32,
    epoch_count: u32,
    seed: u64,
    gamma: f32 = 1,
    initial_alpha: f32 = 1,
    negative_sample_rate: u32 = 5,
};

const Layout = struct {
    graph: *const Graph,
    options: LayoutOptions,
    stride: u32,
    vec_count: u32,
    epochs_per_sample: []const f64,
    next_sample: []f64,
    next_negative: []f64,
    epoch: u32 = 0,
    alpha: f32 = 0,
    previous: []const f32 = &.{},
    next: []f32 = &.{},
};

fn splitmix(state: *u64) u64 {
    state.* +%= 0x9E37_79B9_7F4A_7C15;
    var z = state.*;
    z = (z ^ (z >> 30)) *% 0xBF58_476D_1CE4_E5B9;
    z = (z ^ (z >> 27)) *% 0x94D0_49BB_1331_11EB;
    return z ^ (z >> 31);
}

/// The layout's per-vertex work for rows of `vec_count` vectors, known at compile time so the moving
/// point stays in registers.
fn VertexLayout(comptime vec_count: u32) type {
    return struct {
        const Row = [vec_count]Vec;

        /// The vertex being moved: its live position, its position at the start of the epoch, and
        /// the moves it makes as the "other" end of its edges, applied when the vertex is done.
        const Moving = struct {
            current: Row,
            start: Row,
            deferred: Row,
        };

        fn load(row: []const f32) Row {
            var out: Row = undefined;
            inline for (0..vec_count) |v| out[v] = row[v * lanes ..][0..lanes].*;
            return out;
        }

        /// Lane-wise partial sums of (from - other)^2; sumEach finishes them.
        fn squaredDifferences(from: *const Row, other: []const f32) Vec {
            var acc: Vec = @splat(0);
            inline for (0..vec_count) |v| {
                const d = from[v] - @as(Vec, other[v * lanes ..][0..lanes].*);
                acc = simd.mulAdd(Vec, d, d, acc);
            }
            return acc;
        }

        /// sum += alpha * clip(coefficient * (from - other)), clipped to [-4, 4] per coordinate.
        fn accumulateMove(sum: *Row, from: *const Row, other: []const f32, coefficient: f32, alpha: f32) void {
            const c: Vec = @splat(coefficient);
            const a: Vec = @splat(alpha);
            const lo: Vec = @splat(-4);
            const hi: Vec = @splat(4);
            inline for (0..vec_count) |v| {
                const g = std.math.clamp(c * (from[v] - @as(Vec, other[v * lanes ..][0..lanes].*)), lo, hi);
                sum[v] = simd.mulAdd(Vec, g, a, sum[v]);
            }
        }

        /// One batch of gradient terms, all evaluated at the same position of the vertex. With
        /// `attract`, lane 0 is the edge's attraction (moves the live position) and lane 1 the same
        /// edge seen from the neighbour's side (umap-learn's move of the "other" end, evaluated
        /// between both ends' epoch-start positions and deferred); the other lanes are negative
        /// samples. umap-learn applies these one after another; evaluating them together turns a
        /// long chain of dependent steps into independent work.
        fn step(l: *const Layout, m: *Moving, rows: *const [batch_size][]const f32, usable: [batch_size]bool, used: u32, attract: bool) void {
            const o = l.options;
            const mirror_lane: u32 = if (attract) 1 else batch_size;
            var sums: [batch_size]Vec = @splat(@splat(0));
            for (0..used) |p| sums[p] = squaredDifferences(if (p == mirror_lane) &m.start else &m.current, rows[p]);
            const raw = sumEach(sums);
            const lane = std.simd.iota(u32, batch_size);
            const usable_vec: @Vector(batch_size, bool) = usable;
            const live = usable_vec & (lane < @as(@Vector(batch_size, u32), @splat(used))) & (raw > @as(Batch, @splat(0)));
            const d2 = @select(f32, live, raw, @as(Batch, @splat(1)));
            const pb = powFast(Batch, d2, o.b);
            const attraction = (lane < @as(@Vector(batch_size, u32), @splat(2))) & @as(@Vector(batch_size, bool), @splat(attract));
            const numerator = @select(f32, attraction, @as(Batch, @splat(-2 * o.a * o.b)) * pb / d2, @as(Batch, @splat(2 * o.gamma * o.b)) / (@as(Batch, @splat(0.001)) + d2));
            const coefficients: [batch_size]f32 = @select(f32, live, numerator / (@as(Batch, @splat(o.a)) * pb + @as(Batch, @splat(1))), @as(Batch, @splat(0)));
            const live_array: [batch_size]bool = live;
            var delta: Row = @splat(@splat(0));
            for (0..used) |p| {
                if (!live_array[p]) continue;
                if (p == mirror_lane) {
                    accumulateMove(&m.deferred, &m.start, rows[p], coefficients[p], l.alpha);
                } else {
                    accumulateMove(&delta, &m.current, rows[p], coefficients[p], l.alpha);
                }
            }
            inline for (0..vec_count) |v| m.current[v] += delta[v];
        }

        fn run(l: *const Layout, vertex: u32) void {
            const o = l.options;
            const n: f64 = @floatFromInt(l.epoch);
            const count = l.graph.vertexCount();
            const start = load(l.previous[@as(usize, vertex) * l.stride ..][0..l.stride]);
            var m = Moving{ .current = start, .start = start, .deferred = @splat(@splat(0)) };
            var rng: u64 = o.seed ^ (@as(u64, l.epoch) << 32) ^ vertex;
            _ = splitmix(&rng);
            const negative_rate: f64 = @floatFromInt(o.negative_sample_rate);
            var rows: [batch_size][]const f32 = undefined;
            var usable: [batch_size]bool = undefined;
            // Edges due this epoch, found 8 at a time by a vector compare (the branch per edge would
            // be unpredictable).
            const begin = l.graph.offsets[vertex];
            const end = l.graph.offsets[vertex + 1];
            var group = begin;
            while (group < end) : (group += 8) {
                var due: u8 = 0;
                if (group + 8 <= end) {
                    const next: @Vector(8, f64) = l.next_sample[group..][0..8].*;
                    due = @bitCast(next <= @as(@Vector(8, f64), @splat(n)));
                } else {
                    for (group..end) |e| {
                        if (l.next_sample[e] <= n) due |= @as(u8, 1) << @intCast(e - group);
                    }
                }
                while (due != 0) : (due &= due - 1) {
                    const e = group + @ctz(due);
                    l.next_sample[e] += l.epochs_per_sample[e];
                    const epochs_per_negative = l.epochs_per_sample[e] / negative_rate;
                    const negative_count_f = @trunc((n - l.next_negative[e]) / epochs_per_negative);
                    const negative_count: u32 = if (negative_count_f > 0) @intFromFloat(negative_count_f) else 0;
                    l.next_negative[e] += @as(f64, @floatFromInt(negative_count)) * epochs_per_negative;
                    const neighbour = l.previous[@as(usize, l.graph.columns[e]) * l.stride ..][0..l.stride];
                    rows[0] = neighbour;
                    rows[1] = neighbour;
                    usable[0] = true;
                    usable[1] = true;
                    var used: u32 = 2;
                    var attract = true;
                    for (0..negative_count) |_| {
                        if (used == batch_size) {
                            step(l, &m, &rows, usable, used, attract);
                            used = 0;
                            attract = false;
                        }
                        const sample: u32 = @intCast((@as(u64, @as(u32, @truncate(splitmix(&rng)))) * count) >> 32);
                        rows[used] = l.previous[@as(usize, sample) * l.stride ..][0..l.stride];
                        usable[used] = sample != vertex;
                        used += 1;
                    }
                    step(l, &m, &rows, usable, used, attract);
                }
            }
            const out = l.next[@as(usize, vertex) * l.stride ..][0..l.stride];
            inline for (0..vec_count) |v| out[v * lanes ..][0..lanes].* = m.current[v] + m.deferred[v];
        }
    };
}

/// The horizontal sums of `batch_size` vectors at once: pairs of vectors are folded into one by adding
/// neighbouring lanes, so 8 vectors take 7 folds plus a last one instead of 8 separate reductions.
fn sumEach(vectors: [batch_size]Vec) Batch {
    comptime assert(batch_size == 8 and lanes % batch_size == 0);
    var level: [batch_size]Vec = vectors;
    var width: usize = batch_size;
    inline for (0..3) |_| {
        width /= 2;
        for (0..width) |i| level[i] = foldPair(level[2 * i], level[2 * i + 1]);
    }
    // Each of the 8 sums now spans lanes / 8 neighbouring lanes.
    return halveTo(lanes, level[0]);
}

fn halveTo(comptime len: usize, v: @Vector(len, f32)) Batch {
    if (len == batch_size) return v;
    const even = comptime evenOdd(len / 2, 0);
    const odd = comptime evenOdd(len / 2, 1);
    return halveTo(len / 2, @shuffle(f32, v, undefined, even) + @shuffle(f32, v, undefined, odd));
}

fn evenOdd(comptime half: usize, comptime offset: usize) [half]i32 {
    var mask: [half]i32 = undefined;
    for (&mask, 0..) |*m, i| m.* = @intCast(2 * i + offset);
    return mask;
}

/// [x0 + x1, x2 + x3, ..., y0 + y1, y2 + y3, ...]
fn foldPair(x: Vec, y: Vec) Vec {
    const even = comptime blk: {
        var mask: [lanes]i32 = undefined;
        for (0..lanes / 2) |i| {
            mask[i] = 2 * i;
            mask[lanes / 2 + i] = ~@as(i32, 2 * i);
        }
        break :blk mask;
    };
    const odd = comptime blk: {
        var mask: [lanes]i32 = undefined;
        for (0..lanes / 2) |i| {
            mask[i] = 2 * i + 1;
            mask[lanes / 2 + i] = ~@as(i32, 2 * i + 1);
        }
        break :blk mask;
    };
    return @shuffle(f32, x, y, even) + @shuffle(f32, x, y, odd);
}

/// Gradient terms (an edge's two moves and its negative samples) evaluated together.
const batch_size = 8;
const Batch = @Vector(batch_size, f32);

fn layoutTask(l: *const Layout, chunk: u32) void {
    const range = chunkRange(l.graph.vertexCount(), layout_chunks, chunk);
    switch (l.vec_count) {
        inline 1...vecs_max => |vec_count| {
            var vertex = range.begin;
            while (vertex < range.end) : (vertex += 1) VertexLayout(vec_count).run(l, vertex);
        },
        else => unreachable,
    }
}

/// Vertex chunks per epoch: enough for the atomic task counter to balance uneven rows.
const layout_chunks = 256;

/// Runs the SGD layout on `embedding` (vertex_count rows of `stride` floats, the padding zero).
pub fn optimizeLayout(
    allocator: std.mem.Allocator,
    pool: *Pool,
    graph: *const Graph,
    embedding: []f32,
    stride: u32,
    options: LayoutOptions,
) !void {
    const count = graph.vertexCount();
    assert(stride % lanes == 0 and stride <= components_max);
    assert(embedding.len == @as(usize, count) * stride);
    assert(options.epoch_count >= 1);
    const edge_count = graph.edgeCount();
    const schedule = try allocator.alloc(f64, 3 * @as(usize, edge_count));
    defer allocator.free(schedule);
    const epochs_per_sample = schedule[0..edge_count];
    const next_sample = schedule[edge_count..][0..edge_count];
    const next_negative = schedule[2 * @as(usize, edge_count) ..][0..edge_count];
    var max_weight: f32 = 0;
    for (graph.weights) |w| max_weight = @max(max_weight, w);
    for (graph.weights, epochs_per_sample, next_sample, next_negative) |w, *per, *next, *negative| {
        assert(w > 0);
        per.* = @as(f64, max_weight) / w;
        next.* = per.*;
        negative.* = per.* / @as(f64, @floatFromInt(options.negative_sample_rate));
    }
    const spare = try allocator.alloc(f32, embedding.len);
    defer allocator.free(spare);
    @memset(spare, 0);
    var l = Layout{
        .graph = graph,
        .options = options,
        .stride = stride,
        .vec_count = stride / lanes,
        .epochs_per_sample = epochs_per_sample,
        .next_sample = next_sample,
        .next_negative = next_negative,
    };
    const buffers = [2][]f32{ embedding, spare };
    for (0..options.epoch_count) |epoch| {
        l.epoch = @intCast(epoch);
        const progress = @as(f32, @floatFromInt(epoch)) / @as(f32, @floatFromInt(options.epoch_count));
        l.alpha = options.initial_alpha * (1 - progress);
        l.previous = buffers[epoch % 2];
        l.next = buffers[(epoch + 1) % 2];
        pool.parallelFor(layout_chunks, &l, layoutTask);
    }
    if (options.epoch_count % 2 == 1) @memcpy(embedding, spare);
}

// ---------------------------------------------------------------------------------------------
// Whole embedding

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

pub fn defaultEpochs(count: u32) u32 {
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
    timings.knn_ms = lap(&timer);

    var graph = try fuzzyGraph(allocator, pool, knn_indices, knn_distances, count, k);
    defer graph.deinit(allocator);
    const epoch_count = if (options.epoch_count == 0) defaultEpochs(count) else options.epoch_count;
    // As umap-learn: a short run still drops the edges a default-length run would never sample.
    try pruneGraph(allocator, &graph, if (epoch_count > 10) epoch_count else defaultEpochs(count));
    timings.graph_ms = lap(&timer);

    const stride = std.mem.alignForward(u32, options.component_count, row_align);
    const embedding = try allocator.alloc(f32, @as(usize, count) * stride);
    defer allocator.free(embedding);
    @memset(embedding, 0);
    try init.initialize(allocator, pool, &graph, options.init, options.seed, embedding, stride, options.component_count);
    timings.init_ms = lap(&timer);

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
    timings.layout_ms = lap(&timer);
}

fn lap(timer: *std.time.Timer) f64 {
    return @as(f64, @floatFromInt(timer.lap())) / 1e6;
}

// ---------------------------------------------------------------------------------------------
// Tests

test "fitCurve matches umap-learn's find_ab_params" {
    // scipy curve_fit values printed by umap.umap_.find_ab_params (umap-learn 0.5.12).
    const zero = fitCurve(1, 0);
    try std.testing.expectApproxEqRel(@as(f64, 1.93280839734315), zero.a, 1e-5);
    try std.testing.expectApproxEqRel(@as(f64, 0.7904949732233831), zero.b, 1e-5);
    const tenth = fitCurve(1, 0.1);
    try std.testing.expectApproxEqRel(@as(f64, 1.5769434602697652), tenth.a, 1e-5);
    try std.testing.expectApproxEqRel(@as(f64, 0.8950608778515733), tenth.b, 1e-5);
}

test "powFast agrees with std.math.pow over the range the layout sees" {
    var x: f32 = 1e-6;
    while (x < 1e4) : (x *= 1.37) {
        for ([_]f32{ 0.7905, -0.2095, 0.895 }) |b| {
            const want = std.math.pow(f64, x, b);
            try std.testing.expectApproxEqRel(want, @as(f64, powFast(f32, x, b)), 2e-6);
        }
    }
}

test "sumEach adds up each of its vectors" {
    var vectors: [batch_size]Vec = undefined;
    var want: [batch_size]f32 = undefined;
    for (&vectors, &want, 0..) |*v, *w, r| {
        var lanes_array: [lanes]f32 = undefined;
        w.* = 0;
        for (&lanes_array, 0..) |*x, i| {
            x.* = @floatFromInt(r * 100 + i * i);
            w.* += x.*;
        }
        v.* = lanes_array;
    }
    const got: [batch_size]f32 = sumEach(vectors);
    try std.testing.expectEqualSlices(f32, &want, &got);
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
