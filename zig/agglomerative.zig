//! Agglomerative clustering with average linkage on cosine distance, by the nearest-neighbour chain
//! algorithm: O(n^2) time over a condensed matrix of n (n - 1) / 2 f32 distances (n = 6000 is 72 MB),
//! the whole dendrogram as n - 1 merges sorted by distance. Average linkage is reducible, so the chain
//! finds exactly the merges of the textbook algorithm.
//!
//! Decisions must not depend on the CPU: dot products use 8-lane vectors whose lanes are summed in a
//! fixed order, without fused multiply-add, and ties go to the lower index (or to the chain's previous
//! element, which the algorithm needs to end).
const std = @import("std");
const assert = std.debug.assert;
const Pool = @import("pool.zig").Pool;

const lanes = 8;
const Vec = @Vector(lanes, f32);

/// Points above this are refused (the matrix would pass 2^31 entries).
pub const count_max: u32 = 65_535;

pub const Merge = struct { a: u32, b: u32, distance: f32 };

pub const Error = error{ OutOfMemory, NonFinite };

/// Dot product with a fixed order of additions on every CPU.
fn dotFixed(a: []const f32, b: []const f32) f32 {
    assert(a.len == b.len);
    var acc: Vec = @splat(0);
    var i: usize = 0;
    while (i + lanes <= a.len) : (i += lanes) {
        const x: Vec = a[i..][0..lanes].*;
        const y: Vec = b[i..][0..lanes].*;
        acc += x * y;
    }
    var sum: f32 = 0;
    inline for (0..lanes) |l| sum += acc[l];
    while (i < a.len) : (i += 1) sum += a[i] * b[i];
    return sum;
}

/// Index of (i, j), i < j, in the condensed upper triangle of an n x n matrix.
fn condensed(n: usize, i: usize, j: usize) usize {
    assert(i < j and j < n);
    return n * i - (i * (i + 1)) / 2 + (j - i - 1);
}

const DistanceJob = struct {
    unit: []const f32,
    n: usize,
    dim: usize,
    out: []f32,

    fn run(job: *const DistanceJob, task: u32) void {
        const i: usize = task;
        const row_i = job.unit[i * job.dim ..][0..job.dim];
        for (i + 1..job.n) |j| {
            const d = 1 - dotFixed(row_i, job.unit[j * job.dim ..][0..job.dim]);
            job.out[condensed(job.n, i, j)] = d;
        }
    }
};

/// Rows scaled to unit length (a zero row stays zero). NaN or infinite input is an error.
fn unitRows(allocator: std.mem.Allocator, data: []const f32, n: usize, dim: usize) Error![]f32 {
    assert(data.len == n * dim);
    const unit = try allocator.alloc(f32, data.len);
    errdefer allocator.free(unit);
    for (0..n) |i| {
        const row = data[i * dim ..][0..dim];
        var norm: f64 = 0;
        for (row) |v| {
            if (!std.math.isFinite(v)) return error.NonFinite;
            norm += @as(f64, v) * v;
        }
        const inv: f32 = if (norm > 0) @floatCast(1 / @sqrt(norm)) else 0;
        for (unit[i * dim ..][0..dim], row) |*dst, v| dst.* = v * inv;
    }
    return unit;
}

/// The dendrogram of `n` points of `dim` floats: merges[m] joins clusters a and b (ids < n are points,
/// n + k is the cluster made by merge k) at average cosine distance `distance`, ascending.
pub fn averageLinkage(allocator: std.mem.Allocator, pool: *Pool, data: []const f32, n: u32, dim: u32, merges: []Merge) Error!void {
    assert(n >= 1 and n <= count_max);
    assert(dim >= 1);
    assert(merges.len == n - 1);
    const unit = try unitRows(allocator, data, n, dim);
    defer allocator.free(unit);
    const dist = try allocator.alloc(f32, (@as(usize, n) * (n - 1)) / 2);
    defer allocator.free(dist);
    const job = DistanceJob{ .unit = unit, .n = n, .dim = dim, .out = dist };
    pool.parallelFor(n, &job, DistanceJob.run);

    const found = try allocator.alloc(Merge, n - 1);
    defer allocator.free(found);
    try nearestNeighbourChain(allocator, dist, n, found);
    sortAndRelabel(allocator, found, n, merges) catch |err| return err;
}

