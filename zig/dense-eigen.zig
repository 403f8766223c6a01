//! Smallest eigenpairs of a small dense symmetric matrix: Householder tridiagonalisation, implicit QL
//! for all eigenvalues (recording its plane rotations), then only the wanted eigenvectors: each is a
//! unit vector pushed back through the recorded rotations and the reflectors, so the cost of vectors
//! grows with the number wanted instead of with n^3. eigen.zig uses it for small Laplacians and for
//! the Rayleigh-Ritz step of block Lanczos, and shares its f64 vector kernels.
const std = @import("std");
const assert = std.debug.assert;
const simd = @import("simd.zig");

pub const Error = error{ OutOfMemory, NoConvergence };

/// f64 lanes of the vector kernels: fixed, not the CPU's preferred width, so that sums split the same
/// way on every machine (see simd.zig on float modes).
pub const lanes = 4;
pub const Vector = @Vector(lanes, f64);

/// Smallest `m` eigenpairs of the symmetric n x n matrix `a` (row-major; overwritten). Writes the
/// eigenvalues ascending into `values` and the eigenvectors into `vectors` (n x m, row-major:
/// vectors[i * m + j] is component i of eigenvector j).
pub fn smallest(allocator: std.mem.Allocator, a: []f64, n: usize, m: usize, values: []f64, vectors: []f64) Error!void {
    assert(a.len == n * n and m <= n and values.len == m and vectors.len == n * m);
    if (m == 0) return;
    const d = try allocator.alloc(f64, n);
    defer allocator.free(d);
    const e = try allocator.alloc(f64, n);
    defer allocator.free(e);
    const betas = try allocator.alloc(f64, n);
    defer allocator.free(betas);
    const scratch = try allocator.alloc(f64, 2 * n);
    defer allocator.free(scratch);
    tridiagonalize(a, n, d, e, betas, scratch);

    var rotations: std.ArrayList(Rotation) = .empty;
    defer rotations.deinit(allocator);
    try tridiagonalQl(allocator, d, e, &rotations);

    // The m smallest, ties by position (deterministic).
    const order = try allocator.alloc(u32, n);
    defer allocator.free(order);
    for (order, 0..) |*o, i| o.* = @intCast(i);
    std.sort.pdq(u32, order, d, struct {
        fn less(dd: []const f64, x: u32, y: u32) bool {
            return dd[x] < dd[y] or (dd[x] == dd[y] and x < y);
        }
    }.less);

    // Eigenvector j of the tridiagonal matrix is column j of the product of the QL rotations:
    // replay them backwards on e_j. Rows of `vectors` hold one component of all m vectors.
    @memset(vectors, 0);
    for (order[0..m], 0..) |j, t| {
        values[t] = d[j];
        vectors[@as(usize, j) * m + t] = 1;
    }
    var r = rotations.items.len;
    while (r > 0) {
        r -= 1;
        const rot = rotations.items[r];
        rotateRows(vectors[rot.i * m ..][0..m], vectors[(rot.i + 1) * m ..][0..m], rot.c, rot.s);
    }
    applyReflectors(a, n, betas, vectors, m, scratch[0..m]);
}

/// Householder reduction of symmetric `a` (only its lower triangle is read) to tridiagonal form
/// (diagonal d, off-diagonal e[0..n-1]). Reflector k (I - beta_k v v^T, acting on rows k+1..n) is
/// stored below the diagonal in column k.
fn tridiagonalize(a: []f64, n: usize, d: []f64, e: []f64, betas: []f64, scratch: []f64) void {
    @memset(betas, 0);
    @memset(e, 0);
    var k: usize = 0;
    while (k + 2 < n) : (k += 1) {
        const len = n - k - 1;
        // x = a[k+1.., k]
        const x0 = a[(k + 1) * n + k];
        var tail2: f64 = 0;
        for (k + 2..n) |i| tail2 += a[i * n + k] * a[i * n + k];
        if (tail2 == 0) {
            // Already tridiagonal in this column.
            e[k] = x0;
            continue;
        }
        const norm = @sqrt(x0 * x0 + tail2);
        const alpha = if (x0 >= 0) -norm else norm;
        // v = x - alpha e1 (kept in place), beta = 2 / (v^T v)
        a[(k + 1) * n + k] = x0 - alpha;
        const v0 = x0 - alpha;
        const beta = 2.0 / (v0 * v0 + tail2);
        betas[k] = beta;
        e[k] = alpha;
        const v = scratch[0..len];
        for (v, 0..) |*vi, t| vi.* = a[(k + 1 + t) * n + k];
        // p = beta * B v, w = p - (beta / 2)(p^T v) v, B -= v w^T + w v^T, on the lower triangle of
        // the trailing block B only: row t of B holds B[t][0..t+1], and its entries also serve as
        // column t above the diagonal.
        const w = scratch[n .. n + len];
        @memset(w, 0);
        for (0..len) |t| {
            const row = a[(k + 1 + t) * n + k + 1 ..][0..t];
            w[t] += dot(row, v[0..t]) + a[(k + 1 + t) * n + k + 1 + t] * v[t];
            axpy(w[0..t], v[t], row);
        }
        var pv: f64 = 0;
        for (w, v) |*wi, vi| {
            wi.* *= beta;
            pv += wi.* * vi;
        }
        const half = 0.5 * beta * pv;
        for (w, v) |*wi, vi| wi.* -= half * vi;
        for (0..len) |t| {
            const row = a[(k + 1 + t) * n + k + 1 ..][0 .. t + 1];
            axpy(row, -v[t], w[0 .. t + 1]);
            axpy(row, -w[t], v[0 .. t + 1]);
        }
    }
    for (0..n) |i| d[i] = a[i * n + i];
    if (n >= 2) e[n - 2] = a[(n - 1) * n + n - 2];
    e[n - 1] = 0;
}

