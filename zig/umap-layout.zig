//! UMAP's stochastic layout with negative sampling (umap-learn's optimize_layout_euclidean).
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
const Graph = @import("umap-graph.zig").Graph;
const powFast = @import("fast-pow.zig").powFast;

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
