//! Cholesky factor and triangular inverse of a small dense matrix (n x n, row-major, f64): the CholQR
//! steps of block Lanczos (eigen.zig) and of UMAP's subspace iteration (umap-init.zig) share them, so
//! both orthonormalise with the same arithmetic.
const std = @import("std");
const assert = std.debug.assert;

/// In place: the upper triangle of the symmetric `a` becomes R with a = R^T R, the strict lower
/// triangle zero. False when a pivot falls to `min_pivot` or below (`a` is then partly overwritten):
/// 0 asks only for positive definiteness, a larger one refuses a block close to rank deficient.
pub fn factorInPlace(a: []f64, n: usize, min_pivot: f64) bool {
    assert(n >= 1);
    assert(a.len >= n * n);
    assert(min_pivot >= 0);
    for (0..n) |j| {
        var diag = a[j * n + j];
        for (0..j) |k| diag -= a[k * n + j] * a[k * n + j];
        if (!(diag > min_pivot * min_pivot)) return false;
        const pivot = @sqrt(diag);
        a[j * n + j] = pivot;
        for (j + 1..n) |i| {
            var sum = a[j * n + i];
            for (0..j) |k| sum -= a[k * n + j] * a[k * n + i];
            a[j * n + i] = sum / pivot;
        }
        for (0..j) |k| a[j * n + k] = 0;
    }
    return true;
}

/// out = r^-1 for the upper triangular `r` of factorInPlace (its diagonal positive).
pub fn invertUpper(r: []const f64, out: []f64, n: usize) void {
    assert(n >= 1);
    assert(r.len >= n * n and out.len >= n * n);
    assert(r.ptr != out.ptr);
    @memset(out[0 .. n * n], 0);
    var j: usize = n;
    while (j > 0) {
        j -= 1;
        assert(r[j * n + j] > 0);
        out[j * n + j] = 1 / r[j * n + j];
        for (j + 1..n) |c| {
            // out[j][c] = -(sum over k in j+1..c of r[j][k] out[k][c]) / r[j][j], rows below j being done.
            var sum: f64 = 0;
            for (j + 1..c + 1) |k| sum += r[j * n + k] * out[k * n + c];
            out[j * n + c] = -sum / r[j * n + j];
        }
    }
}

test "factorInPlace and invertUpper give R^-1 with R^T R = A" {
    const n = 4;
    var a = [_]f64{ 4, 2, 0, 1, 2, 5, 1, 0, 0, 1, 3, 1, 1, 0, 1, 6 };
    const original = a;
    try std.testing.expect(factorInPlace(&a, n, 0));
    for (0..n) |i| {
        for (0..i) |j| try std.testing.expectEqual(@as(f64, 0), a[i * n + j]);
        for (0..n) |j| {
            var s: f64 = 0;
            for (0..n) |k| s += a[k * n + i] * a[k * n + j];
            try std.testing.expectApproxEqAbs(original[i * n + j], s, 1e-12);
        }
    }
    var inv: [n * n]f64 = undefined;
    invertUpper(&a, &inv, n);
    for (0..n) |i| {
        for (0..n) |j| {
            var s: f64 = 0;
            for (0..n) |k| s += a[i * n + k] * inv[k * n + j];
            try std.testing.expectApproxEqAbs(@as(f64, if (i == j) 1 else 0), s, 1e-12);
        }
    }
}

test "factorInPlace refuses a singular matrix, and a pivot at or below min_pivot" {
    var singular = [_]f64{ 1, 1, 1, 1 };
    try std.testing.expect(!factorInPlace(&singular, 2, 0));
    // Pivots 2 and 1 (R = [2 1; 0 1]): accepted with min_pivot below 1, refused at 1.
    const b = [_]f64{ 4, 2, 2, 2 };
    var accepted = b;
    try std.testing.expect(factorInPlace(&accepted, 2, 0.999));
    try std.testing.expectEqualSlices(f64, &.{ 2, 1, 0, 1 }, &accepted);
    var refused = b;
    try std.testing.expect(!factorInPlace(&refused, 2, 1));
}