/// vectors (n x m, rows = components) <- Q vectors, Q = H_0 H_1 ... H_{n-3} from `tridiagonalize`.
fn applyReflectors(a: []const f64, n: usize, betas: []const f64, vectors: []f64, m: usize, u: []f64) void {
    var k: usize = if (n >= 3) n - 2 else 0;
    while (k > 0) {
        k -= 1;
        const beta = betas[k];
        if (beta == 0) continue;
        // u = v^T Z[k+1..], Z[k+1..] -= beta v u^T
        @memset(u, 0);
        for (k + 1..n) |i| axpy(u, a[i * n + k], vectors[i * m ..][0..m]);
        for (k + 1..n) |i| axpy(vectors[i * m ..][0..m], -beta * a[i * n + k], u);
    }
}

const Rotation = struct { c: f64, s: f64, i: u32 };

/// Applies a recorded QL rotation to two rows: (x, y) <- (c x + s y, -s x + c y).
fn rotateRows(x: []f64, y: []f64, c: f64, s: f64) void {
    const cv: Vector = @splat(c);
    const sv: Vector = @splat(s);
    var i: usize = 0;
    while (i + lanes <= x.len) : (i += lanes) {
        const xv: Vector = x[i..][0..lanes].*;
        const yv: Vector = y[i..][0..lanes].*;
        x[i..][0..lanes].* = cv * xv + sv * yv;
        y[i..][0..lanes].* = cv * yv - sv * xv;
    }
    while (i < x.len) : (i += 1) {
        const xs = x[i];
        x[i] = c * xs + s * y[i];
        y[i] = c * y[i] - s * xs;
    }
}

/// Eigenvalues of the symmetric tridiagonal matrix (d, e; e[i] couples i and i+1, e[n-1] unused)
/// into d (unsorted) by implicit QL with Wilkinson shifts. Each plane rotation that would update
/// the eigenvector matrix Z (Z <- Z G on columns i, i+1) is appended to `rotations`.
fn tridiagonalQl(allocator: std.mem.Allocator, d: []f64, e: []f64, rotations: *std.ArrayList(Rotation)) Error!void {
    const n = d.len;
    if (n == 0) return;
    e[n - 1] = 0;
    const eps = std.math.floatEps(f64);
    for (0..n) |l| {
        var iterations: u32 = 0;
        while (true) {
            var m = l;
            while (m + 1 < n) : (m += 1) {
                const scale = @abs(d[m]) + @abs(d[m + 1]);
                if (@abs(e[m]) <= eps * scale) break;
            }
            if (m == l) break;
            iterations += 1;
            if (iterations > 60) return error.NoConvergence;
            var g = (d[l + 1] - d[l]) / (2.0 * e[l]);
            var r = @sqrt(g * g + 1.0);
            g = d[m] - d[l] + e[l] / (g + (if (g >= 0) r else -r));
            var s: f64 = 1;
            var c: f64 = 1;
            var p: f64 = 0;
            var i = m;
            var deflated = false;
            while (i > l) {
                i -= 1;
                const f = s * e[i];
                const b = c * e[i];
                // Plain sqrt: the operands are far from overflow here and std.math.hypot's scaling is slow.
                r = @sqrt(f * f + g * g);
                e[i + 1] = r;
                if (r == 0) {
                    d[i + 1] -= p;
                    e[m] = 0;
                    deflated = true;
                    break;
                }
                s = f / r;
                c = g / r;
                g = d[i + 1] - p;
                r = (d[i] - g) * s + 2.0 * c * b;
                p = s * r;
                d[i + 1] = g + p;
                g = c * r - b;
                try rotations.append(allocator, .{ .c = c, .s = s, .i = @intCast(i) });
            }
            if (deflated) continue;
            d[l] -= p;
            e[l] = g;
            e[m] = 0;
        }
    }
}

