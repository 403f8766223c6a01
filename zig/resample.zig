//! Band-limited sample-rate conversion with a Kaiser-windowed sinc in polyphase form.
//!
//! Output sample n sits at input time t = n * down / up (the ratio out/in = up/down, reduced).
//! It is the sum over the `taps` input samples around t of x[k] * h(t - k), where h is a
//! windowed ideal low-pass whose cutoff lies between the passband edge and the stopband edge.
//! t's fractional part takes only `up` values, so one row of coefficients per phase is precomputed;
//! when `up` is too large for a table (odd rates), rows are kept at a fixed fine spacing and
//! interpolated linearly, which stays far below the stopband level.
const std = @import("std");
const assert = std.debug.assert;

/// Stopband attenuation of the design, in dB.
pub const stopband_db: f64 = 80;
/// The passband ends at this fraction of the lower Nyquist frequency. 0.97 (ffmpeg's default) rather than 0.9:
/// the models hear up to 8 kHz, and losing 7.2-8 kHz of a 48 kHz recording moved CAM++ embeddings ten times
/// further from the 16 kHz rendition's (BENCHMARKS.md, "Session 25 new-user try").
pub const passband_fraction: f64 = 0.97;
/// Ratios with at most this many phases get one exact row per phase.
pub const exact_phases_max: u32 = 1024;
/// Row spacing (rows per input sample) of the interpolated table used above `exact_phases_max`.
pub const interpolated_rows: u32 = 1024;

/// Zeroth-order modified Bessel function of the first kind, by its power series.
fn besselI0(x: f64) f64 {
    const q = x * x / 4;
    var term: f64 = 1;
    var sum: f64 = 1;
    var k: f64 = 1;
    while (term > 1e-17 * sum) : (k += 1) {
        term *= q / (k * k);
        sum += term;
    }
    return sum;
}

/// Kaiser's empirical beta for a stopband attenuation of `db`.
fn kaiserBeta(db: f64) f64 {
    if (db > 50) return 0.1102 * (db - 8.7);
    if (db >= 21) return 0.5842 * std.math.pow(f64, db - 21, 0.4) + 0.07886 * (db - 21);
    return 0;
}

/// Kaiser's estimate of the filter length for `db` and a transition width in cycles per sample.
fn kaiserLength(db: f64, transition: f64) f64 {
    return (db - 7.95) / (2.285 * 2 * std.math.pi * transition) + 1;
}

/// Lanes of the filter's dot product: one AVX-512 register, two AVX ones.
const lanes = 16;
const Vec = @Vector(lanes, f32);
/// Filter lengths are a multiple of this, so `dot` has no scalar tail.
const taps_multiple = 2 * lanes;

/// Sum of a[i] * b[i] over a length that is a multiple of `taps_multiple`.
fn dot(a: []const f32, b: []const f32) f32 {
    assert(a.len == b.len and a.len % taps_multiple == 0);
    var acc0: Vec = @splat(0);
    var acc1: Vec = @splat(0);
    var i: usize = 0;
    while (i < a.len) : (i += taps_multiple) {
        acc0 += @as(Vec, a[i..][0..lanes].*) * @as(Vec, b[i..][0..lanes].*);
        acc1 += @as(Vec, a[i + lanes ..][0..lanes].*) * @as(Vec, b[i + lanes ..][0..lanes].*);
    }
    return @reduce(.Add, acc0 + acc1);
}

fn sinc(x: f64) f64 {
    if (x == 0) return 1;
    const a = std.math.pi * x;
    return @sin(a) / a;
}

