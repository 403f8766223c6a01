//! UMAP's initial layout, as umap-learn's `init="spectral"` (default) or `init="random"`.
//!
//! Spectral: the eigenvectors of the normalised graph Laplacian I - D^-1/2 W D^-1/2 with the smallest
//! eigenvalues after the trivial one, i.e. the largest eigenvectors of M = D^-1/2 W D^-1/2. umap-learn
//! calls ARPACK; here Chebyshev-filtered subspace iteration (Zhou & Saad 2007) finds them: a block of
//! `width` vectors is repeatedly multiplied by a Chebyshev polynomial of M that damps [-1, cut] (cut = the
//! smallest Ritz value of the block) and grows the wanted end, re-orthonormalised (CholQR2), and rotated
//! to Ritz vectors (Rayleigh-Ritz with a Jacobi eigensolver) until the wanted residual norms are below
//! 1e-3 (1e-4 took 60% longer at 10,000 points, for the same clusters in the end).
//! All reductions use a fixed row chunking, so the result does not depend on the thread count.
//! Then, as umap-learn: scale to max |x| = 10, add N(0, 1e-4) noise, and map each coordinate to [0, 10].
const std = @import("std");
const assert = std.debug.assert;
const Pool = @import("pool.zig").Pool;
const simd = @import("simd.zig");
const cholesky = @import("cholesky.zig");
const chunkRange = @import("pool.zig").chunkRange;
const umap = @import("umap.zig");
const Graph = @import("umap-graph.zig").Graph;

const V8 = @Vector(8, f64);
const fixed_chunks = 64;
/// Extra block vectors beyond the wanted ones: they speed convergence of the last wanted ones.
const guard_vectors = 12;
const residual_tolerance = 1e-3;
/// A block that has not converged by then is still a usable initial layout.
const outer_iterations_max = 100;
const chebyshev_degree_max = 16;
/// Up to this many points the eigenproblem is solved densely.
const dense_count_max = 96;

pub fn initialize(
    allocator: std.mem.Allocator,
    pool: *Pool,
    graph: *const Graph,
    method: umap.InitMethod,
    seed: u64,
    embedding: []f32,
    stride: u32,
    component_count: u32,
) !void {
    const count = graph.vertexCount();
    assert(embedding.len == @as(usize, count) * stride);
    assert(component_count <= stride);
    var prng = std.Random.DefaultPrng.init(seed);
    const random = prng.random();
    switch (method) {
        .random => for (0..count) |i| {
            for (embedding[i * stride ..][0..component_count]) |*x| x.* = random.float(f32) * 20 - 10;
        },
        .spectral => {
            try spectralLayout(allocator, pool, graph, component_count, seed, embedding, stride);
            var max_abs: f32 = 0;
            for (embedding) |x| max_abs = @max(max_abs, @abs(x));
            const expansion: f32 = if (max_abs > 0) 10 / max_abs else 1;
            for (0..count) |i| {
                for (embedding[i * stride ..][0..component_count]) |*x| {
                    x.* = x.* * expansion + 1e-4 * random.floatNorm(f32);
                }
            }
        },
    }
    scaleColumns(embedding, count, stride, component_count);
}

/// Maps each coordinate linearly onto [0, 10] (a constant coordinate becomes 0).
fn scaleColumns(embedding: []f32, count: u32, stride: u32, component_count: u32) void {
    for (0..component_count) |c| {
        var lo = std.math.inf(f32);
        var hi = -std.math.inf(f32);
        for (0..count) |i| {
            lo = @min(lo, embedding[i * stride + c]);
            hi = @max(hi, embedding[i * stride + c]);
        }
        const factor: f32 = if (hi > lo) 10 / (hi - lo) else 0;
        for (0..count) |i| embedding[i * stride + c] = (embedding[i * stride + c] - lo) * factor;
    }
}

/// A count x width block of f64 vectors, row-major; width is a multiple of 8.
const Block = struct {
    data: []f64,
    width: u32,

    fn row(b: Block, i: usize) []f64 {
        return b.data[i * b.width ..][0..b.width];
    }
};

/// out = alpha M x + beta x + gamma z (z may be absent), over a chunk of rows.
const Affine = struct {
    offsets: []const u32,
    columns: []const u32,
    weights: []const f64, // w_ij / sqrt(d_i d_j)
    x: Block,
    z: ?Block,
    out: Block,
    alpha: f64,
    beta: f64,
    gamma: f64,
};

