//! Exact k-nearest neighbours by blocked brute force, for UMAP (cosine on speaker embeddings) and
//! HDBSCAN's core distances (euclidean in the UMAP space). Points are packed into column panels of
//! `panel_width` points stored dimension-major, so a tile of `tile_rows` rows x one panel is a small
//! matrix product kept entirely in vector registers (no horizontal sums). Each row keeps its k best
//! candidates in a max-heap that lives in the output arrays. A row sees the candidates in index order
//! and ranks them by (distance, index), so the result is the k smallest by that key: independent of
//! the tiling and the thread count.
const std = @import("std");
const builtin = @import("builtin");
const assert = std.debug.assert;
const Pool = @import("pool.zig").Pool;
const simd = @import("simd.zig");

pub const Metric = enum(u32) { cosine = 0, euclidean = 1 };

/// 16 lanes fill an AVX-512 register; elsewhere 8 (AVX2), so 12 accumulators still fit 16 registers.
/// The width changes speed, not bits: each lane is one column, summed over the dimensions in order.
const lanes = if (builtin.cpu.arch == .x86_64 and std.Target.x86.featureSetHas(builtin.cpu.features, .avx512f)) 16 else 8;
const Vec = @Vector(lanes, f32);
pub const panel_width = 2 * lanes;
pub const tile_rows = 6;
/// Rows per parallel task: a panel stays in L1 while this many rows pass over it.
const block_rows = 8 * tile_rows;

/// A row's candidates as (distance, index) pairs stored in separate arrays. `worst` is a max-heap on
/// (distance, index): the root is the candidate that the next better one replaces.
pub const Heap = struct {
    distances: []f32,
    indices: []u32,

    fn before(da: f32, ia: u32, db: f32, ib: u32) bool {
        return da < db or (da == db and ia < ib);
    }

    /// Fills the heap with sentinels that every real candidate beats.
    pub fn reset(heap: Heap) void {
        assert(heap.distances.len == heap.indices.len);
        @memset(heap.distances, std.math.inf(f32));
        @memset(heap.indices, std.math.maxInt(u32));
    }

    pub fn worst(heap: Heap) f32 {
        return heap.distances[0];
    }

    /// Replaces the worst candidate by (d, index) if that pair ranks before it.
    pub fn push(heap: Heap, d: f32, index: u32) void {
        const n = heap.distances.len;
        if (!before(d, index, heap.distances[0], heap.indices[0])) return;
        var i: usize = 0;
        while (true) {
            const left = 2 * i + 1;
            if (left >= n) break;
            var child = left;
            const right = left + 1;
            if (right < n and before(heap.distances[left], heap.indices[left], heap.distances[right], heap.indices[right])) {
                child = right;
            }
            if (!before(d, index, heap.distances[child], heap.indices[child])) break;
            heap.distances[i] = heap.distances[child];
            heap.indices[i] = heap.indices[child];
            i = child;
        }
        heap.distances[i] = d;
        heap.indices[i] = index;
    }

    /// Turns the heap into an array sorted by (distance, index), ascending.
    pub fn sortAscending(heap: Heap) void {
        var end = heap.distances.len;
        while (end > 1) {
            end -= 1;
            const d = heap.distances[end];
            const index = heap.indices[end];
            heap.distances[end] = heap.distances[0];
            heap.indices[end] = heap.indices[0];
            // Sift the former last element down from the root within [0, end).
            const sub = Heap{ .distances = heap.distances[0..end], .indices = heap.indices[0..end] };
            sub.distances[0] = std.math.inf(f32);
            sub.indices[0] = std.math.maxInt(u32);
            sub.push(d, index);
        }
    }
};

/// Points laid out for the tile kernel: rows (for broadcasting) and dimension-major panels.
const Packed = struct {
    rows: []f32, // row_count_padded x dim, row-major; padding rows are zero
    panels: []f32, // panel_count x dim x panel_width; padding columns are zero
    row_count_padded: u32,
    panel_count: u32,
};

