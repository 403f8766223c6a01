//! UMAP's low-dimensional similarity curve 1 / (1 + a d^(2b)), a and b fitted as umap-learn does.
const std = @import("std");
const assert = std.debug.assert;

pub const Curve = struct { a: f64, b: f64 };

/// Least-squares fit (Levenberg-Marquardt, from a = b = 1 as scipy's curve_fit starts) of
/// 1 / (1 + a x^(2b)) to 1 for x < min_dist and exp(-(x - min_dist) / spread) beyond, on 300 points
/// of [0, 3 spread], as umap-learn's find_ab_params.
pub fn fitCurve(spread: f64, min_dist: f64) Curve {
    assert(spread > 0);
    assert(min_dist >= 0);
    const point_count = 300;
    var xs: [point_count]f64 = undefined;
    var ys: [point_count]f64 = undefined;
    for (&xs, &ys, 0..) |*x, *y, i| {
        x.* = 3 * spread * @as(f64, @floatFromInt(i)) / (point_count - 1);
        y.* = if (x.* < min_dist) 1 else @exp(-(x.* - min_dist) / spread);
    }
    var p = [2]f64{ 1, 1 };
    var lambda: f64 = 1e-3;
    var cost = curveCost(&xs, &ys, p);
    for (0..200) |_| {
        // Normal equations J^T J dp = -J^T r with r = f - y.
        var jtj = [3]f64{ 0, 0, 0 }; // aa, ab, bb
        var jtr = [2]f64{ 0, 0 };
        for (xs, ys) |x, y| {
            if (x == 0) continue; // f = 1 and both derivatives vanish
            const u = std.math.pow(f64, x, 2 * p[1]);
            const q = 1 + p[0] * u;
            const r = 1 / q - y;
            const da = -u / (q * q);
            const db = -p[0] * u * 2 * @log(x) / (q * q);
            jtj[0] += da * da;
            jtj[1] += da * db;
            jtj[2] += db * db;
            jtr[0] += da * r;
            jtr[1] += db * r;
        }
        const m00 = jtj[0] * (1 + lambda);
        const m11 = jtj[2] * (1 + lambda);
        const det = m00 * m11 - jtj[1] * jtj[1];
        const step = [2]f64{ -(m11 * jtr[0] - jtj[1] * jtr[1]) / det, -(m00 * jtr[1] - jtj[1] * jtr[0]) / det };
        const trial = [2]f64{ p[0] + step[0], p[1] + step[1] };
        const trial_cost = curveCost(&xs, &ys, trial);
        if (trial_cost < cost) {
            const converged = cost - trial_cost <= 1e-15 * cost;
            p = trial;
            cost = trial_cost;
            lambda = @max(lambda / 10, 1e-12);
            if (converged) break;
        } else {
            lambda *= 10;
            if (lambda > 1e12) break;
        }
    }
    return .{ .a = p[0], .b = p[1] };
}

fn curveCost(xs: []const f64, ys: []const f64, p: [2]f64) f64 {
    var cost: f64 = 0;
    for (xs, ys) |x, y| {
        const f = if (x == 0) 1 else 1 / (1 + p[0] * std.math.pow(f64, x, 2 * p[1]));
        cost += (f - y) * (f - y);
    }
    return cost;
}

test "fitCurve matches umap-learn's find_ab_params" {
    // scipy curve_fit values printed by umap.umap_.find_ab_params (umap-learn 0.5.12).
    const zero = fitCurve(1, 0);
    try std.testing.expectApproxEqRel(@as(f64, 1.93280839734315), zero.a, 1e-5);
    try std.testing.expectApproxEqRel(@as(f64, 0.7904949732233831), zero.b, 1e-5);
    const tenth = fitCurve(1, 0.1);
    try std.testing.expectApproxEqRel(@as(f64, 1.5769434602697652), tenth.a, 1e-5);
    try std.testing.expectApproxEqRel(@as(f64, 0.8950608778515733), tenth.b, 1e-5);
}