/// The filter's shape: what callers need to know which inputs an output reads, without the table.
pub const Design = struct {
    /// out/in = up/down, in lowest terms.
    up: u32,
    down: u32,
    /// Input samples per output sample: even, a multiple of `taps_multiple`.
    taps: u32,
    /// Cutoff of the ideal low-pass in cycles per input sample.
    cutoff: f64,

    pub fn init(in_rate: u32, out_rate: u32) Design {
        assert(in_rate > 0 and out_rate > 0);
        const g = std.math.gcd(in_rate, out_rate);
        // Edges in cycles per input sample.
        const nyquist = 0.5 * @as(f64, @floatFromInt(@min(in_rate, out_rate))) / @as(f64, @floatFromInt(in_rate));
        const pass = passband_fraction * nyquist;
        // Downsampling: input between the new Nyquist and out_rate - pass folds back between pass and the
        // Nyquist only, above the passband, so the stopband starts at out_rate - pass: twice the transition
        // of stopping at the Nyquist, half the taps (BENCHMARKS.md, "Cheaper resampling of 48 kHz input").
        // Upsampling stops at the input's Nyquist: images above it would be new content in an empty band.
        const stop = if (out_rate < in_rate) 2 * nyquist - pass else nyquist;
        const length: u32 = @intFromFloat(@ceil(kaiserLength(stopband_db, stop - pass)));
        return .{
            .up = out_rate / g,
            .down = in_rate / g,
            .taps = std.mem.alignForward(u32, @max(length, taps_multiple), taps_multiple),
            .cutoff = 0.5 * (pass + stop),
        };
    }

    /// Output samples for `input_len` input samples: those whose time lies inside the input.
    pub fn outputLength(design: Design, input_len: u64) u64 {
        return std.math.divCeil(u64, input_len * design.up, design.down) catch unreachable;
    }

    /// Index of the first input sample that output `n` reads (negative near the start).
    pub fn firstInput(design: Design, n: u64) i64 {
        const whole: i64 = @intCast(n * design.down / design.up);
        return whole - @as(i64, design.taps / 2 - 1);
    }

    /// Input samples [firstInput(begin), inputEnd(end)) are read by outputs [begin, end).
    pub fn inputEnd(design: Design, end: u64) i64 {
        assert(end > 0);
        return design.firstInput(end - 1) + design.taps;
    }
};

pub const Filter = struct {
    design: Design,
    /// Rows of `coeffs`: `up` when exact, `interpolated_rows + 1` when interpolating.
    rows: u32,
    interpolate: bool,
    /// rows x taps; row r weights input samples floor(t) - taps/2 + 1 ... floor(t) + taps/2.
    coeffs: []f32,

    pub fn init(allocator: std.mem.Allocator, in_rate: u32, out_rate: u32) !Filter {
        return initMode(allocator, in_rate, out_rate, .auto);
    }

    pub const Mode = enum { auto, interpolated };

    /// `.interpolated` forces the interpolated table (tests compare it with the exact one).
    pub fn initMode(allocator: std.mem.Allocator, in_rate: u32, out_rate: u32, mode: Mode) !Filter {
        const design = Design.init(in_rate, out_rate);
        const taps = design.taps;
        const interpolate = mode == .interpolated or design.up > exact_phases_max;
        const rows: u32 = if (interpolate) interpolated_rows + 1 else design.up;
        const row_step: f64 = 1 / @as(f64, @floatFromInt(if (interpolate) interpolated_rows else design.up));
        const coeffs = try allocator.alloc(f32, @as(usize, rows) * taps);
        errdefer allocator.free(coeffs);

        const half: f64 = @floatFromInt(taps / 2);
        const beta = kaiserBeta(stopband_db);
        const window_norm = 1 / besselI0(beta);
        const cutoff = design.cutoff;
        const row_values = try allocator.alloc(f64, taps);
        defer allocator.free(row_values);
        var r: u32 = 0;
        while (r < rows) : (r += 1) {
            const frac = @as(f64, @floatFromInt(r)) * row_step;
            var sum: f64 = 0;
            for (row_values, 0..) |*v, j| {
                const tau = frac + half - 1 - @as(f64, @floatFromInt(j));
                const u = tau / half;
                v.* = if (@abs(u) >= 1)
                    0
                else
                    2 * cutoff * sinc(2 * cutoff * tau) * besselI0(beta * @sqrt(1 - u * u)) * window_norm;
                sum += v.*;
            }
            // Unit DC gain for every phase, so a constant input stays exactly constant.
            const dest = coeffs[@as(usize, r) * taps ..][0..taps];
            for (dest, row_values) |*c, v| c.* = @floatCast(v / sum);
        }
        return .{ .design = design, .rows = rows, .interpolate = interpolate, .coeffs = coeffs };
    }

    pub fn deinit(filter: *Filter, allocator: std.mem.Allocator) void {
        allocator.free(filter.coeffs);
        filter.* = undefined;
    }

    fn row(filter: *const Filter, r: u64) []const f32 {
        const taps = filter.design.taps;
        return filter.coeffs[@intCast(r * taps)..][0..taps];
    }

    /// out[i] = y[n_begin + i]; `x` holds input samples x_first, x_first + 1, ... (zeros beyond the
    /// signal's ends are the caller's) and must cover every sample these outputs read.
    pub fn process(filter: *const Filter, x: []const f32, x_first: i64, n_begin: u64, out: []f32) void {
        if (out.len == 0) return;
        const d = filter.design;
        assert(d.firstInput(n_begin) >= x_first);
        assert(d.inputEnd(n_begin + out.len) <= x_first + @as(i64, @intCast(x.len)));
        const up: u64 = d.up;
        const step_whole = d.down / d.up;
        const step_phase = d.down % d.up;
        // Position of the current output as start (index into x of its first tap) + phase / up.
        const t = n_begin * d.down;
        var start: u64 = @intCast(d.firstInput(n_begin) - x_first);
        var phase: u64 = t % up;
        for (out) |*y| {
            const window = x[@intCast(start)..][0..d.taps];
            if (filter.interpolate) {
                // Row position phase / up * interpolated_rows, split into a row and a fraction.
                const scaled = phase * interpolated_rows;
                const r = scaled / up;
                const alpha: f32 = @floatCast(@as(f64, @floatFromInt(scaled % up)) / @as(f64, @floatFromInt(up)));
                const a = dot(window, filter.row(r));
                const b = dot(window, filter.row(r + 1));
                y.* = a + alpha * (b - a);
            } else {
                y.* = dot(window, filter.row(phase));
            }
            start += step_whole;
            phase += step_phase;
            if (phase >= up) {
                phase -= up;
                start += 1;
            }
        }
    }
};