fn affineTask(a: *const Affine, chunk: u32) void {
    const count: u32 = @intCast(a.offsets.len - 1);
    const range = chunkRange(count, fixed_chunks, chunk);
    const vecs = a.x.width / 8;
    for (range.begin..range.end) |i| {
        const out = a.out.row(i);
        @memset(out, 0);
        for (a.offsets[i]..a.offsets[i + 1]) |e| {
            const w: V8 = @splat(a.alpha * a.weights[e]);
            const src = a.x.row(a.columns[e]);
            for (0..vecs) |v| out[v * 8 ..][0..8].* = simd.mulAdd(V8, w, src[v * 8 ..][0..8].*, out[v * 8 ..][0..8].*);
        }
        const xi = a.x.row(i);
        const beta: V8 = @splat(a.beta);
        for (0..vecs) |v| out[v * 8 ..][0..8].* = simd.mulAdd(V8, beta, xi[v * 8 ..][0..8].*, out[v * 8 ..][0..8].*);
        if (a.z) |z| {
            const zi = z.row(i);
            const gamma: V8 = @splat(a.gamma);
            for (0..vecs) |v| out[v * 8 ..][0..8].* = simd.mulAdd(V8, gamma, zi[v * 8 ..][0..8].*, out[v * 8 ..][0..8].*);
        }
    }
}

/// Partial X^T Y over fixed row chunks, summed in chunk order.
const Gram = struct {
    x: Block,
    y: Block,
    partial: []f64, // fixed_chunks x width x width
};

/// Rows taken together by the Gram and rotation kernels, so each row of the small matrix is loaded
/// once per this many rows of the block.
const row_group = 4;

fn gramTask(g: *const Gram, chunk: u32) void {
    const count: u32 = @intCast(g.x.data.len / g.x.width);
    const w = g.x.width;
    const range = chunkRange(count, fixed_chunks, chunk);
    const out = g.partial[@as(usize, chunk) * w * w ..][0 .. w * w];
    @memset(out, 0);
    var i = range.begin;
    while (i + row_group <= range.end) : (i += row_group) gramRows(row_group, g, i, out);
    while (i < range.end) : (i += 1) gramRows(1, g, i, out);
}

/// out += x[first..][0..rows]^T y[first..][0..rows]
fn gramRows(comptime rows: u32, g: *const Gram, first: u32, out: []f64) void {
    const w = g.x.width;
    var xs: [rows][]const f64 = undefined;
    var ys: [rows][]const f64 = undefined;
    inline for (0..rows) |r| {
        xs[r] = g.x.row(first + r);
        ys[r] = g.y.row(first + r);
    }
    for (0..w) |p| {
        var scale: [rows]V8 = undefined;
        inline for (0..rows) |r| scale[r] = @splat(xs[r][p]);
        const dst = out[p * w ..][0..w];
        for (0..w / 8) |v| {
            var acc: V8 = dst[v * 8 ..][0..8].*;
            inline for (0..rows) |r| acc = simd.mulAdd(V8, scale[r], ys[r][v * 8 ..][0..8].*, acc);
            dst[v * 8 ..][0..8].* = acc;
        }
    }
}

/// out = x R, R a width x width matrix, row by row.
const Rotate = struct { x: Block, r: []const f64, out: Block };

fn rotateTask(t: *const Rotate, chunk: u32) void {
    const count: u32 = @intCast(t.x.data.len / t.x.width);
    const range = chunkRange(count, fixed_chunks, chunk);
    var i = range.begin;
    while (i + row_group <= range.end) : (i += row_group) rotateRows(row_group, t, i);
    while (i < range.end) : (i += 1) rotateRows(1, t, i);
}

fn rotateRows(comptime rows: u32, t: *const Rotate, first: u32) void {
    const w = t.x.width;
    // Two vectors of output columns at a time (one if the width is an odd number of vectors).
    var column: u32 = 0;
    while (column < w) {
        const pair = column + 16 <= w;
        var acc: [rows][2]V8 = @splat(.{ @splat(0), @splat(0) });
        for (0..w) |p| {
            const src = t.r[p * w + column ..];
            const b0: V8 = src[0..8].*;
            const b1: V8 = if (pair) src[8..16].* else @splat(0);
            inline for (0..rows) |r| {
                const s: V8 = @splat(t.x.row(first + r)[p]);
                acc[r][0] = simd.mulAdd(V8, s, b0, acc[r][0]);
                acc[r][1] = simd.mulAdd(V8, s, b1, acc[r][1]);
            }
        }
        inline for (0..rows) |r| {
            const out = t.out.row(first + r)[column..];
            out[0..8].* = acc[r][0];
            if (pair) out[8..16].* = acc[r][1];
        }
        column += if (pair) 16 else 8;
    }
}

