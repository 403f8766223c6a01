//! Minimum spanning tree of HDBSCAN's mutual reachability graph, mrd(p, q) = max(core p, core q, d(p, q))
//! over euclidean distances, by Prim's algorithm on the dense graph (exact). Edges are ordered by (weight,
//! smaller end, larger end): with that strict order the tree is unique, whatever the vector width.
const std = @import("std");
const builtin = @import("builtin");
const assert = std.debug.assert;
const simd = @import("simd.zig");

pub const Edge = struct {
    a: u32, // smaller end
    b: u32, // larger end
    weight: f32,

    pub fn init(p: u32, q: u32, weight: f32) Edge {
        return .{ .a = @min(p, q), .b = @max(p, q), .weight = weight };
    }

    pub fn before(x: Edge, y: Edge) bool {
        if (x.weight != y.weight) return x.weight < y.weight;
        if (x.a != y.a) return x.a < y.a;
        return x.b < y.b;
    }

    pub fn lessThan(_: void, x: Edge, y: Edge) bool {
        return before(x, y);
    }
};

/// A panel's width changes speed, not bits: each lane is one point, summed over the dimensions in order.
const lanes = if (builtin.cpu.arch == .x86_64 and std.Target.x86.featureSetHas(builtin.cpu.features, .avx512f)) 16 else 8;
const Vec = @Vector(lanes, f32);
const Lanes = @Vector(lanes, u32);

/// Prim's algorithm on the dense graph, O(count^2 dim). The points not yet in the tree are kept
/// compact in panels of `lanes` points stored dimension-major, so one step (the distances from the
/// newest tree point to all the others, and the best edge of each) is plain vector arithmetic; a
/// point that joins the tree is replaced by the last one.
const Prim = struct {
    dim: u32,
    remaining: u32,
    panels: []f32, // panel_count x dim x lanes
    vertex: []u32, // by position: the point there
    core: []f32,
    best: []f32, // weight of the point's best edge into the tree (inf: none yet)
    best_from: []u32,
    current: []f32, // coordinates of the point that joined last

    fn panel(p: *const Prim, q: usize) []f32 {
        return p.panels[q * p.dim * lanes ..][0 .. p.dim * lanes];
    }

    fn gather(p: *Prim, position: u32) void {
        const pan = p.panel(position / lanes);
        for (p.current, 0..) |*c, k| c.* = pan[k * lanes + position % lanes];
    }

    /// Moves the point at the last position into `position`.
    fn removeAt(p: *Prim, position: u32) void {
        assert(position < p.remaining);
        const last = p.remaining - 1;
        if (position != last) {
            const dst = p.panel(position / lanes);
            const src = p.panel(last / lanes);
            for (0..p.dim) |k| dst[k * lanes + position % lanes] = src[k * lanes + last % lanes];
            p.vertex[position] = p.vertex[last];
            p.core[position] = p.core[last];
            p.best[position] = p.best[last];
            p.best_from[position] = p.best_from[last];
        }
        p.best[last] = std.math.inf(f32);
        p.remaining = last;
    }

    /// Relaxes every remaining point's best edge with its edge to `from` (coordinates in `current`)
    /// and returns the smallest best weight.
    fn relax(p: *Prim, from: u32, core_from: f32) f32 {
        var lowest: Vec = @splat(std.math.inf(f32));
        const panel_count = std.math.divCeil(u32, p.remaining, lanes) catch unreachable;
        const lane_index = std.simd.iota(u32, lanes);
        for (0..panel_count) |q| {
            const pan = p.panel(q);
            const acc = panelSquaredDistances(p.current, pan);
            const base = q * lanes;
            const core: Vec = p.core[base..][0..lanes].*;
            const mrd = @max(@sqrt(acc), @max(core, @as(Vec, @splat(core_from))));
            const old: Vec = p.best[base..][0..lanes].*;
            const live = lane_index < @as(Lanes, @splat(p.remaining - @as(u32, @intCast(base))));
            const tie = live & (mrd == old);
            if (@reduce(.Or, tie)) p.breakTies(from, base, mrd, tie);
            const better = live & (mrd < old);
            const updated = @select(f32, better, mrd, @as(Vec, p.best[base..][0..lanes].*));
            p.best[base..][0..lanes].* = updated;
            const from_vec: Lanes = @splat(from);
            p.best_from[base..][0..lanes].* = @select(u32, better, from_vec, @as(Lanes, p.best_from[base..][0..lanes].*));
            lowest = @min(lowest, updated);
        }
        return @reduce(.Min, lowest);
    }

    /// Squared distances from `current` to the panel's points.
    fn panelSquaredDistances(current: []const f32, pan: []const f32) Vec {
        var acc: Vec = @splat(0);
        for (current, 0..) |c, k| {
            const d = @as(Vec, @splat(c)) - @as(Vec, pan[k * lanes ..][0..lanes].*);
            acc = simd.mulAdd(Vec, d, d, acc);
        }
        return acc;
    }

    /// Equal weights: the edge with the smaller (smaller end, larger end) wins.
    fn breakTies(p: *Prim, from: u32, base: usize, mrd: Vec, tie: @Vector(lanes, bool)) void {
        const tie_array: [lanes]bool = tie;
        const mrd_array: [lanes]f32 = mrd;
        for (tie_array, 0..) |t, lane| {
            if (!t) continue;
            const position = base + lane;
            const v = p.vertex[position];
            const candidate = Edge.init(from, v, mrd_array[lane]);
            const incumbent = Edge.init(p.best_from[position], v, p.best[position]);
            if (candidate.before(incumbent)) p.best_from[position] = from;
        }
    }

    /// The position whose best edge is smallest in edge order, among those weighing `lowest`.
    fn argmin(p: *const Prim, lowest: f32) u32 {
        var chosen: ?u32 = null;
        var chosen_edge: Edge = undefined;
        const panel_count = std.math.divCeil(u32, p.remaining, lanes) catch unreachable;
        for (0..panel_count) |q| {
            const base = q * lanes;
            const hit = @as(Vec, p.best[base..][0..lanes].*) == @as(Vec, @splat(lowest));
            if (!@reduce(.Or, hit)) continue;
            const hits: [lanes]bool = hit;
            for (hits, 0..) |h, lane| {
                const position: u32 = @intCast(base + lane);
                if (!h or position >= p.remaining) continue;
                const edge = Edge.init(p.best_from[position], p.vertex[position], lowest);
                if (chosen == null or edge.before(chosen_edge)) {
                    chosen = position;
                    chosen_edge = edge;
                }
            }
        }
        return chosen.?;
    }
};

