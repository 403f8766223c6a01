//! HDBSCAN (Campello, Moulavi & Sander 2013) as the `hdbscan` library computes it with its defaults
//! (euclidean, alpha 1, excess-of-mass selection, allow_single_cluster false, no epsilon):
//!   core distance  = distance to the min_samples-th nearest other point (knn.zig),
//!   mutual reachability mrd(p, q) = max(core p, core q, d(p, q)),
//!   minimum spanning tree of the dense mrd graph (spanning-tree.zig: Prim, exact),
//!   single-linkage dendrogram -> condensed tree (min_cluster_size) -> stabilities -> EOM -> labels.
//! Ties in mrd are common (every edge inside a core radius weighs the core distance), so edges are
//! ordered by (weight, smaller end, larger end): with that strict order the MST and the merge order are
//! unique, and the result does not depend on traversal details or the thread count.
const std = @import("std");
const assert = std.debug.assert;
const Pool = @import("pool.zig").Pool;
const milliseconds = @import("milliseconds.zig");
const knn = @import("knn.zig");
const spanning_tree = @import("spanning-tree.zig");
const Edge = spanning_tree.Edge;
const spanningTree = spanning_tree.spanningTree;

pub const Timings = struct { core_ms: f64 = 0, tree_ms: f64 = 0, labels_ms: f64 = 0 };

// ---------------------------------------------------------------------------------------------
// Single linkage and the condensed tree

/// Merge i creates node count + i from `left` and `right` (node ids: points below count).
pub const Dendrogram = struct {
    left: []u32,
    right: []u32,
    distance: []f32,
    size: []u32,
};

pub fn findRoot(parent: []u32, x_in: u32) u32 {
    var x = x_in;
    while (parent[x] != x) {
        parent[x] = parent[parent[x]];
        x = parent[x];
    }
    return x;
}

/// Merges along the tree edges sorted in edge order (sorts `edges` in place).
pub fn singleLinkage(allocator: std.mem.Allocator, edges: []Edge, out: Dendrogram) !void {
    const count: u32 = @intCast(edges.len + 1);
    std.mem.sort(Edge, edges, {}, Edge.lessThan);
    const scratch = try allocator.alloc(u32, 3 * @as(usize, count));
    defer allocator.free(scratch);
    const parent = scratch[0..count];
    const node = scratch[count..][0..count]; // dendrogram node of each union-find root
    const size = scratch[2 * count ..][0..count];
    for (parent, node, size, 0..) |*p, *n, *s, i| {
        p.* = @intCast(i);
        n.* = @intCast(i);
        s.* = 1;
    }
    for (edges, 0..) |edge, i| {
        const ra = findRoot(parent, edge.a);
        const rb = findRoot(parent, edge.b);
        assert(ra != rb);
        out.left[i] = node[ra];
        out.right[i] = node[rb];
        out.distance[i] = edge.weight;
        out.size[i] = size[ra] + size[rb];
        parent[rb] = ra;
        size[ra] += size[rb];
        node[ra] = count + @as(u32, @intCast(i));
    }
}

/// Condensed tree: cluster ids start at `count` (the root) and are handed out in breadth-first
/// order, two at a time for the two sides of a split, so a cluster's children are `first_child` and
/// `first_child + 1` and every child has a larger id than its parent. Arrays by cluster are indexed
/// by id - count.
pub const Condensed = struct {
    cluster_count: u32 = 0,
    point_parent: []u32, // the cluster each point falls out of
    point_lambda: []f64, // ... at lambda = 1 / distance
    cluster_parent: []u32, // root: itself
    cluster_birth: []f64, // lambda at which the cluster splits off its parent (root: 0)
    cluster_size: []u32, // points at birth
    first_child: []u32, // 0: no children
    stability: []f64,
    selected: []bool,

    pub fn alloc(allocator: std.mem.Allocator, count: u32) !Condensed {
        // A split needs min_cluster_size >= 2 points on each side: at most count - 1 clusters.
        const clusters = count;
        return .{
            .point_parent = try allocator.alloc(u32, count),
            .point_lambda = try allocator.alloc(f64, count),
            .cluster_parent = try allocator.alloc(u32, clusters),
            .cluster_birth = try allocator.alloc(f64, clusters),
            .cluster_size = try allocator.alloc(u32, clusters),
            .first_child = try allocator.alloc(u32, clusters),
            .stability = try allocator.alloc(f64, clusters),
            .selected = try allocator.alloc(bool, clusters),
        };
    }

    pub fn free(c: *Condensed, allocator: std.mem.Allocator) void {
        allocator.free(c.point_parent);
        allocator.free(c.point_lambda);
        allocator.free(c.cluster_parent);
        allocator.free(c.cluster_birth);
        allocator.free(c.cluster_size);
        allocator.free(c.first_child);
        allocator.free(c.stability);
        allocator.free(c.selected);
        c.* = undefined;
    }
};