const Solver = struct {
    pool: *Pool,
    count: u32,
    width: u32,
    offsets: []const u32,
    columns: []const u32,
    weights: []f64,
    x: Block,
    ax: Block,
    spare: [2]Block,
    small: []f64, // width x width scratch
    small2: []f64, // width x width scratch
    partial: []f64,
    theta: []f64,

    fn affine(s: *Solver, x: Block, z: ?Block, out: Block, alpha: f64, beta: f64, gamma: f64) void {
        const a = Affine{
            .offsets = s.offsets,
            .columns = s.columns,
            .weights = s.weights,
            .x = x,
            .z = z,
            .out = out,
            .alpha = alpha,
            .beta = beta,
            .gamma = gamma,
        };
        s.pool.parallelFor(fixed_chunks, &a, affineTask);
    }

    /// out (width x width) = x^T y.
    fn gram(s: *Solver, x: Block, y: Block, out: []f64) void {
        const g = Gram{ .x = x, .y = y, .partial = s.partial };
        s.pool.parallelFor(fixed_chunks, &g, gramTask);
        const ww = @as(usize, s.width) * s.width;
        @memcpy(out, s.partial[0..ww]);
        for (1..fixed_chunks) |c| {
            for (out, s.partial[c * ww ..][0..ww]) |*o, p| o.* += p;
        }
    }

    /// x <- x r, computed into a spare block that then takes x's place.
    fn rotate(s: *Solver, x: *Block, r: []const f64) void {
        const t = Rotate{ .x = x.*, .r = r, .out = s.spare[0] };
        s.pool.parallelFor(fixed_chunks, &t, rotateTask);
        std.mem.swap(Block, x, &s.spare[0]);
    }

    /// Orthonormal columns by CholQR2 (Cholesky of the Gram matrix, x <- x R^-1, twice), with the
    /// shifted variant and a third pass if the Gram matrix is numerically singular.
    fn orthonormalize(s: *Solver) void {
        var passes: u32 = 2;
        var pass: u32 = 0;
        while (pass < passes) : (pass += 1) {
            s.gram(s.x, s.x, s.small);
            if (!cholesky.factorInPlace(s.small, s.width, 0)) {
                s.gram(s.x, s.x, s.small);
                var trace: f64 = 0;
                for (0..s.width) |i| trace += s.small[i * s.width + i];
                const n: f64 = @floatFromInt(s.count);
                const w: f64 = @floatFromInt(s.width);
                const shift = 11 * (n * w + w * (w + 1)) * std.math.floatEps(f64) * trace;
                for (0..s.width) |i| s.small[i * s.width + i] += shift;
                const ok = cholesky.factorInPlace(s.small, s.width, 0);
                assert(ok);
                passes = 3;
            }
            cholesky.invertUpper(s.small, s.small2, s.width);
            s.rotate(&s.x, s.small2);
        }
    }

    /// Rotates x to the Ritz vectors of M in its span, sorted by Ritz value (theta) descending, with
    /// ax = M x; returns the largest residual norm of the first `wanted`.
    fn rayleighRitz(s: *Solver, wanted: u32) f64 {
        s.affine(s.x, null, s.ax, 1, 0, 0);
        s.gram(s.x, s.ax, s.small);
        const w = s.width;
        for (0..w) |i| {
            for (i + 1..w) |j| {
                const mean = 0.5 * (s.small[i * w + j] + s.small[j * w + i]);
                s.small[i * w + j] = mean;
                s.small[j * w + i] = mean;
            }
        }
        jacobiEigen(s.small, w, s.theta, s.small2);
        sortEigenDescending(s.theta, s.small2, w, s.small);
        s.rotate(&s.x, s.small2);
        s.rotate(&s.ax, s.small2);
        // Squared residual norms of the wanted columns, summed row by row (small2 is free now).
        const squares = s.small2[0..wanted];
        @memset(squares, 0);
        for (0..s.count) |i| {
            const ax = s.ax.row(i);
            const x = s.x.row(i);
            for (squares, 0..) |*sq, c| {
                const r = ax[c] - s.theta[c] * x[c];
                sq.* += r * r;
            }
        }
        var worst: f64 = 0;
        for (squares) |sq| worst = @max(worst, sq);
        return @sqrt(worst);
    }

    /// x <- T_m((M - e) / h) x, damping the spectrum in [-1, cut], then re-orthonormalised.
    fn filter(s: *Solver, cut_in: f64) void {
        const cut = std.math.clamp(cut_in, -0.9, 0.999);
        const e = (cut - 1) / 2;
        const h = (cut + 1) / 2;
        const t1 = (1 - e) / h;
        // Keep T_m(t1), the largest amplification, near 1e6 so the block stays well conditioned.
        const degree_f = @floor(@log(2e6) / std.math.acosh(t1));
        const degree: u32 = @intFromFloat(std.math.clamp(degree_f, 1, chebyshev_degree_max));
        var prev = s.x;
        var cur = s.spare[1];
        s.affine(prev, null, cur, 1 / h, -e / h, 0);
        var next = s.ax; // free until the next Rayleigh-Ritz
        for (1..degree) |_| {
            s.affine(cur, prev, next, 2 / h, -2 * e / h, -1);
            const old_prev = prev;
            prev = cur;
            cur = next;
            next = old_prev;
        }
        // The three buffers were x, spare[1] and ax in some order; give them back their roles.
        s.x = cur;
        s.spare[1] = prev;
        s.ax = next;
        s.orthonormalize();
    }
};

