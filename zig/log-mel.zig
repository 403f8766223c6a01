//! Kaldi-compatible log-mel energies of 25 ms frames of a 16 kHz signal (torchaudio.compliance.kaldi.fbank /
//! kaldi-native-fbank with 80 bins, dither 0, Povey window, DC removal, pre-emphasis 0.97, power spectrum,
//! mel 20 Hz..Nyquist, log floored at f32 epsilon). fbank.zig cuts subsegments into frames and normalises.
//! Frames are processed 8 at a time, one frame per vector lane, so every step is plain vector
//! arithmetic; instantiating the same code with `f32` gives the scalar reference used in tests.
const std = @import("std");
const assert = std.debug.assert;
const fft = @import("fft.zig");

pub const sample_rate = 16000;
pub const frame_length = 400; // 25 ms
pub const frame_shift = 160; // 10 ms
pub const padded_length = 512;
pub const mel_bins = 80;
const preemphasis: f32 = 0.97;
const low_freq: f32 = 20;
const log_floor: f32 = std.math.floatEps(f32);

const Fft = fft.RealFft(padded_length);
pub const lanes = 8;
pub const Vec = @Vector(lanes, f32);

/// Povey window: (0.5 - 0.5 cos(2 pi i / (N - 1)))^0.85.
const window: [frame_length]f32 = blk: {
    @setEvalBranchQuota(100_000);
    var w: [frame_length]f32 = undefined;
    for (&w, 0..) |*v, i| {
        const hann = 0.5 - 0.5 * @cos(2.0 * std.math.pi * @as(f64, @floatFromInt(i)) / (frame_length - 1));
        v.* = if (hann <= 0) 0 else @floatCast(@exp(0.85 * @log(hann)));
    }
    break :blk w;
};

fn melScale(freq: f32) f32 {
    return 1127.0 * @log(1.0 + freq / 700.0);
}

/// Triangular mel filters over FFT bins [0, padded_length / 2), stored sparsely: filter b has weights
/// `weights[offset[b]..][0..len[b]]` for the FFT bins starting at `first[b]`. Arithmetic in f32 as Kaldi.
const MelBank = struct {
    first: [mel_bins]u16,
    len: [mel_bins]u16,
    offset: [mel_bins]u16,
    weights: []const f32,
};

fn melWeight(bin: usize, fft_bin: usize) f32 {
    const nyquist: f32 = sample_rate / 2;
    const bin_width: f32 = @as(f32, sample_rate) / padded_length;
    const mel_low = melScale(low_freq);
    const mel_high = melScale(nyquist);
    const delta = (mel_high - mel_low) / (mel_bins + 1);
    const left = mel_low + @as(f32, @floatFromInt(bin)) * delta;
    const center = mel_low + @as(f32, @floatFromInt(bin + 1)) * delta;
    const right = mel_low + @as(f32, @floatFromInt(bin + 2)) * delta;
    const mel = melScale(bin_width * @as(f32, @floatFromInt(fft_bin)));
    if (!(mel > left and mel < right)) return 0;
    return if (mel <= center) (mel - left) / (center - left) else (right - mel) / (right - center);
}

const mel_bank: MelBank = blk: {
    @setEvalBranchQuota(1_000_000);
    var bank: MelBank = undefined;
    var total: usize = 0;
    for (0..mel_bins) |b| {
        var first: usize = padded_length / 2;
        var last: usize = 0;
        for (0..padded_length / 2) |k| {
            if (melWeight(b, k) > 0) {
                first = @min(first, k);
                last = k;
            }
        }
        assert(first <= last);
        bank.first[b] = first;
        bank.len[b] = last - first + 1;
        bank.offset[b] = total;
        total += last - first + 1;
    }
    var weights: [total]f32 = undefined;
    for (0..mel_bins) |b| {
        for (0..bank.len[b]) |j| weights[bank.offset[b] + j] = melWeight(b, bank.first[b] + j);
    }
    const final = weights;
    bank.weights = &final;
    break :blk bank;
};

