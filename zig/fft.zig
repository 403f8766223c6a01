//! Power spectrum of a real signal of fixed power-of-two length `n`, computed as a complex FFT of
//! n/2 points on the even/odd samples packed as (re, im) plus a split step.
//! Every routine is generic over the element type `T`: `f32` (scalar reference) or `@Vector(L, f32)`,
//! where each lane is an independent signal. The fbank front end runs 8 frames per vector this way, so
//! butterflies need no shuffles and the scalar path is the same code.
//! Tables are computed at compile time.
const std = @import("std");
const assert = std.debug.assert;

pub fn RealFft(comptime n: usize) type {
    comptime assert(std.math.isPowerOfTwo(n) and n >= 8);
    return struct {
        /// Points of the complex FFT.
        pub const half = n / 2;
        const log2_half = std.math.log2_int(usize, half);

        /// Complex input index i goes to position bit_reversed[i] before `transform`.
        pub const bit_reversed: [half]u16 = blk: {
            var table: [half]u16 = undefined;
            for (&table, 0..) |*entry, i| entry.* = @intCast(@bitReverse(@as(u16, @intCast(i))) >> (16 - log2_half));
            break :blk table;
        };

        /// Twiddles exp(-2 pi i k / len) of every radix-2 stage (len = 2, 4, ..., half), concatenated.
        const stage_twiddles = blk: {
            @setEvalBranchQuota(100_000);
            var re: [half - 1]f32 = undefined;
            var im: [half - 1]f32 = undefined;
            var offset: usize = 0;
            var len: usize = 2;
            while (len <= half) : (len *= 2) {
                for (0..len / 2) |k| {
                    const angle = -2.0 * std.math.pi * @as(f64, @floatFromInt(k)) / @as(f64, @floatFromInt(len));
                    re[offset + k] = @floatCast(@cos(angle));
                    im[offset + k] = @floatCast(@sin(angle));
                }
                offset += len / 2;
            }
            break :blk .{ .re = re, .im = im };
        };

        /// exp(-2 pi i k / n) for the split step, k in [0, half/2].
        const split_twiddles = blk: {
            @setEvalBranchQuota(100_000);
            var re: [half / 2 + 1]f32 = undefined;
            var im: [half / 2 + 1]f32 = undefined;
            for (0..half / 2 + 1) |k| {
                const angle = -2.0 * std.math.pi * @as(f64, @floatFromInt(k)) / @as(f64, @floatFromInt(n));
                re[k] = @floatCast(@cos(angle));
                im[k] = @floatCast(@sin(angle));
            }
            break :blk .{ .re = re, .im = im };
        };

        /// Packs real samples x (length <= n, zero-padded to n) as complex z[i] = x[2i] + i x[2i+1]
        /// in bit-reversed order, ready for `transform`.
        pub fn pack(comptime T: type, x: []const T, re: *[half]T, im: *[half]T) void {
            assert(x.len <= n);
            const zero = splat(T, 0);
            for (0..half) |i| {
                const j = bit_reversed[i];
                re[j] = if (2 * i < x.len) x[2 * i] else zero;
                im[j] = if (2 * i + 1 < x.len) x[2 * i + 1] else zero;
            }
        }

        /// In-place radix-2 decimation-in-time FFT of `half` points: bit-reversed in, natural order out.
        pub fn transform(comptime T: type, re: *[half]T, im: *[half]T) void {
            // Stage 1 (len 2) has the trivial twiddle 1.
            var start: usize = 0;
            while (start < half) : (start += 2) {
                const ar = re[start];
                const ai = im[start];
                const br = re[start + 1];
                const bi = im[start + 1];
                re[start] = ar + br;
                im[start] = ai + bi;
                re[start + 1] = ar - br;
                im[start + 1] = ai - bi;
            }
            comptime var offset: usize = 1;
            inline for (1..log2_half) |stage| {
                const h: usize = 1 << stage;
                start = 0;
                while (start < half) : (start += 2 * h) {
                    for (0..h) |k| {
                        const wr = splat(T, stage_twiddles.re[offset + k]);
                        const wi = splat(T, stage_twiddles.im[offset + k]);
                        const a = start + k;
                        const b = a + h;
                        const tr = re[b] * wr - im[b] * wi;
                        const ti = re[b] * wi + im[b] * wr;
                        re[b] = re[a] - tr;
                        im[b] = im[a] - ti;
                        re[a] += tr;
                        im[a] += ti;
                    }
                }
                offset += h;
            }
        }

        /// |X[k]|^2 for k in [0, half] of the real signal whose packed transform is (re, im).
        pub fn power(comptime T: type, re: *const [half]T, im: *const [half]T, out: *[half + 1]T) void {
            out[0] = (re[0] + im[0]) * (re[0] + im[0]);
            out[half] = (re[0] - im[0]) * (re[0] - im[0]);
            const one_half = splat(T, 0.5);
            // X[k] = E + W^k O and X[half-k] = conj(E - W^k O), with E, O the transforms of the even
            // and odd samples recovered from Z[k] and Z[half-k].
            for (1..half / 2 + 1) |k| {
                const m = half - k;
                const er = (re[k] + re[m]) * one_half;
                const ei = (im[k] - im[m]) * one_half;
                const or_ = (im[k] + im[m]) * one_half;
                const oi = (re[m] - re[k]) * one_half;
                const wr = splat(T, split_twiddles.re[k]);
                const wi = splat(T, split_twiddles.im[k]);
                const pr = wr * or_ - wi * oi;
                const pi = wr * oi + wi * or_;
                out[k] = (er + pr) * (er + pr) + (ei + pi) * (ei + pi);
                out[m] = (er - pr) * (er - pr) + (ei - pi) * (ei - pi);
            }
        }
    };
}