fn distanceAt(dist: []const f32, n: usize, i: usize, j: usize) f32 {
    assert(i != j);
    return if (i < j) dist[condensed(n, i, j)] else dist[condensed(n, j, i)];
}

/// Merges in the order the chain finds them; a and b are slots (a point of each cluster; the merged
/// cluster keeps the lower slot).
fn nearestNeighbourChain(allocator: std.mem.Allocator, dist: []f32, n: u32, out: []Merge) Error!void {
    const size = try allocator.alloc(u32, n);
    defer allocator.free(size);
    @memset(size, 1);
    const active = try allocator.alloc(bool, n);
    defer allocator.free(active);
    @memset(active, true);
    const chain = try allocator.alloc(u32, n);
    defer allocator.free(chain);
    var chain_len: usize = 0;
    var next_start: u32 = 0;
    for (out) |*merge| {
        if (chain_len == 0) {
            while (!active[next_start]) next_start += 1;
            chain[0] = next_start;
            chain_len = 1;
        }
        while (true) {
            const x = chain[chain_len - 1];
            // The previous element wins ties: the chain then ends instead of cycling.
            var best: u32 = if (chain_len >= 2) chain[chain_len - 2] else n;
            var best_distance: f32 = if (best < n) distanceAt(dist, n, x, best) else std.math.inf(f32);
            for (0..n) |k| {
                if (!active[k] or k == x) continue;
                const d = distanceAt(dist, n, x, k);
                if (d < best_distance) {
                    best_distance = d;
                    best = @intCast(k);
                }
            }
            assert(best < n);
            if (chain_len >= 2 and best == chain[chain_len - 2]) break;
            assert(chain_len < n);
            chain[chain_len] = best;
            chain_len += 1;
        }
        const x = chain[chain_len - 1];
        const y = chain[chain_len - 2];
        chain_len -= 2;
        const keep = @min(x, y);
        const drop = @max(x, y);
        merge.* = .{ .a = keep, .b = drop, .distance = distanceAt(dist, n, x, y) };
        const size_keep: f64 = @floatFromInt(size[keep]);
        const size_drop: f64 = @floatFromInt(size[drop]);
        for (0..n) |k| {
            if (!active[k] or k == keep or k == drop) continue;
            const d = (size_keep * distanceAt(dist, n, keep, k) + size_drop * distanceAt(dist, n, drop, k)) / (size_keep + size_drop);
            if (keep < k) dist[condensed(n, keep, k)] = @floatCast(d) else dist[condensed(n, k, keep)] = @floatCast(d);
        }
        active[drop] = false;
        size[keep] += size[drop];
    }
}

/// Sorts merges by distance (stable) and names clusters as a dendrogram does: n + k for merge k.
fn sortAndRelabel(allocator: std.mem.Allocator, found: []Merge, n: u32, out: []Merge) Error!void {
    assert(found.len == out.len);
    const ByDistance = struct {
        fn lessThan(_: void, a: Merge, b: Merge) bool {
            return a.distance < b.distance;
        }
    };
    std.sort.block(Merge, found, {}, ByDistance.lessThan);
    // Union-find over points; `name` is the dendrogram id of each root's cluster.
    const parent = try allocator.alloc(u32, n);
    defer allocator.free(parent);
    const name = try allocator.alloc(u32, n);
    defer allocator.free(name);
    for (parent, name, 0..) |*p, *c, i| {
        p.* = @intCast(i);
        c.* = @intCast(i);
    }
    for (found, out, 0..) |merge, *dst, k| {
        const ra = findRoot(parent, merge.a);
        const rb = findRoot(parent, merge.b);
        assert(ra != rb);
        dst.* = .{ .a = @min(name[ra], name[rb]), .b = @max(name[ra], name[rb]), .distance = merge.distance };
        parent[rb] = ra;
        name[ra] = n + @as(u32, @intCast(k));
    }
}

fn findRoot(parent: []u32, start: u32) u32 {
    var i = start;
    while (parent[i] != i) {
        parent[i] = parent[parent[i]];
        i = parent[i];
    }
    return i;
}