fn lambdaOf(distance: f32) f64 {
    return if (distance > 0) 1 / @as(f64, distance) else std.math.inf(f64);
}

fn nodeSize(d: *const Dendrogram, node: u32, count: u32) u32 {
    return if (node < count) 1 else d.size[node - count];
}

/// Every point under `node` falls out of `cluster` at `lambda`.
fn fallOut(d: *const Dendrogram, node: u32, count: u32, parent: u32, lambda: f64, c: *Condensed, stack: []u32) void {
    var top: usize = 1;
    stack[0] = node;
    while (top > 0) {
        top -= 1;
        const n = stack[top];
        if (n < count) {
            c.point_parent[n] = parent;
            c.point_lambda[n] = lambda;
            continue;
        }
        stack[top] = d.left[n - count];
        stack[top + 1] = d.right[n - count];
        top += 2;
    }
}

/// Walks the dendrogram from the root: a side with fewer than min_cluster_size points falls out of
/// the current cluster; a split into two big sides makes two new clusters; one big side continues
/// the current cluster.
pub fn condense(d: *const Dendrogram, count: u32, min_cluster_size: u32, c: *Condensed, scratch: []u32) void {
    assert(count >= 2 and min_cluster_size >= 2);
    assert(scratch.len >= 3 * @as(usize, count) + 1);
    const queue = scratch[0..count];
    const relabel = scratch[count..][0..count]; // cluster of each queued internal node, by node - count
    const stack = scratch[2 * count ..][0 .. count + 1];
    const root = 2 * count - 2;
    c.cluster_count = 1;
    c.cluster_parent[0] = count;
    c.cluster_birth[0] = 0;
    c.cluster_size[0] = count;
    c.first_child[0] = 0;
    queue[0] = root;
    relabel[root - count] = count;
    var head: usize = 0;
    var tail: usize = 1;
    while (head < tail) : (head += 1) {
        const node = queue[head];
        const current = relabel[node - count];
        const lambda = lambdaOf(d.distance[node - count]);
        const sides = [2]u32{ d.left[node - count], d.right[node - count] };
        const sizes = [2]u32{ nodeSize(d, sides[0], count), nodeSize(d, sides[1], count) };
        const split = sizes[0] >= min_cluster_size and sizes[1] >= min_cluster_size;
        if (split) c.first_child[current - count] = count + c.cluster_count;
        for (sides, sizes) |side, size| {
            if (size < min_cluster_size) {
                fallOut(d, side, count, current, lambda, c, stack);
                continue;
            }
            var continues_as = current;
            if (split) {
                const i = c.cluster_count;
                continues_as = count + i;
                c.cluster_parent[i] = current;
                c.cluster_birth[i] = lambda;
                c.cluster_size[i] = size;
                c.first_child[i] = 0;
                c.cluster_count += 1;
            }
            relabel[side - count] = continues_as;
            queue[tail] = side;
            tail += 1;
        }
    }
}

/// stability(C) = sum over what leaves C (its points, its child clusters) of
/// (lambda at leaving - lambda at C's birth) x size.
pub fn computeStability(c: *Condensed, count: u32) void {
    @memset(c.stability[0..c.cluster_count], 0);
    for (c.point_parent, c.point_lambda) |parent, lambda| {
        c.stability[parent - count] += lambda - c.cluster_birth[parent - count];
    }
    for (1..c.cluster_count) |i| {
        const parent = c.cluster_parent[i] - count;
        const size: f64 = @floatFromInt(c.cluster_size[i]);
        c.stability[parent] += (c.cluster_birth[i] - c.cluster_birth[parent]) * size;
    }
}

/// Excess of mass, leaves up: keep a cluster if it is at least as stable as its children together
/// (then none of its descendants is kept), else pass the children's total up. The root is never a
/// cluster (allow_single_cluster = false).
pub fn selectClusters(c: *Condensed, count: u32, stack: []u32) void {
    const stability = c.stability[0..c.cluster_count];
    @memset(c.selected[0..c.cluster_count], true);
    c.selected[0] = false;
    var i = c.cluster_count;
    while (i > 1) {
        i -= 1;
        const first = c.first_child[i];
        if (first == 0) continue;
        const children = stability[first - count] + stability[first + 1 - count];
        if (children > stability[i]) {
            c.selected[i] = false;
            stability[i] = children;
        } else {
            deselectDescendants(c, count, @intCast(i), stack);
        }
    }
}