pub fn splat(comptime T: type, value: f32) T {
    return if (T == f32) value else @splat(value);
}

fn naivePower(x: []const f64, n: usize, out: []f64) void {
    for (0..n / 2 + 1) |k| {
        var sr: f64 = 0;
        var si: f64 = 0;
        for (x, 0..) |v, j| {
            const angle = -2.0 * std.math.pi * @as(f64, @floatFromInt(j * k % n)) / @as(f64, @floatFromInt(n));
            sr += v * @cos(angle);
            si += v * @sin(angle);
        }
        out[k] = sr * sr + si * si;
    }
}

fn expectPowerMatchesNaive(comptime n: usize, x: []const f32) !void {
    const F = RealFft(n);
    var re: [F.half]f32 = undefined;
    var im: [F.half]f32 = undefined;
    var got: [F.half + 1]f32 = undefined;
    F.pack(f32, x, &re, &im);
    F.transform(f32, &re, &im);
    F.power(f32, &re, &im, &got);
    var x64: [n]f64 = undefined;
    for (x, 0..) |v, i| x64[i] = v;
    var want: [n / 2 + 1]f64 = undefined;
    naivePower(x64[0..x.len], n, &want);
    var peak: f64 = 0;
    for (want) |w| peak = @max(peak, w);
    for (want, got) |w, g| {
        // f32 rounding: error relative to the largest bin, as any f32 FFT has.
        try std.testing.expectApproxEqAbs(w, @as(f64, g), 1e-5 * peak + 1e-9);
    }
}

test "real FFT power matches a naive DFT (n = 8, 64, 512, zero-padded input)" {
    var prng = std.Random.DefaultPrng.init(7);
    const random = prng.random();
    var x: [512]f32 = undefined;
    for (&x) |*v| v.* = random.float(f32) * 2 - 1;
    try expectPowerMatchesNaive(8, x[0..8]);
    try expectPowerMatchesNaive(64, x[0..64]);
    try expectPowerMatchesNaive(512, x[0..512]);
    try expectPowerMatchesNaive(512, x[0..400]);
    // A pure tone puts its power into one bin: catches a wrong twiddle sign or bin order.
    for (&x, 0..) |*v, i| v.* = @floatCast(@cos(2.0 * std.math.pi * 37.0 * @as(f64, @floatFromInt(i)) / 512.0));
    try expectPowerMatchesNaive(512, &x);
}

test "vector lanes give the same power as the scalar path" {
    const F = RealFft(512);
    const V = @Vector(8, f32);
    var prng = std.Random.DefaultPrng.init(11);
    const random = prng.random();
    var lanes: [8][400]f32 = undefined;
    for (&lanes) |*signal| for (signal) |*v| {
        v.* = random.float(f32) - 0.5;
    };
    var xv: [400]V = undefined;
    for (0..400) |i| {
        for (0..8) |l| xv[i][l] = lanes[l][i];
    }
    var re_v: [F.half]V = undefined;
    var im_v: [F.half]V = undefined;
    var power_v: [F.half + 1]V = undefined;
    F.pack(V, &xv, &re_v, &im_v);
    F.transform(V, &re_v, &im_v);
    F.power(V, &re_v, &im_v, &power_v);
    for (0..8) |l| {
        var re: [F.half]f32 = undefined;
        var im: [F.half]f32 = undefined;
        var power: [F.half + 1]f32 = undefined;
        F.pack(f32, &lanes[l], &re, &im);
        F.transform(f32, &re, &im);
        F.power(f32, &re, &im, &power);
        for (power, 0..) |p, k| try std.testing.expectEqual(p, power_v[k][l]);
    }
}