/// The count - 1 edges of the minimum spanning tree of the mutual reachability graph.
pub fn spanningTree(
    allocator: std.mem.Allocator,
    data: []const f32,
    count: u32,
    dim: u32,
    core: []const f32,
    out: []Edge,
) !void {
    assert(count >= 2);
    assert(data.len == @as(usize, count) * dim);
    assert(core.len == count and out.len == count - 1);
    const padded = std.mem.alignForward(u32, count, lanes);
    const panels = try allocator.alloc(f32, @as(usize, padded) * dim);
    defer allocator.free(panels);
    const words = try allocator.alloc(u32, 2 * @as(usize, padded));
    defer allocator.free(words);
    const floats = try allocator.alloc(f32, 2 * @as(usize, padded) + dim);
    defer allocator.free(floats);
    var p = Prim{
        .dim = dim,
        .remaining = count,
        .panels = panels,
        .vertex = words[0..padded],
        .best_from = words[padded..],
        .core = floats[0..padded],
        .best = floats[padded..][0..padded],
        .current = floats[2 * padded ..][0..dim],
    };
    @memset(panels, 0);
    @memset(p.core, std.math.inf(f32));
    @memset(p.best, std.math.inf(f32));
    @memset(p.best_from, 0);
    for (0..count) |i| {
        const pan = p.panel(i / lanes);
        for (0..dim) |k| pan[k * lanes + i % lanes] = data[i * dim + k];
        p.vertex[i] = @intCast(i);
        p.core[i] = core[i];
    }
    var from: u32 = 0;
    p.gather(0);
    p.removeAt(0);
    for (out) |*edge| {
        const lowest = p.relax(from, core[from]);
        const position = p.argmin(lowest);
        from = p.vertex[position];
        edge.* = Edge.init(p.best_from[position], from, lowest);
        p.gather(position);
        p.removeAt(position);
    }
    assert(p.remaining == 0);
}

// ---------------------------------------------------------------------------------------------
// Tests

const hdbscan = @import("hdbscan.zig");

fn naiveSpanningTree(allocator: std.mem.Allocator, data: []const f32, count: u32, dim: u32, core: []const f32) ![]Edge {
    // Kruskal over all pairs in edge order.
    var all: std.ArrayList(Edge) = .empty;
    defer all.deinit(allocator);
    for (0..count) |i| {
        for (i + 1..count) |j| {
            var sq: f32 = 0;
            for (0..dim) |k| sq += (data[i * dim + k] - data[j * dim + k]) * (data[i * dim + k] - data[j * dim + k]);
            const w = @max(@sqrt(sq), @max(core[i], core[j]));
            try all.append(allocator, Edge.init(@intCast(i), @intCast(j), w));
        }
    }
    std.mem.sort(Edge, all.items, {}, Edge.lessThan);
    const parent = try allocator.alloc(u32, count);
    defer allocator.free(parent);
    for (parent, 0..) |*p, i| p.* = @intCast(i);
    var tree: std.ArrayList(Edge) = .empty;
    for (all.items) |e| {
        const ra = hdbscan.findRoot(parent, e.a);
        const rb = hdbscan.findRoot(parent, e.b);
        if (ra == rb) continue;
        parent[rb] = ra;
        try tree.append(allocator, e);
    }
    return tree.toOwnedSlice(allocator);
}

test "spanning tree equals Kruskal's on the dense graph, ties included" {
    const allocator = std.testing.allocator;
    const count: u32 = 70;
    const dim: u32 = 3;
    var prng = std.Random.DefaultPrng.init(11);
    const data = try allocator.alloc(f32, count * dim);
    defer allocator.free(data);
    // Small integer coordinates: many exactly equal distances.
    for (data) |*x| x.* = @floatFromInt(prng.random().intRangeAtMost(i32, 0, 4));
    const core = try allocator.alloc(f32, count);
    defer allocator.free(core);
    for (core, 0..) |*c, i| c.* = if (i % 3 == 0) 1.5 else 1;
    const edges = try allocator.alloc(Edge, count - 1);
    defer allocator.free(edges);
    try spanningTree(allocator, data, count, dim, core, edges);
    std.mem.sort(Edge, edges, {}, Edge.lessThan);
    const want = try naiveSpanningTree(allocator, data, count, dim, core);
    defer allocator.free(want);
    try std.testing.expectEqual(want.len, edges.len);
    for (want, edges) |w, e| {
        try std.testing.expectEqual(w.a, e.a);
        try std.testing.expectEqual(w.b, e.b);
        try std.testing.expectApproxEqAbs(w.weight, e.weight, 1e-6);
    }
}