/// Log-mel energies of the frames in `frame` (one frame per lane of T), which is overwritten.
fn logMel(comptime T: type, frame: *[frame_length]T, out: *[mel_bins]T) void {
    var sum = fft.splat(T, 0);
    for (frame) |v| sum += v;
    const mean = sum / fft.splat(T, frame_length);
    for (frame) |*v| v.* -= mean;

    // Pre-emphasis (x[i] -= 0.97 x[i-1], x[0] -= 0.97 x[0]) and the window, fused into the packing of
    // the real FFT input; samples past the frame are the zero padding.
    var re: [Fft.half]T = undefined;
    var im: [Fft.half]T = undefined;
    const coeff = fft.splat(T, preemphasis);
    const zero = fft.splat(T, 0);
    re[Fft.bit_reversed[0]] = (frame[0] - coeff * frame[0]) * fft.splat(T, window[0]);
    im[Fft.bit_reversed[0]] = (frame[1] - coeff * frame[0]) * fft.splat(T, window[1]);
    for (1..frame_length / 2) |i| {
        const j = Fft.bit_reversed[i];
        re[j] = (frame[2 * i] - coeff * frame[2 * i - 1]) * fft.splat(T, window[2 * i]);
        im[j] = (frame[2 * i + 1] - coeff * frame[2 * i]) * fft.splat(T, window[2 * i + 1]);
    }
    for (frame_length / 2..Fft.half) |i| {
        re[Fft.bit_reversed[i]] = zero;
        im[Fft.bit_reversed[i]] = zero;
    }
    Fft.transform(T, &re, &im);
    var power: [Fft.half + 1]T = undefined;
    Fft.power(T, &re, &im, &power);

    const floor = fft.splat(T, log_floor);
    for (0..mel_bins) |b| {
        const first = mel_bank.first[b];
        const weights = mel_bank.weights[mel_bank.offset[b]..][0..mel_bank.len[b]];
        var energy = fft.splat(T, 0);
        for (weights, 0..) |w, j| energy += fft.splat(T, w) * power[first + j];
        const floored = @max(energy, floor);
        out[b] = if (T == f32) @log(floored) else logPositive(floored);
    }
}

/// Natural log of positive normal floats, within 2e-6 relative (tested): x = m 2^e with m in
/// [sqrt(1/2), sqrt(2)), and log m = 2 atanh(s), s = (m - 1) / (m + 1), |s| < 0.172, as an odd series
/// to s^9. @log on a vector becomes one libm call per lane; this keeps the lanes in registers.
fn logPositive(x: Vec) Vec {
    const U = @Vector(lanes, u32);
    const I = @Vector(lanes, i32);
    const bits: U = @bitCast(x);
    var exponent: I = @as(I, @bitCast(bits >> @splat(23))) - @as(I, @splat(127));
    var m: Vec = @bitCast((bits & @as(U, @splat(0x007fffff))) | @as(U, @splat(0x3f800000)));
    const big = m > @as(Vec, @splat(std.math.sqrt2));
    m = @select(f32, big, m * @as(Vec, @splat(0.5)), m);
    exponent += @select(i32, big, @as(I, @splat(1)), @as(I, @splat(0)));
    const one: Vec = @splat(1);
    const s = (m - one) / (m + one);
    const s2 = s * s;
    const c = struct {
        fn v(value: f32) Vec {
            return @splat(value);
        }
    }.v;
    const series = c(2) + s2 * (c(2.0 / 3.0) + s2 * (c(2.0 / 5.0) + s2 * (c(2.0 / 7.0) + s2 * c(2.0 / 9.0))));
    return @as(Vec, @floatFromInt(exponent)) * c(std.math.ln2) + s * series;
}

/// Log-mel of the frames starting at `starts[i]` into row `rows[i]` of `out`, 8 frames per vector.
pub fn logMelFrames(samples: []const f32, starts: []const u32, rows: []const u32, out: []f32) void {
    assert(starts.len == rows.len);
    var frame: [frame_length]Vec = undefined;
    var mel: [mel_bins]Vec = undefined;
    var i: usize = 0;
    while (i < starts.len) : (i += lanes) {
        const valid = @min(lanes, starts.len - i);
        // Unused lanes of the last group repeat its last frame; their rows are not written.
        var lane_starts: [lanes]usize = undefined;
        for (&lane_starts, 0..) |*s, l| s.* = starts[i + @min(l, valid - 1)];
        for (lane_starts) |s| assert(s + frame_length <= samples.len);
        for (&frame, 0..) |*v, k| {
            inline for (0..lanes) |l| v[l] = samples[lane_starts[l] + k];
        }
        logMel(Vec, &frame, &mel);
        for (0..valid) |l| {
            for (rowAt(out, rows[i + l]), &mel) |*dst, m| dst.* = m[l];
        }
    }
}

/// Scalar reference of `logMelFrames`.
pub fn logMelFramesScalar(samples: []const f32, starts: []const u32, rows: []const u32, out: []f32) void {
    var frame: [frame_length]f32 = undefined;
    for (starts, rows) |s, r| {
        @memcpy(&frame, samples[s..][0..frame_length]);
        logMel(f32, &frame, rowAt(out, r));
    }
}

pub fn rowAt(data: []f32, row: usize) *[mel_bins]f32 {
    return data[row * mel_bins ..][0..mel_bins];
}

// ---------------------------------------------------------------------------------------------- tests

const testing = std.testing;