/// The `component_count` eigenvectors of M after the top one, into embedding columns (f32).
fn spectralLayout(
    allocator: std.mem.Allocator,
    pool: *Pool,
    graph: *const Graph,
    component_count: u32,
    seed: u64,
    embedding: []f32,
    stride: u32,
) !void {
    const count = graph.vertexCount();
    const wanted = component_count + 1;
    assert(wanted <= count);
    const weights = try allocator.alloc(f64, graph.edgeCount());
    defer allocator.free(weights);
    try normalizedWeights(allocator, graph, weights);
    const width: u32 = std.mem.alignForward(u32, wanted + guard_vectors, 8);
    if (count <= dense_count_max or width >= count) {
        return denseLayout(allocator, graph, weights, component_count, embedding, stride);
    }
    const block_len = @as(usize, count) * width;
    const vectors = try allocator.alloc(f64, 4 * block_len);
    defer allocator.free(vectors);
    const small = try allocator.alloc(f64, 2 * @as(usize, width) * width + width);
    defer allocator.free(small);
    const partial = try allocator.alloc(f64, fixed_chunks * @as(usize, width) * width);
    defer allocator.free(partial);
    var s = Solver{
        .pool = pool,
        .count = count,
        .width = width,
        .offsets = graph.offsets,
        .columns = graph.columns,
        .weights = weights,
        .x = .{ .data = vectors[0..block_len], .width = width },
        .ax = .{ .data = vectors[block_len..][0..block_len], .width = width },
        .spare = .{
            .{ .data = vectors[2 * block_len ..][0..block_len], .width = width },
            .{ .data = vectors[3 * block_len ..][0..block_len], .width = width },
        },
        .small = small[0 .. width * width],
        .small2 = small[width * width ..][0 .. width * width],
        .partial = partial,
        .theta = small[2 * width * width ..][0..width],
    };
    var prng = std.Random.DefaultPrng.init(seed ^ 0x5EC7_0A11);
    for (s.x.data) |*v| v.* = prng.random().floatNorm(f64);
    s.orthonormalize();
    var residual = s.rayleighRitz(wanted);
    var iteration: u32 = 0;
    while (residual > residual_tolerance and iteration < outer_iterations_max) : (iteration += 1) {
        s.filter(s.theta[width - 1]);
        residual = s.rayleighRitz(wanted);
    }
    for (0..count) |i| {
        const src = s.x.row(i);
        for (0..component_count) |c| embedding[i * stride + c] = @floatCast(src[c + 1]);
    }
}