// ---------------------------------------------------------------------------------------------- tests

const testing = std.testing;

/// Textbook average linkage on a full matrix, O(n^3): the reference for the chain.
fn naiveAverageLinkage(allocator: std.mem.Allocator, data: []const f32, n: u32, dim: u32) ![]f32 {
    const unit = try unitRows(allocator, data, n, dim);
    defer allocator.free(unit);
    const d = try allocator.alloc(f64, @as(usize, n) * n);
    defer allocator.free(d);
    for (0..n) |i| for (0..n) |j| {
        d[i * n + j] = if (i == j) 0 else 1 - dotFixed(unit[i * dim ..][0..dim], unit[j * dim ..][0..dim]);
    };
    const size = try allocator.alloc(f64, n);
    defer allocator.free(size);
    @memset(size, 1);
    const alive = try allocator.alloc(bool, n);
    defer allocator.free(alive);
    @memset(alive, true);
    const heights = try allocator.alloc(f32, n - 1);
    for (heights) |*h| {
        var bi: usize = 0;
        var bj: usize = 0;
        var best = std.math.inf(f64);
        for (0..n) |i| for (i + 1..n) |j| {
            if (alive[i] and alive[j] and d[i * n + j] < best) {
                best = d[i * n + j];
                bi = i;
                bj = j;
            }
        };
        h.* = @floatCast(best);
        for (0..n) |k| {
            if (!alive[k] or k == bi or k == bj) continue;
            const v = (size[bi] * d[bi * n + k] + size[bj] * d[bj * n + k]) / (size[bi] + size[bj]);
            d[bi * n + k] = v;
            d[k * n + bi] = v;
        }
        alive[bj] = false;
        size[bi] += size[bj];
    }
    return heights;
}

test "the chain gives the textbook dendrogram heights on random points" {
    const allocator = testing.allocator;
    const pool = try Pool.create(allocator, 2);
    defer pool.destroy();
    var prng = std.Random.DefaultPrng.init(11);
    const random = prng.random();
    const n = 60;
    const dim = 12;
    var data: [n * dim]f32 = undefined;
    // Three loose groups, so merges happen both inside and between groups.
    for (0..n) |i| for (0..dim) |d| {
        data[i * dim + d] = (if (d == i % 3) @as(f32, 2) else 0) + random.floatNorm(f32);
    };
    var merges: [n - 1]Merge = undefined;
    try averageLinkage(allocator, pool, &data, n, dim, &merges);
    const want = try naiveAverageLinkage(allocator, &data, n, dim);
    defer allocator.free(want);
    for (merges, want) |m, h| try testing.expectApproxEqAbs(h, m.distance, 1e-5);
    for (merges, 0..) |m, k| {
        try testing.expect(m.a < m.b);
        try testing.expect(m.b < n + k);
    }
}

test "two clear groups are joined last, and ids follow the dendrogram convention" {
    const allocator = testing.allocator;
    const pool = try Pool.create(allocator, 1);
    defer pool.destroy();
    const data = [_]f32{ 1, 0, 0.9, 0.1, 0, 1, 0.1, 0.9 };
    var merges: [3]Merge = undefined;
    try averageLinkage(allocator, pool, &data, 4, 2, &merges);
    try testing.expectEqual(Merge{ .a = 0, .b = 1, .distance = merges[0].distance }, merges[0]);
    try testing.expectEqual(@as(u32, 2), merges[1].a);
    try testing.expectEqual(@as(u32, 3), merges[1].b);
    try testing.expectEqual(@as(u32, 4), merges[2].a);
    try testing.expectEqual(@as(u32, 5), merges[2].b);
    try testing.expect(merges[2].distance > 0.8);
}

test "non-finite input is refused" {
    const allocator = testing.allocator;
    const pool = try Pool.create(allocator, 1);
    defer pool.destroy();
    const data = [_]f32{ 1, 0, std.math.nan(f32), 1 };
    var merges: [1]Merge = undefined;
    try testing.expectError(error.NonFinite, averageLinkage(allocator, pool, &data, 2, 2, &merges));
}