fn deselectDescendants(c: *Condensed, count: u32, index: u32, stack: []u32) void {
    var top: usize = 0;
    if (c.first_child[index] != 0) {
        stack[0] = c.first_child[index] - count;
        stack[1] = stack[0] + 1;
        top = 2;
    }
    while (top > 0) {
        top -= 1;
        const n = stack[top];
        c.selected[n] = false;
        if (c.first_child[n] != 0) {
            stack[top] = c.first_child[n] - count;
            stack[top + 1] = stack[top] + 1;
            top += 2;
        }
    }
}

/// A point takes the label of the selected cluster it lies in (-1 if none); selected clusters are
/// numbered 0, 1, ... in id order.
pub fn assignLabels(c: *const Condensed, count: u32, owner: []u32, out: []i32) void {
    const none = std.math.maxInt(u32);
    var next_label: u32 = 0;
    // Parents have smaller ids than children, so one pass in id order resolves every cluster.
    for (0..c.cluster_count) |i| {
        if (c.selected[i]) {
            owner[i] = next_label;
            next_label += 1;
        } else {
            owner[i] = if (i == 0) none else owner[c.cluster_parent[i] - count];
        }
    }
    for (out, c.point_parent) |*label, parent| {
        const o = owner[parent - count];
        label.* = if (o == none) -1 else @intCast(o);
    }
}

/// HDBSCAN labels (-1: noise) of `count` points of `dim` floats.
pub fn cluster(
    allocator: std.mem.Allocator,
    pool: *Pool,
    data: []const f32,
    count: u32,
    dim: u32,
    min_samples: u32,
    min_cluster_size: u32,
    out: []i32,
    timings: *Timings,
) !void {
    assert(min_samples >= 1 and min_cluster_size >= 2);
    assert(out.len == count);
    // No split can leave two sides of min_cluster_size points, and the root is never a cluster.
    if (count < 2 * @as(u64, min_cluster_size)) {
        @memset(out, -1);
        return;
    }
    var timer = try std.time.Timer.start();
    const k = @min(min_samples, count - 1);
    const core = try allocator.alloc(f32, count);
    defer allocator.free(core);
    {
        const indices = try allocator.alloc(u32, @as(usize, count) * k);
        defer allocator.free(indices);
        const distances = try allocator.alloc(f32, indices.len);
        defer allocator.free(distances);
        try knn.search(allocator, pool, data, count, dim, k, .euclidean, indices, distances);
        for (core, 0..) |*c, i| c.* = distances[i * k + k - 1];
    }
    timings.core_ms = milliseconds.lap(&timer);

    const edges = try allocator.alloc(Edge, count - 1);
    defer allocator.free(edges);
    try spanningTree(allocator, data, count, dim, core, edges);
    timings.tree_ms = milliseconds.lap(&timer);

    const words = try allocator.alloc(u32, 3 * @as(usize, count - 1) + 3 * @as(usize, count) + 1);
    defer allocator.free(words);
    const distance = try allocator.alloc(f32, count - 1);
    defer allocator.free(distance);
    const dendrogram = Dendrogram{
        .left = words[0 .. count - 1],
        .right = words[count - 1 ..][0 .. count - 1],
        .size = words[2 * (count - 1) ..][0 .. count - 1],
        .distance = distance,
    };
    try singleLinkage(allocator, edges, dendrogram);
    var condensed = try Condensed.alloc(allocator, count);
    defer condensed.free(allocator);
    const scratch = words[3 * (count - 1) ..];
    condense(&dendrogram, count, min_cluster_size, &condensed, scratch);
    computeStability(&condensed, count);
    selectClusters(&condensed, count, scratch);
    assignLabels(&condensed, count, scratch, out);
    timings.labels_ms = milliseconds.lap(&timer);
}

// ---------------------------------------------------------------------------------------------
// Tests