fn pack(allocator: std.mem.Allocator, data: []const f32, count: u32, dim: u32, metric: Metric) !Packed {
    const row_count_padded = (std.math.divCeil(u32, count, tile_rows) catch unreachable) * tile_rows;
    const panel_count = std.math.divCeil(u32, count, panel_width) catch unreachable;
    const rows = try allocator.alloc(f32, @as(usize, row_count_padded) * dim);
    errdefer allocator.free(rows);
    const panels = try allocator.alloc(f32, @as(usize, panel_count) * dim * panel_width);
    @memset(rows, 0);
    @memset(panels, 0);
    for (0..count) |i| {
        const src = data[i * dim ..][0..dim];
        const dst = rows[i * dim ..][0..dim];
        @memcpy(dst, src);
        if (metric == .cosine) {
            var norm_sq: f64 = 0;
            for (dst) |x| norm_sq += @as(f64, x) * x;
            // A zero vector stays zero: cosine distance 1 to everything, as 1 - 0.
            if (norm_sq > 0) {
                const inv: f32 = @floatCast(1.0 / @sqrt(norm_sq));
                for (dst) |*x| x.* *= inv;
            }
        }
        const panel = panels[(i / panel_width) * dim * panel_width ..][0 .. dim * panel_width];
        for (dst, 0..) |x, k| panel[k * panel_width + i % panel_width] = x;
    }
    return .{ .rows = rows, .panels = panels, .row_count_padded = row_count_padded, .panel_count = panel_count };
}

/// out[r][c] = dot(row r, column c) for cosine, squared distance for euclidean, for `tile_rows`
/// rows starting at `a` (row-major, `dim` apart) and one panel.
fn tile(comptime metric: Metric, a: []const f32, panel: []const f32, dim: u32, out: *[tile_rows][2]Vec) void {
    assert(a.len >= tile_rows * dim);
    assert(panel.len == dim * panel_width);
    var acc: [tile_rows][2]Vec = @splat(.{ @splat(0), @splat(0) });
    for (0..dim) |k| {
        const b0: Vec = panel[k * panel_width ..][0..lanes].*;
        const b1: Vec = panel[k * panel_width + lanes ..][0..lanes].*;
        inline for (0..tile_rows) |r| {
            const x: Vec = @splat(a[r * dim + k]);
            switch (metric) {
                .cosine => {
                    acc[r][0] = simd.mulAdd(Vec, x, b0, acc[r][0]);
                    acc[r][1] = simd.mulAdd(Vec, x, b1, acc[r][1]);
                },
                .euclidean => {
                    const d0 = x - b0;
                    const d1 = x - b1;
                    acc[r][0] = simd.mulAdd(Vec, d0, d0, acc[r][0]);
                    acc[r][1] = simd.mulAdd(Vec, d1, d1, acc[r][1]);
                },
            }
        }
    }
    out.* = acc;
}

const Search = struct {
    packed_points: *const Packed,
    count: u32,
    dim: u32,
    k: u32,
    out_indices: []u32,
    out_distances: []f32,
};

fn searchBlock(comptime metric: Metric, s: *const Search, block: u32) void {
    const row_begin = block * block_rows;
    const row_end = @min(row_begin + block_rows, s.packed_points.row_count_padded);
    assert(row_begin < row_end);
    var row = row_begin;
    while (row < @min(row_end, s.count)) : (row += 1) heapOf(s, row).reset();
    for (0..s.packed_points.panel_count) |p| {
        const panel = s.packed_points.panels[p * s.dim * panel_width ..][0 .. s.dim * panel_width];
        const column_base: u32 = @intCast(p * panel_width);
        var tile_begin = row_begin;
        while (tile_begin < row_end and tile_begin < s.count) : (tile_begin += tile_rows) {
            var out: [tile_rows][2]Vec = undefined;
            tile(metric, s.packed_points.rows[tile_begin * s.dim ..], panel, s.dim, &out);
            inline for (0..tile_rows) |r| {
                const row_index: u32 = tile_begin + @as(u32, r);
                if (row_index < s.count) offer(metric, s, row_index, column_base, out[r]);
            }
        }
    }
    row = row_begin;
    while (row < @min(row_end, s.count)) : (row += 1) heapOf(s, row).sortAscending();
}

fn heapOf(s: *const Search, row: u32) Heap {
    return .{
        .distances = s.out_distances[@as(usize, row) * s.k ..][0..s.k],
        .indices = s.out_indices[@as(usize, row) * s.k ..][0..s.k],
    };
}

/// Pushes the candidates of one tile row that beat the row's current worst.
fn offer(comptime metric: Metric, s: *const Search, row: u32, column_base: u32, values: [2]Vec) void {
    const heap = heapOf(s, row);
    inline for (0..2) |half| {
        // Cosine distance 1 - similarity, floored at 0 against rounding; squared euclidean as is.
        const dist: Vec = switch (metric) {
            .cosine => @max(@as(Vec, @splat(1)) - values[half], @as(Vec, @splat(0))),
            .euclidean => values[half],
        };
        if (@reduce(.Or, dist <= @as(Vec, @splat(heap.worst())))) {
            const arr: [lanes]f32 = dist;
            for (arr, 0..) |d, lane| {
                const column: u32 = column_base + @as(u32, half * lanes) + @as(u32, @intCast(lane));
                if (column >= s.count or column == row) continue;
                heap.push(d, column);
            }
        }
    }
}