pub fn dot(a: []const f64, b: []const f64) f64 {
    return simd.dotOf(f64, lanes, a, b);
}

/// out += factor * x
pub fn axpy(out: []f64, factor: f64, x: []const f64) void {
    assert(out.len == x.len);
    const f: Vector = @splat(factor);
    var i: usize = 0;
    while (i + lanes <= out.len) : (i += lanes) out[i..][0..lanes].* = @as(Vector, out[i..][0..lanes].*) + f * @as(Vector, x[i..][0..lanes].*);
    while (i < out.len) : (i += 1) out[i] += factor * x[i];
}

// ---------------------------------------------------------------------------------------------
// tests

const testing = std.testing;

fn randomSymmetric(allocator: std.mem.Allocator, n: usize, seed: u64) ![]f64 {
    var prng = std.Random.DefaultPrng.init(seed);
    const r = prng.random();
    const a = try allocator.alloc(f64, n * n);
    for (0..n) |i| for (0..i + 1) |j| {
        const x = r.floatNorm(f64);
        a[i * n + j] = x;
        a[j * n + i] = x;
    };
    return a;
}

fn expectEigenpairs(a: []const f64, n: usize, m: usize, values: []const f64, vectors: []const f64, tol: f64) !void {
    for (0..m) |j| {
        if (j > 0) try testing.expect(values[j] >= values[j - 1]);
        var norm: f64 = 0;
        for (0..n) |i| {
            var av: f64 = 0;
            for (0..n) |k| av += a[i * n + k] * vectors[k * m + j];
            const res = av - values[j] * vectors[i * m + j];
            try testing.expect(@abs(res) < tol);
            norm += vectors[i * m + j] * vectors[i * m + j];
        }
        try testing.expectApproxEqAbs(@as(f64, 1), norm, 1e-9);
        for (0..j) |k| {
            var inner: f64 = 0;
            for (0..n) |i| inner += vectors[i * m + j] * vectors[i * m + k];
            try testing.expect(@abs(inner) < 1e-9);
        }
    }
}

test "smallest returns orthonormal eigenpairs in ascending order" {
    const allocator = testing.allocator;
    for ([_]usize{ 1, 2, 3, 10, 57 }) |n| {
        const a = try randomSymmetric(allocator, n, n);
        defer allocator.free(a);
        const work = try allocator.dupe(f64, a);
        defer allocator.free(work);
        const m = @min(n, 7);
        const values = try allocator.alloc(f64, m);
        defer allocator.free(values);
        const vectors = try allocator.alloc(f64, n * m);
        defer allocator.free(vectors);
        try smallest(allocator, work, n, m, values, vectors);
        try expectEigenpairs(a, n, m, values, vectors, 1e-9);
        // The trace check: all n eigenvalues sum to the trace.
        if (n == 57) {
            const all = try allocator.alloc(f64, n);
            defer allocator.free(all);
            const all_vectors = try allocator.alloc(f64, n * n);
            defer allocator.free(all_vectors);
            @memcpy(work, a);
            try smallest(allocator, work, n, n, all, all_vectors);
            var trace: f64 = 0;
            var sum: f64 = 0;
            for (0..n) |i| {
                trace += a[i * n + i];
                sum += all[i];
            }
            try testing.expectApproxEqAbs(trace, sum, 1e-9);
            try testing.expectEqualSlices(f64, values, all[0..m]);
        }
    }
}

test "smallest handles repeated eigenvalues" {
    const allocator = testing.allocator;
    // Block diagonal: three copies of the same 2x2 block, so each eigenvalue has multiplicity 3.
    const n = 6;
    var a = [_]f64{0} ** (n * n);
    for (0..3) |blk| {
        const i = 2 * blk;
        a[i * n + i] = 2;
        a[(i + 1) * n + i + 1] = 2;
        a[i * n + i + 1] = -1;
        a[(i + 1) * n + i] = -1;
    }
    var work = a;
    var values: [4]f64 = undefined;
    var vectors: [n * 4]f64 = undefined;
    try smallest(testing.allocator, &work, n, 4, &values, &vectors);
    try expectEigenpairs(&a, n, 4, &values, &vectors, 1e-12);
    for (values[0..3]) |v| try testing.expectApproxEqAbs(@as(f64, 1), v, 1e-12);
    try testing.expectApproxEqAbs(@as(f64, 3), values[3], 1e-12);
    _ = allocator;
}