// ---------------------------------------------------------------- tests

const testing = std.testing;

/// Runs the filter over a whole signal (zero beyond its ends), the reference use of `process`.
fn resampleAll(allocator: std.mem.Allocator, filter: *const Filter, x: []const f32) ![]f32 {
    const out = try allocator.alloc(f32, filter.design.outputLength(x.len));
    errdefer allocator.free(out);
    const first = filter.design.firstInput(0);
    const end = filter.design.inputEnd(out.len);
    const padded = try allocator.alloc(f32, @intCast(end - first));
    defer allocator.free(padded);
    @memset(padded, 0);
    @memcpy(padded[@intCast(-first)..][0..x.len], x);
    filter.process(padded, first, 0, out);
    return out;
}

fn sine(allocator: std.mem.Allocator, rate: u32, hz: f64, seconds: f64) ![]f32 {
    const n: usize = @intFromFloat(@as(f64, @floatFromInt(rate)) * seconds);
    const x = try allocator.alloc(f32, n);
    for (x, 0..) |*v, i| v.* = @floatCast(@sin(2 * std.math.pi * hz * @as(f64, @floatFromInt(i)) / @as(f64, @floatFromInt(rate))));
    return x;
}

/// Amplitude of the `hz` component of the middle of `y` (edges skipped), by a single-bin DFT
/// over a Hann window.
fn toneAmplitude(y: []const f32, rate: u32, hz: f64) f64 {
    const skip = y.len / 8;
    const part = y[skip .. y.len - skip];
    var re: f64 = 0;
    var im: f64 = 0;
    var wsum: f64 = 0;
    const n: f64 = @floatFromInt(part.len);
    for (part, 0..) |v, i| {
        const fi: f64 = @floatFromInt(i);
        const w = 0.5 - 0.5 * @cos(2 * std.math.pi * fi / n);
        const a = 2 * std.math.pi * hz * fi / @as(f64, @floatFromInt(rate));
        re += w * v * @cos(a);
        im += w * v * @sin(a);
        wsum += w;
    }
    return 2 * @sqrt(re * re + im * im) / wsum;
}

test "dot matches a scalar loop" {
    var a: [3 * taps_multiple]f32 = undefined;
    var b: [3 * taps_multiple]f32 = undefined;
    for (&a, &b, 0..) |*x, *y, i| {
        x.* = @as(f32, @floatFromInt(i % 7)) - 3;
        y.* = 1 / @as(f32, @floatFromInt(i + 1));
    }
    var want: f64 = 0;
    for (a, b) |x, y| want += @as(f64, x) * y;
    try testing.expectApproxEqAbs(want, dot(&a, &b), 1e-5);
}