test "condensed tree, stability and labels on a hand-checked example" {
    const allocator = std.testing.allocator;
    // Points on a line: A = {0, 1, 2} near 0, B = {3, 4, 5} near 10, and an outlier 6 at 30.
    // Tree edges (weights = plain distances here): A inside 1, B inside 1, A-B 8, B-outlier 19.
    const count: u32 = 7;
    var edges = [_]Edge{
        Edge.init(0, 1, 1), Edge.init(1, 2, 1), Edge.init(3, 4, 1),
        Edge.init(4, 5, 1), Edge.init(2, 3, 8), Edge.init(5, 6, 19),
    };
    var left: [6]u32 = undefined;
    var right: [6]u32 = undefined;
    var size: [6]u32 = undefined;
    var distance: [6]f32 = undefined;
    const d = Dendrogram{ .left = &left, .right = &right, .size = &size, .distance = &distance };
    try singleLinkage(allocator, &edges, d);
    try std.testing.expectEqual(@as(u32, 7), size[5]);
    var c = try Condensed.alloc(allocator, count);
    defer c.free(allocator);
    var scratch: [3 * count + 1]u32 = undefined;
    condense(&d, count, 3, &c, &scratch);
    // Root (7): the outlier falls out at 1/19, then A and B split off at 1/8 as clusters 8 and 9.
    try std.testing.expectEqual(@as(u32, 3), c.cluster_count);
    try std.testing.expectEqual(@as(u32, 7), c.point_parent[6]);
    try std.testing.expectApproxEqAbs(@as(f64, 1.0 / 19.0), c.point_lambda[6], 1e-12);
    try std.testing.expectEqual(@as(u32, 8), c.first_child[0]);
    for (0..6) |i| try std.testing.expectApproxEqAbs(@as(f64, 1), c.point_lambda[i], 1e-12);
    computeStability(&c, count);
    // Root: outlier (1/19 - 0) + two clusters of 3 at 1/8; each cluster: 3 points x (1 - 1/8).
    try std.testing.expectApproxEqAbs(1.0 / 19.0 + 6.0 / 8.0, c.stability[0], 1e-12);
    try std.testing.expectApproxEqAbs(3 * (1 - 1.0 / 8.0), c.stability[1], 1e-12);
    try std.testing.expectApproxEqAbs(3 * (1 - 1.0 / 8.0), c.stability[2], 1e-12);
    selectClusters(&c, count, &scratch);
    var labels: [count]i32 = undefined;
    assignLabels(&c, count, &scratch, &labels);
    const side_of_point_0: i32 = labels[0];
    for (0..3) |i| try std.testing.expectEqual(side_of_point_0, labels[i]);
    for (3..6) |i| try std.testing.expectEqual(1 - side_of_point_0, labels[i]);
    try std.testing.expectEqual(@as(i32, -1), labels[6]);
}

test "excess of mass keeps a parent that is more stable than its children" {
    const allocator = std.testing.allocator;
    // Two tight pairs of triples: {0,1,2} and {3,4,5} at distance 1.2 from each other inside a group
    // G1 (internal spacing 1); the same again for {6..11} far away (100). The split G1 -> two triples
    // at lambda 1/1.2 gives children stability 2 x 3 x (1 - 1/1.2) = 1 < G1's own 6 x (1/1.2 - 1/100).
    const count: u32 = 12;
    var edges: [11]Edge = undefined;
    var n: usize = 0;
    for ([_]u32{ 0, 3, 6, 9 }) |s| {
        edges[n] = Edge.init(s, s + 1, 1);
        edges[n + 1] = Edge.init(s + 1, s + 2, 1);
        n += 2;
    }
    edges[8] = Edge.init(2, 3, 1.2);
    edges[9] = Edge.init(8, 9, 1.2);
    edges[10] = Edge.init(5, 6, 100);
    var left: [11]u32 = undefined;
    var right: [11]u32 = undefined;
    var size: [11]u32 = undefined;
    var distance: [11]f32 = undefined;
    const d = Dendrogram{ .left = &left, .right = &right, .size = &size, .distance = &distance };
    try singleLinkage(allocator, &edges, d);
    var c = try Condensed.alloc(allocator, count);
    defer c.free(allocator);
    var scratch: [3 * count + 1]u32 = undefined;
    condense(&d, count, 3, &c, &scratch);
    try std.testing.expectEqual(@as(u32, 7), c.cluster_count);
    computeStability(&c, count);
    selectClusters(&c, count, &scratch);
    var labels: [count]i32 = undefined;
    assignLabels(&c, count, &scratch, &labels);
    for (0..6) |i| try std.testing.expectEqual(labels[0], labels[i]);
    for (6..12) |i| try std.testing.expectEqual(labels[6], labels[i]);
    try std.testing.expect(labels[0] != labels[6] and labels[0] >= 0 and labels[6] >= 0);
}
