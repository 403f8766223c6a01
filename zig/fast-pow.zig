//! Fast powers for the UMAP layout's gradient coefficients (relative error ~3e-6, far below SGD noise),
//! written once for f32 and for vectors of f32.
const std = @import("std");

fn Bits(comptime T: type) type {
    return switch (@typeInfo(T)) {
        .vector => |v| @Vector(v.len, u32),
        else => u32,
    };
}

fn Shifts(comptime T: type) type {
    return switch (@typeInfo(T)) {
        .vector => |v| @Vector(v.len, u5),
        else => u5,
    };
}

fn Ints(comptime T: type) type {
    return switch (@typeInfo(T)) {
        .vector => |v| @Vector(v.len, i32),
        else => i32,
    };
}

fn choose(comptime T: type, condition: anytype, a: T, b: T) T {
    return switch (@typeInfo(T)) {
        .vector => @select(@typeInfo(T).vector.child, condition, a, b),
        else => if (condition) a else b,
    };
}

fn splat(comptime T: type, x: anytype) T {
    return switch (@typeInfo(T)) {
        .vector => @splat(x),
        else => x,
    };
}

/// log2(x) for x > 0: exponent plus a series for the mantissa reduced to [sqrt(1/2), sqrt(2)).
fn log2Fast(comptime T: type, x_in: T) T {
    const U = Bits(T);
    const I = Ints(T);
    const x = @max(x_in, splat(T, std.math.floatMin(f32)));
    const bits: U = @bitCast(x);
    var mantissa: T = @bitCast((bits & splat(U, 0x007F_FFFF)) | splat(U, 0x3F80_0000));
    const big = mantissa > splat(T, std.math.sqrt2);
    mantissa = choose(T, big, mantissa * splat(T, 0.5), mantissa);
    const exponent_int: I = @as(I, @bitCast(bits >> splat(Shifts(T), 23))) - splat(I, 127) + choose(I, big, splat(I, 1), splat(I, 0));
    // ln(m) = 2 atanh(s), s = (m - 1) / (m + 1), |s| < 0.172
    const s = (mantissa - splat(T, 1)) / (mantissa + splat(T, 1));
    const s2 = s * s;
    const series = splat(T, 1) + s2 * (splat(T, 1.0 / 3.0) + s2 * (splat(T, 1.0 / 5.0) + s2 * splat(T, 1.0 / 7.0)));
    return @as(T, @floatFromInt(exponent_int)) + s * series * splat(T, 2 * std.math.log2e);
}

/// 2^y: 2^round(y) from the exponent bits times a Taylor series of e^(f ln 2), |f| <= 1/2.
fn exp2Fast(comptime T: type, y_in: T) T {
    const U = Bits(T);
    const I = Ints(T);
    const y = std.math.clamp(y_in, splat(T, -126), splat(T, 126));
    const n = @round(y);
    const t = (y - n) * splat(T, std.math.ln2);
    const p = splat(T, 1) + t * (splat(T, 1) + t * (splat(T, 1.0 / 2.0) + t * (splat(T, 1.0 / 6.0) +
        t * (splat(T, 1.0 / 24.0) + t * (splat(T, 1.0 / 120.0) + t * splat(T, 1.0 / 720.0))))));
    const n_int: I = @intFromFloat(n);
    const scale: T = @bitCast(@as(U, @bitCast(n_int + splat(I, 127))) << splat(Shifts(T), 23));
    return p * scale;
}

pub fn powFast(comptime T: type, x: T, b: f32) T {
    return exp2Fast(T, splat(T, b) * log2Fast(T, x));
}

test "powFast agrees with std.math.pow over the range the layout sees" {
    var x: f32 = 1e-6;
    while (x < 1e4) : (x *= 1.37) {
        for ([_]f32{ 0.7905, -0.2095, 0.895 }) |b| {
            const want = std.math.pow(f64, x, b);
            try std.testing.expectApproxEqRel(want, @as(f64, powFast(f32, x, b)), 2e-6);
        }
    }
}