fn searchTask(comptime metric: Metric) fn (*const Search, u32) void {
    return struct {
        fn run(s: *const Search, block: u32) void {
            searchBlock(metric, s, block);
        }
    }.run;
}

/// The k nearest other points of every point (self excluded), sorted by (distance, index):
/// out_indices/out_distances are count x k. Cosine distance is 1 - cos (zero vectors are at
/// distance 1 from everything); euclidean distance is the plain L2 distance.
pub fn search(
    allocator: std.mem.Allocator,
    pool: *Pool,
    data: []const f32,
    count: u32,
    dim: u32,
    k: u32,
    metric: Metric,
    out_indices: []u32,
    out_distances: []f32,
) !void {
    assert(k >= 1 and k < count);
    assert(dim >= 1);
    assert(data.len == @as(usize, count) * dim);
    assert(out_indices.len == @as(usize, count) * k);
    assert(out_distances.len == out_indices.len);
    const packed_points = try pack(allocator, data, count, dim, metric);
    defer allocator.free(packed_points.rows);
    defer allocator.free(packed_points.panels);
    const s = Search{
        .packed_points = &packed_points,
        .count = count,
        .dim = dim,
        .k = k,
        .out_indices = out_indices,
        .out_distances = out_distances,
    };
    const block_count = std.math.divCeil(u32, count, block_rows) catch unreachable;
    switch (metric) {
        .cosine => pool.parallelFor(block_count, &s, searchTask(.cosine)),
        .euclidean => {
            pool.parallelFor(block_count, &s, searchTask(.euclidean));
            for (out_distances) |*d| d.* = @sqrt(d.*);
        },
    }
}

// ---------------------------------------------------------------------------------------------
// Tests

fn referenceDistance(metric: Metric, a: []const f32, b: []const f32) f64 {
    var dot: f64 = 0;
    var na: f64 = 0;
    var nb: f64 = 0;
    var sq: f64 = 0;
    for (a, b) |x, y| {
        dot += @as(f64, x) * y;
        na += @as(f64, x) * x;
        nb += @as(f64, y) * y;
        sq += (@as(f64, x) - y) * (@as(f64, x) - y);
    }
    return switch (metric) {
        .cosine => 1 - dot / @sqrt(na * nb),
        .euclidean => @sqrt(sq),
    };
}

test "heap keeps the k smallest by (distance, index) and sorts them" {
    var d: [4]f32 = undefined;
    var idx: [4]u32 = undefined;
    const heap = Heap{ .distances = &d, .indices = &idx };
    heap.reset();
    const values = [_]f32{ 5, 1, 3, 1, 9, 0.5, 3, 2 };
    for (values, 0..) |v, i| heap.push(v, @intCast(i));
    heap.sortAscending();
    try std.testing.expectEqualSlices(f32, &.{ 0.5, 1, 1, 2 }, &d);
    try std.testing.expectEqualSlices(u32, &.{ 5, 1, 3, 7 }, &idx);
}

test "search matches brute force in f64 for both metrics, any thread count" {
    const allocator = std.testing.allocator;
    const count: u32 = 203; // not a multiple of the tile or panel sizes
    const dim: u32 = 37;
    const k: u32 = 9;
    var prng = std.Random.DefaultPrng.init(7);
    const data = try allocator.alloc(f32, count * dim);
    defer allocator.free(data);
    for (data) |*x| x.* = prng.random().floatNorm(f32);
    const indices = try allocator.alloc(u32, count * k);
    defer allocator.free(indices);
    const distances = try allocator.alloc(f32, count * k);
    defer allocator.free(distances);
    const reference = try allocator.alloc(f64, count);
    defer allocator.free(reference);
    for ([_]u32{ 1, 3 }) |threads| {
        const pool = try Pool.create(allocator, threads);
        defer pool.destroy();
        for ([_]Metric{ .cosine, .euclidean }) |metric| {
            try search(allocator, pool, data, count, dim, k, metric, indices, distances);
            for (0..count) |i| {
                for (0..count) |j| {
                    reference[j] = if (i == j) std.math.inf(f64) else referenceDistance(metric, data[i * dim ..][0..dim], data[j * dim ..][0..dim]);
                }
                std.mem.sort(f64, reference, {}, std.sort.asc(f64));
                for (0..k) |r| {
                    const got = distances[i * k + r];
                    try std.testing.expectApproxEqAbs(reference[r], got, 2e-5);
                    const j = indices[i * k + r];
                    try std.testing.expect(j != i);
                    const exact = referenceDistance(metric, data[i * dim ..][0..dim], data[j * dim ..][0..dim]);
                    try std.testing.expectApproxEqAbs(exact, got, 2e-5);
                }
            }
        }
    }
}