test "besselI0 matches known values" {
    try testing.expectApproxEqRel(@as(f64, 1), besselI0(0), 1e-15);
    try testing.expectApproxEqRel(@as(f64, 1.2660658777520082), besselI0(1), 1e-12);
    try testing.expectApproxEqRel(@as(f64, 2815.716628466254), besselI0(10), 1e-12);
}

test "filter design: reduced ratio, exact or interpolated table, unit DC gain per row" {
    const a = testing.allocator;
    var f = try Filter.init(a, 44100, 16000);
    defer f.deinit(a);
    try testing.expectEqual(@as(u32, 160), f.design.up);
    try testing.expectEqual(@as(u32, 441), f.design.down);
    try testing.expect(!f.interpolate);
    try testing.expectEqual(@as(u32, 0), f.design.taps % taps_multiple);
    var r: u32 = 0;
    while (r < f.rows) : (r += 1) {
        var s: f32 = 0;
        for (f.row(r)) |c| s += c;
        try testing.expectApproxEqAbs(@as(f32, 1), s, 1e-5);
    }
    var odd = try Filter.init(a, 44101, 16000);
    defer odd.deinit(a);
    try testing.expect(odd.interpolate);
    try testing.expectEqual(interpolated_rows + 1, odd.rows);
    try testing.expectEqual(@as(u64, 16000), odd.design.outputLength(44101));
}

test "rows are the symmetric prototype sampled at their phase (8k -> 16k)" {
    const a = testing.allocator;
    var f = try Filter.init(a, 8000, 16000);
    defer f.deinit(a);
    try testing.expectEqual(@as(u32, 2), f.rows);
    const k = f.design.taps;
    // Phase 0: taps at -k/2+1 ... k/2-1 around the centre (mirror j <-> k-2-j), the last one at -k/2 is 0.
    const r0 = f.row(0);
    try testing.expectEqual(@as(f32, 0), r0[k - 1]);
    for (0..k - 1) |j| try testing.expectApproxEqAbs(r0[j], r0[k - 2 - j], 1e-7);
    // Phase 1/2: taps at half-integers, mirror j <-> k-1-j.
    const r1 = f.row(1);
    for (0..k) |j| try testing.expectApproxEqAbs(r1[j], r1[k - 1 - j], 1e-7);
}

test "passband keeps a 1 kHz tone, stopband removes 8.25 kHz, which would fold to 7.75 kHz (48k -> 16k)" {
    const a = testing.allocator;
    var f = try Filter.init(a, 48000, 16000);
    defer f.deinit(a);
    const x = try sine(a, 48000, 1000, 0.5);
    defer a.free(x);
    const y = try resampleAll(a, &f, x);
    defer a.free(y);
    try testing.expectApproxEqAbs(@as(f64, 1), toneAmplitude(y, 16000, 1000), 0.01);

    const z = try sine(a, 48000, 8250, 0.5);
    defer a.free(z);
    const w = try resampleAll(a, &f, z);
    defer a.free(w);
    // Just inside the passband (7.76 kHz) once folded: 70 dB down at least.
    try testing.expect(toneAmplitude(w, 16000, 7750) < std.math.pow(f64, 10, -70.0 / 20.0));
}

/// |H(f)| of the prototype low-pass that the rows sample, at `f` cycles per input sample: the rows are
/// its values at a spacing of 1 / up input samples, each row normalised to unit sum.
fn prototypeGain(filter: *const Filter, f: f64) f64 {
    assert(!filter.interpolate);
    const taps = filter.design.taps;
    const angle = 2 * std.math.pi * f;
    const step_re = @cos(angle);
    const step_im = @sin(angle);
    var sum_re: f64 = 0;
    var sum_im: f64 = 0;
    var r: u32 = 0;
    while (r < filter.rows) : (r += 1) {
        // Tap j sits at tau = r / up + taps / 2 - 1 - j: start at e^(-i angle tau) for j = 0, rotate by e^(i angle).
        const tau0 = @as(f64, @floatFromInt(r)) / @as(f64, @floatFromInt(filter.design.up)) + @as(f64, @floatFromInt(taps / 2 - 1));
        var w_re = @cos(angle * tau0);
        var w_im = -@sin(angle * tau0);
        for (filter.row(r)) |c| {
            sum_re += c * w_re;
            sum_im += c * w_im;
            const next_re = w_re * step_re - w_im * step_im;
            w_im = w_re * step_im + w_im * step_re;
            w_re = next_re;
        }
    }
    return @sqrt(sum_re * sum_re + sum_im * sum_im) / @as(f64, @floatFromInt(filter.rows));
}