/// w_ij / sqrt(d_i d_j) with d the weighted degrees (an isolated vertex keeps weight 0).
fn normalizedWeights(allocator: std.mem.Allocator, graph: *const Graph, out: []f64) !void {
    const count = graph.vertexCount();
    const inv_sqrt = try allocator.alloc(f64, count);
    defer allocator.free(inv_sqrt);
    for (0..count) |i| {
        var degree: f64 = 0;
        for (graph.offsets[i]..graph.offsets[i + 1]) |e| degree += graph.weights[e];
        inv_sqrt[i] = if (degree > 0) 1 / @sqrt(degree) else 0;
    }
    for (0..count) |i| {
        for (graph.offsets[i]..graph.offsets[i + 1]) |e| {
            out[e] = graph.weights[e] * inv_sqrt[i] * inv_sqrt[graph.columns[e]];
        }
    }
}

fn denseLayout(
    allocator: std.mem.Allocator,
    graph: *const Graph,
    weights: []const f64,
    component_count: u32,
    embedding: []f32,
    stride: u32,
) !void {
    const n = graph.vertexCount();
    const buffer = try allocator.alloc(f64, 3 * @as(usize, n) * n + n);
    defer allocator.free(buffer);
    const m = buffer[0 .. n * n];
    const vectors = buffer[n * n ..][0 .. n * n];
    const scratch = buffer[2 * n * n ..][0 .. n * n];
    const values = buffer[3 * n * n ..][0..n];
    @memset(m, 0);
    for (0..n) |i| {
        for (graph.offsets[i]..graph.offsets[i + 1]) |e| m[i * n + graph.columns[e]] = weights[e];
    }
    jacobiEigen(m, n, values, vectors);
    sortEigenDescending(values, vectors, n, scratch);
    for (0..n) |i| {
        for (0..component_count) |c| embedding[i * stride + c] = @floatCast(vectors[i * n + c + 1]);
    }
}

// ---------------------------------------------------------------------------------------------
// Small dense linear algebra (width x width, row-major, f64)

// Not dense-eigen.zig: a swap changes UMAP layouts; re-measuring bench:accuracy:long takes hours.
/// Cyclic Jacobi: a (symmetric, destroyed) = V diag(values) V^T, eigenvectors in the columns of V.
fn jacobiEigen(a: []f64, n: u32, values: []f64, v: []f64) void {
    @memset(v, 0);
    for (0..n) |i| v[i * n + i] = 1;
    var norm: f64 = 0;
    for (a) |x| norm += x * x;
    for (0..100) |_| {
        var off: f64 = 0;
        for (0..n) |i| {
            for (i + 1..n) |j| off += a[i * n + j] * a[i * n + j];
        }
        if (off <= 1e-30 * norm) break;
        for (0..n) |p| {
            for (p + 1..n) |q| {
                const apq = a[p * n + q];
                if (@abs(apq) <= 1e-300) continue;
                const tau = (a[q * n + q] - a[p * n + p]) / (2 * apq);
                const t = std.math.sign(tau + 0.5 * std.math.sign(tau) + 0.5) / (@abs(tau) + @sqrt(1 + tau * tau));
                const c = 1 / @sqrt(1 + t * t);
                const s = t * c;
                for (0..n) |k| { // columns p, q
                    const akp = a[k * n + p];
                    const akq = a[k * n + q];
                    a[k * n + p] = c * akp - s * akq;
                    a[k * n + q] = s * akp + c * akq;
                }
                for (0..n) |k| { // rows p, q
                    const apk = a[p * n + k];
                    const aqk = a[q * n + k];
                    a[p * n + k] = c * apk - s * aqk;
                    a[q * n + k] = s * apk + c * aqk;
                }
                for (0..n) |k| {
                    const vkp = v[k * n + p];
                    const vkq = v[k * n + q];
                    v[k * n + p] = c * vkp - s * vkq;
                    v[k * n + q] = s * vkp + c * vkq;
                }
            }
        }
    }
    for (0..n) |i| values[i] = a[i * n + i];
}