/// A tone sweep plus noise (fbank.zig's tests use it too).
pub fn testSignal(allocator: std.mem.Allocator, len: usize, seed: u64) ![]f32 {
    const x = try allocator.alloc(f32, len);
    var prng = std.Random.DefaultPrng.init(seed);
    const random = prng.random();
    // Every mel bin sees energy and frames differ.
    for (x, 0..) |*v, i| {
        const t = @as(f32, @floatFromInt(i)) / sample_rate;
        v.* = 0.3 * @sin(2 * std.math.pi * (200 + 3000 * t) * t) + 0.05 * (random.float(f32) - 0.5);
    }
    return x;
}

test "mel bank: 80 non-empty filters that tile 20 Hz..8 kHz in order" {
    try testing.expect(mel_bank.first[0] >= 1); // bin 0 is 0 Hz, below 20 Hz
    for (1..mel_bins) |b| try testing.expect(mel_bank.first[b] >= mel_bank.first[b - 1]);
    for (mel_bank.weights) |w| try testing.expect(w > 0 and w <= 1);
    try testing.expect(window[0] == 0 and window[frame_length - 1] < 1e-6);
    try testing.expectApproxEqAbs(@as(f32, 1), window[frame_length / 2], 1e-4);
}

test "vector path equals the scalar reference, including a partial last group" {
    const allocator = testing.allocator;
    const x = try testSignal(allocator, 8000, 3);
    defer allocator.free(x);
    const starts = [_]u32{ 0, 160, 320, 17, 4000, 7600, 5555, 1, 2, 3, 100 };
    var want: [starts.len * mel_bins]f32 = undefined;
    var got: [starts.len * mel_bins]f32 = undefined;
    var rows: [starts.len]u32 = undefined;
    for (&rows, 0..) |*r, i| r.* = @intCast(i);
    logMelFramesScalar(x, &starts, &rows, &want);
    logMelFrames(x, &starts, &rows, &got);
    for (want, got) |w, g| try testing.expectApproxEqAbs(w, g, 1e-5);
}

test "log-mel of one frame matches a direct double-precision Kaldi computation" {
    const allocator = testing.allocator;
    const x = try testSignal(allocator, frame_length, 5);
    defer allocator.free(x);
    var got: [mel_bins]f32 = undefined;
    logMelFramesScalar(x, &[_]u32{0}, &[_]u32{0}, &got);

    // Straight from the definitions: mean removal, pre-emphasis, window, |DFT|^2, triangles, log.
    var y: [frame_length]f64 = undefined;
    var mean: f64 = 0;
    for (x) |v| mean += v;
    mean /= frame_length;
    for (&y, x) |*d, v| d.* = v - mean;
    var i: usize = frame_length - 1;
    while (i > 0) : (i -= 1) y[i] -= 0.97 * y[i - 1];
    y[0] -= 0.97 * y[0];
    for (&y, 0..) |*d, k| {
        const phase = 2 * std.math.pi * @as(f64, @floatFromInt(k)) / (frame_length - 1);
        d.* *= std.math.pow(f64, 0.5 - 0.5 * @cos(phase), 0.85);
    }
    var power: [padded_length / 2]f64 = undefined;
    for (&power, 0..) |*p, k| {
        var re: f64 = 0;
        var im: f64 = 0;
        for (y, 0..) |v, j| {
            const angle = -2 * std.math.pi * @as(f64, @floatFromInt(j * k)) / padded_length;
            re += v * @cos(angle);
            im += v * @sin(angle);
        }
        p.* = re * re + im * im;
    }
    const mel = struct {
        fn f(hz: f64) f64 {
            return 1127 * @log(1 + hz / 700);
        }
    }.f;
    const lo = mel(20);
    const delta = (mel(8000) - lo) / (mel_bins + 1);
    for (0..mel_bins) |b| {
        const left = lo + @as(f64, @floatFromInt(b)) * delta;
        const center = left + delta;
        const right = center + delta;
        var energy: f64 = 0;
        for (power, 0..) |p, k| {
            const m = mel(@as(f64, @floatFromInt(k)) * sample_rate / padded_length);
            if (m > left and m < right) energy += p * (if (m <= center) (m - left) / delta else (right - m) / delta);
        }
        try testing.expectApproxEqAbs(@log(@max(energy, log_floor)), @as(f64, got[b]), 1e-3);
    }
}

test "logPositive matches @log from the log floor to 1e12" {
    var x: f32 = log_floor;
    while (x < 1e12) : (x *= 1.0137) {
        const v: Vec = .{ x, x * 1.001, x * 1.002, x * 1.003, x * 1.004, x * 1.005, x * 1.006, x * 1.007 };
        const got = logPositive(v);
        for (0..lanes) |l| try testing.expectApproxEqAbs(@log(v[l]), got[l], 2e-6 * @max(1, @abs(@log(v[l]))));
    }
}