test "response: flat passband, and everything that would land in the passband is removed" {
    const a = testing.allocator;
    const pairs = [_][2]u32{ .{ 48000, 16000 }, .{ 44100, 16000 }, .{ 22050, 16000 }, .{ 8000, 16000 }, .{ 11025, 16000 } };
    for (pairs) |pair| {
        const in_rate: f64 = @floatFromInt(pair[0]);
        const out_rate: f64 = @floatFromInt(pair[1]);
        var f = try Filter.init(a, pair[0], pair[1]);
        defer f.deinit(a);
        const nyquist = 0.5 * @min(in_rate, out_rate);
        const pass = passband_fraction * nyquist;
        // In cycles per input sample: 8 points per sidelobe (sidelobes are about 1 / taps apart).
        const grid = 1 / (8 * @as(f64, @floatFromInt(f.design.taps)));
        var hz: f64 = 0;
        while (hz <= pass) : (hz += grid * in_rate) {
            try testing.expectApproxEqAbs(@as(f64, 1), prototypeGain(&f, hz / in_rate), 3e-4);
        }
        // Downsampling: input at or above out_rate - pass folds into [0, pass]; upsampling: images of the
        // input start at its Nyquist. Checked up to the higher of the two Nyquist frequencies.
        const stop = if (out_rate < in_rate) out_rate - pass else nyquist;
        hz = stop;
        while (hz <= 0.5 * @max(in_rate, out_rate)) : (hz += grid * in_rate) {
            try testing.expect(prototypeGain(&f, hz / in_rate) < std.math.pow(f64, 10, -77.0 / 20.0));
        }
    }
}

test "interpolated table matches the exact one (44.1k -> 16k)" {
    const a = testing.allocator;
    var exact = try Filter.init(a, 44100, 16000);
    defer exact.deinit(a);
    var interp = try Filter.initMode(a, 44100, 16000, .interpolated);
    defer interp.deinit(a);
    try testing.expect(interp.interpolate and !exact.interpolate);
    const x = try sine(a, 44100, 3000.5, 0.2);
    defer a.free(x);
    const y0 = try resampleAll(a, &exact, x);
    defer a.free(y0);
    const y1 = try resampleAll(a, &interp, x);
    defer a.free(y1);
    for (y0, y1) |p, q| try testing.expectApproxEqAbs(p, q, 1e-5);
}

test "processing in pieces equals processing at once" {
    const a = testing.allocator;
    var f = try Filter.init(a, 22050, 16000);
    defer f.deinit(a);
    const x = try sine(a, 22050, 440, 0.3);
    defer a.free(x);
    const whole = try resampleAll(a, &f, x);
    defer a.free(whole);
    // Outputs [1000, 1777) from a window holding just what they read, zero-padded like the whole.
    const first = f.design.firstInput(1000);
    const end = f.design.inputEnd(1777);
    const piece = try a.alloc(f32, @intCast(end - first));
    defer a.free(piece);
    for (piece, 0..) |*v, i| {
        const k = first + @as(i64, @intCast(i));
        v.* = if (k >= 0 and k < x.len) x[@intCast(k)] else 0;
    }
    var out: [777]f32 = undefined;
    f.process(piece, first, 1000, &out);
    try testing.expectEqualSlices(f32, whole[1000..1777], &out);
}

test "upsampling 8k -> 16k interpolates a 1 kHz tone without images" {
    const a = testing.allocator;
    var f = try Filter.init(a, 8000, 16000);
    defer f.deinit(a);
    const x = try sine(a, 8000, 1000, 0.5);
    defer a.free(x);
    const y = try resampleAll(a, &f, x);
    defer a.free(y);
    try testing.expectEqual(@as(usize, 8000), y.len);
    try testing.expectApproxEqAbs(@as(f64, 1), toneAmplitude(y, 16000, 1000), 0.01);
    // The image of 1 kHz at 8k - 1k = 7 kHz.
    try testing.expect(toneAmplitude(y, 16000, 7000) < std.math.pow(f64, 10, -70.0 / 20.0));
}
