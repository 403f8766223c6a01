//! What the numeric modules share: `mulAdd`, the rounding every decision-making kernel uses, and
//! `normalize` (full vectors, then a scalar tail).
const std = @import("std");
const assert = std.debug.assert;

/// Lanes per vector: 8 f32 fill one AVX register and two SSE registers.
const lanes = 8;
const Vec = @Vector(lanes, f32);

/// a * b + c, rounded twice, never fused. Everything that can decide a speaker count (similarities,
/// eigensolvers, k-means, kNN, UMAP, HDBSCAN) must round the same on every CPU: the portable baseline
/// has no FMA, so fusing where the CPU has it would change the bits from machine to machine. For the
/// same reason the numeric kernels use fixed vector widths (never std.simd.suggestVectorLength) and
/// the default strict float mode (never .optimized, which lets LLVM reassociate and contract by target).
pub inline fn mulAdd(comptime T: type, a: T, b: T, c: T) T {
    return a * b + c;
}

/// Sum of a[i] * b[i]: two accumulators of `width` lanes over full pairs of vectors, then a scalar
/// tail, in that fixed order (dense-eigen.zig uses it for f64 at its own width).
pub fn dotOf(comptime T: type, comptime width: comptime_int, a: []const T, b: []const T) T {
    assert(a.len == b.len);
    const V = @Vector(width, T);
    var acc0: V = @splat(0);
    var acc1: V = @splat(0);
    var i: usize = 0;
    while (i + 2 * width <= a.len) : (i += 2 * width) {
        acc0 += @as(V, a[i..][0..width].*) * @as(V, b[i..][0..width].*);
        acc1 += @as(V, a[i + width ..][0..width].*) * @as(V, b[i + width ..][0..width].*);
    }
    var sum = @reduce(.Add, acc0 + acc1);
    while (i < a.len) : (i += 1) sum += a[i] * b[i];
    return sum;
}

fn dot(a: []const f32, b: []const f32) f32 {
    return dotOf(f32, lanes, a, b);
}

fn scale(x: []f32, factor: f32) void {
    const s: Vec = @splat(factor);
    var i: usize = 0;
    while (i + lanes <= x.len) : (i += lanes) x[i..][0..lanes].* = @as(Vec, x[i..][0..lanes].*) * s;
    while (i < x.len) : (i += 1) x[i] *= factor;
}

/// Scales x to unit L2 norm; a zero vector stays zero.
pub fn normalize(x: []f32) void {
    const norm = @sqrt(dot(x, x));
    if (norm > 0) scale(x, 1.0 / norm);
}

test "dot, scale and normalize match scalar loops on odd lengths" {
    var a: [37]f32 = undefined;
    var b: [37]f32 = undefined;
    for (&a, &b, 0..) |*x, *y, i| {
        x.* = @as(f32, @floatFromInt(i)) * 0.5 - 3;
        y.* = 1.0 / (@as(f32, @floatFromInt(i)) + 1);
    }
    var want: f32 = 0;
    for (a, b) |x, y| want += x * y;
    try std.testing.expectApproxEqAbs(want, dot(&a, &b), 1e-4);
    var out = a;
    scale(&out, 2);
    for (out, a) |o, x| try std.testing.expectEqual(2 * x, o);
    normalize(&out);
    try std.testing.expectApproxEqAbs(@as(f32, 1), dot(&out, &out), 1e-5);
}