/// Sorts eigenpairs by value, descending (ties by original position); columns of v follow.
fn sortEigenDescending(values: []f64, v: []f64, n: u32, scratch: []f64) void {
    const order = scratch[0..n];
    for (order, 0..) |*o, i| o.* = @floatFromInt(i);
    const Context = struct {
        values: []const f64,
        fn lessThan(c: @This(), a: f64, b: f64) bool {
            const va = c.values[@intFromFloat(a)];
            const vb = c.values[@intFromFloat(b)];
            return va > vb or (va == vb and a < b);
        }
    };
    std.mem.sort(f64, order, Context{ .values = values }, Context.lessThan);
    // Permute via the rest of the scratch space: one row at a time.
    const row = scratch[n .. 2 * n];
    for (0..n) |i| {
        for (0..n) |c| row[c] = v[i * n + @as(usize, @intFromFloat(order[c]))];
        @memcpy(v[i * n ..][0..n], row);
    }
    for (0..n) |c| row[c] = values[@intFromFloat(order[c])];
    @memcpy(values, row);
}

// ---------------------------------------------------------------------------------------------
// Tests

test "jacobiEigen diagonalises a symmetric matrix" {
    const n = 6;
    var a: [n * n]f64 = undefined;
    var prng = std.Random.DefaultPrng.init(3);
    for (0..n) |i| {
        for (i..n) |j| {
            const x = prng.random().floatNorm(f64);
            a[i * n + j] = x;
            a[j * n + i] = x;
        }
    }
    const original = a;
    var values: [n]f64 = undefined;
    var v: [n * n]f64 = undefined;
    var scratch: [2 * n]f64 = undefined;
    jacobiEigen(&a, n, &values, &v);
    sortEigenDescending(&values, &v, n, &scratch);
    for (0..n - 1) |i| try std.testing.expect(values[i] >= values[i + 1]);
    for (0..n) |c| { // A v_c = lambda_c v_c
        for (0..n) |i| {
            var av: f64 = 0;
            for (0..n) |k| av += original[i * n + k] * v[k * n + c];
            try std.testing.expectApproxEqAbs(values[c] * v[i * n + c], av, 1e-10);
        }
    }
}

test "subspace iteration finds the same leading eigenvectors as the dense solver" {
    const allocator = std.testing.allocator;
    const pool = try Pool.create(allocator, 2);
    defer pool.destroy();
    // A ring of 150 vertices with chords: connected; eigenvalues come in pairs (Fourier modes k and
    // n - k), so 4 components after the top one span two whole pairs.
    const count: u32 = 150;
    var offsets = try allocator.alloc(u32, count + 1);
    var columns = try allocator.alloc(u32, count * 4);
    var weights = try allocator.alloc(f32, count * 4);
    var graph = Graph{ .offsets = offsets, .columns = columns, .weights = weights };
    defer graph.deinit(allocator);
    for (0..count) |i| {
        offsets[i] = @intCast(i * 4);
        const neighbours = [4]u32{ @intCast((i + count - 7) % count), @intCast((i + count - 1) % count), @intCast((i + 1) % count), @intCast((i + 7) % count) };
        const ws = [4]f32{ 0.3, 1, 1, 0.3 };
        var sorted = [4]u32{ 0, 1, 2, 3 };
        std.mem.sort(u32, &sorted, &neighbours, struct {
            fn less(n: *const [4]u32, a: u32, b: u32) bool {
                return n[a] < n[b];
            }
        }.less);
        for (sorted, 0..) |s, r| {
            columns[i * 4 + r] = neighbours[s];
            weights[i * 4 + r] = ws[s];
        }
    }
    offsets[count] = count * 4;
    const components: u32 = 4;
    const iterative = try allocator.alloc(f32, count * 8);
    defer allocator.free(iterative);
    @memset(iterative, 0);
    try spectralLayout(allocator, pool, &graph, components, 1, iterative, 8);
    const dense = try allocator.alloc(f32, count * 8);
    defer allocator.free(dense);
    const normalized = try allocator.alloc(f64, graph.edgeCount());
    defer allocator.free(normalized);
    try normalizedWeights(allocator, &graph, normalized);
    try denseLayout(allocator, &graph, normalized, components, dense, 8);
    // Compare the spanned subspaces: |dense^T iterative| has singular values 1, so each dense vector
    // is (nearly) inside the iterative span.
    for (0..components) |c| {
        var projection_sq: f64 = 0;
        for (0..components) |d| {
            var dot: f64 = 0;
            for (0..count) |i| dot += @as(f64, dense[i * 8 + c]) * iterative[i * 8 + d];
            projection_sq += dot * dot;
        }
        try std.testing.expectApproxEqAbs(@as(f64, 1), projection_sq, 1e-4);
    }
}
