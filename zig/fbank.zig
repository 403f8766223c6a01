//! Kaldi-compatible log-mel filterbank (torchaudio.compliance.kaldi.fbank / kaldi-native-fbank with
//! 80 bins, dither 0, snip_edges, Povey window, DC removal, pre-emphasis 0.97, power spectrum, mel
//! 20 Hz..Nyquist, log floored at f32 epsilon) for many subsegments of one 16 kHz signal, followed by
//! per-subsegment mean normalisation over time, as CAM++ / 3D-Speaker expect.
//!
//! Frames of overlapping subsegments often start on the same sample (a 0.6 s subsegment shift is exactly
//! 60 frame shifts), so the log-mel of each distinct frame start is computed once ("shared frames"), into
//! the row of the first subsegment that contains it; the other subsegments copy it from there while
//! subtracting their own mean. On an hour of 1.5 s / 0.6 s subsegments this computes 2.5x fewer frames
//! (see BENCHMARKS.md).
//! Frames are processed 8 at a time, one frame per vector lane, so every step is plain vector
//! arithmetic; instantiating the same code with `f32` gives the scalar reference used in tests.
const std = @import("std");
const builtin = @import("builtin");
const assert = std.debug.assert;
const fft = @import("fft.zig");
const Pool = @import("pool.zig").Pool;

pub const sample_rate = 16000;
pub const frame_length = 400; // 25 ms
pub const frame_shift = 160; // 10 ms
pub const padded_length = 512;
pub const mel_bins = 80;
const preemphasis: f32 = 0.97;
const low_freq: f32 = 20;
const log_floor: f32 = std.math.floatEps(f32);

const Fft = fft.RealFft(padded_length);
const lanes = 8;
const Vec = @Vector(lanes, f32);

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

/// Frames of a subsegment of `len` samples (snip_edges: only whole frames).
pub fn frameCount(len: u32) u32 {
    return if (len < frame_length) 0 else 1 + (len - frame_length) / frame_shift;
}

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
fn logMelFrames(samples: []const f32, starts: []const u32, rows: []const u32, out: []f32) void {
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
fn logMelFramesScalar(samples: []const f32, starts: []const u32, rows: []const u32, out: []f32) void {
    var frame: [frame_length]f32 = undefined;
    for (starts, rows) |s, r| {
        @memcpy(&frame, samples[s..][0..frame_length]);
        logMel(f32, &frame, rowAt(out, r));
    }
}

fn rowAt(data: []f32, row: usize) *[mel_bins]f32 {
    return data[row * mel_bins ..][0..mel_bins];
}

const row_vecs = mel_bins / lanes;
comptime {
    assert(mel_bins % lanes == 0);
}

fn addRow(sum: *[row_vecs]Vec, row: *const [mel_bins]f32) void {
    inline for (0..row_vecs) |v| sum[v] += @as(Vec, row[v * lanes ..][0..lanes].*);
}

/// dst = src - mean; dst may be src.
fn subtractRow(dst: *[mel_bins]f32, src: *const [mel_bins]f32, mean: *const [mel_bins]f32) void {
    inline for (0..row_vecs) |v| {
        const a: Vec = src[v * lanes ..][0..lanes].*;
        const m: Vec = mean[v * lanes ..][0..lanes].*;
        dst[v * lanes ..][0..lanes].* = a - m;
    }
}

/// Scalar reference of mean normalisation over contiguous rows.
fn subtractMeanScalar(rows: []const f32, out: []f32) void {
    const count = rows.len / mel_bins;
    if (count == 0) return;
    for (0..mel_bins) |b| {
        var sum: f32 = 0;
        for (0..count) |r| sum += rows[r * mel_bins + b];
        const mean = sum * (1.0 / @as(f32, @floatFromInt(count)));
        for (0..count) |r| out[r * mel_bins + b] = rows[r * mel_bins + b] - mean;
    }
}

/// A subsegment as sample indices [start, end) into the signal.
pub const Segment = extern struct { start: u32, end: u32 };

pub const Options = struct {
    /// Compute each distinct frame start once across overlapping subsegments.
    share_frames: bool = true,
    /// Subtract each subsegment's per-bin mean over its frames.
    mean_normalize: bool = true,
};

/// Buffers of 2 MiB and more are mapped directly and, on Linux, marked for transparent huge pages:
/// with 4 KiB pages, first-touch page faults on the output took about a third of the run time.
const FeatureMemory = struct {
    const direct_min_bytes = 2 << 20;

    fn alloc(allocator: std.mem.Allocator, len: usize) error{OutOfMemory}![]f32 {
        if (len * @sizeOf(f32) < direct_min_bytes) return allocator.alloc(f32, len);
        const data = try std.heap.page_allocator.alloc(f32, len);
        if (builtin.os.tag == .linux) {
            const bytes: [*]align(std.heap.page_size_min) u8 = @ptrCast(@alignCast(data.ptr));
            std.posix.madvise(bytes, len * @sizeOf(f32), std.posix.MADV.HUGEPAGE) catch {};
        }
        return data;
    }

    fn free(allocator: std.mem.Allocator, data: []f32) void {
        if (data.len * @sizeOf(f32) < direct_min_bytes) allocator.free(data) else std.heap.page_allocator.free(data);
    }
};

/// Written into every live result and cleared by destroy, so the C ABI can tell a result handle from
/// any other pointer (or a freed result) before it reads or frees it.
const result_magic_live: u64 = 0x5345_4e4b_4642_4e4b; // "SENKFBNK"

/// Features of all subsegments; frame f of subsegment s is row frame_offsets[s] + f of `data`.
pub const Result = struct {
    magic: u64 = result_magic_live,
    data: []f32,
    frame_counts: []u32,
    frame_offsets: []u32,
    total_frames: u32,

    /// The result behind a handle from the C ABI, or null for null, a misaligned pointer or memory
    /// that is not a live result.
    pub fn fromHandle(handle: ?*const Result) ?*const Result {
        const result = handle orelse return null;
        if (@intFromPtr(result) % @alignOf(Result) != 0) return null;
        if (result.magic != result_magic_live) return null;
        assert(result.frame_offsets.len == result.frame_counts.len);
        return result;
    }

    pub fn destroy(result: *Result, allocator: std.mem.Allocator) void {
        assert(result.magic == result_magic_live);
        result.magic = 0;
        FeatureMemory.free(allocator, result.data);
        allocator.free(result.frame_counts);
        allocator.free(result.frame_offsets);
        allocator.destroy(result);
    }
};

pub const Error = error{ OutOfMemory, TooManyFrames };

/// Which frames to compute and where they go. Distinct frame u starts at sample starts[u] and its
/// log-mel is written to output row owners[u] (a row of the first subsegment that contains it); frame
/// f of subsegment s is distinct frame base[s] + f.
const Plan = struct {
    starts: std.ArrayList(u32) = .empty,
    owners: std.ArrayList(u32) = .empty,
    base: []u32,

    fn deinit(plan: *Plan, allocator: std.mem.Allocator) void {
        plan.starts.deinit(allocator);
        plan.owners.deinit(allocator);
        allocator.free(plan.base);
    }

    fn isOwner(plan: *const Plan, result: *const Result, s: usize, f: usize) bool {
        return plan.owners.items[plan.base[s] + f] == result.frame_offsets[s] + f;
    }
};

fn planSeparate(allocator: std.mem.Allocator, segments: []const Segment, result: *const Result) Error!Plan {
    var plan = Plan{ .base = try allocator.dupe(u32, result.frame_offsets) };
    errdefer plan.deinit(allocator);
    try plan.starts.ensureTotalCapacity(allocator, result.total_frames);
    try plan.owners.ensureTotalCapacity(allocator, result.total_frames);
    for (segments, result.frame_offsets, result.frame_counts) |seg, offset, count| {
        for (0..count) |f| {
            plan.starts.appendAssumeCapacity(seg.start + @as(u32, @intCast(f)) * frame_shift);
            plan.owners.appendAssumeCapacity(offset + @as(u32, @intCast(f)));
        }
    }
    return plan;
}

/// Merges subsegments whose frame grids coincide (same start modulo the frame shift) and overlap into
/// runs of consecutive frame starts, so each frame of a run is computed once.
fn planShared(allocator: std.mem.Allocator, segments: []const Segment, result: *const Result) Error!Plan {
    var plan = Plan{ .base = try allocator.alloc(u32, segments.len) };
    errdefer plan.deinit(allocator);
    @memset(plan.base, 0);
    try plan.starts.ensureTotalCapacity(allocator, result.total_frames);
    try plan.owners.ensureTotalCapacity(allocator, result.total_frames);

    var order: std.ArrayList(u32) = .empty;
    defer order.deinit(allocator);
    try order.ensureTotalCapacity(allocator, segments.len);
    for (result.frame_counts, 0..) |count, s| {
        if (count > 0) order.appendAssumeCapacity(@intCast(s));
    }
    const ByGrid = struct {
        segments: []const Segment,
        fn lessThan(ctx: @This(), a: u32, b: u32) bool {
            const sa = ctx.segments[a].start;
            const sb = ctx.segments[b].start;
            const ra = sa % frame_shift;
            const rb = sb % frame_shift;
            return ra < rb or (ra == rb and sa < sb);
        }
    };
    std.sort.pdq(u32, order.items, ByGrid{ .segments = segments }, ByGrid.lessThan);

    // The run being extended: frames first + i * frame_shift for i < len, distinct frames base + i.
    var run_first: u32 = 0;
    var run_len: u32 = 0;
    var run_base: u32 = 0;
    for (order.items) |s| {
        const start = segments[s].start;
        const count = result.frame_counts[s];
        const joins = run_len > 0 and run_first % frame_shift == start % frame_shift and
            start <= @as(u64, run_first) + @as(u64, run_len) * frame_shift;
        if (!joins) {
            run_first = start;
            run_len = 0;
            run_base = @intCast(plan.starts.items.len);
        }
        const skip = (start - run_first) / frame_shift;
        plan.base[s] = run_base + skip;
        // Frames past the run's end are new: computed once, owned by this subsegment's rows.
        var i = run_len;
        while (i < skip + count) : (i += 1) {
            plan.starts.appendAssumeCapacity(run_first + i * frame_shift);
            plan.owners.appendAssumeCapacity(result.frame_offsets[s] + i - skip);
        }
        run_len = @max(run_len, skip + count);
    }
    return plan;
}

const LogMelJob = struct {
    samples: []const f32,
    plan: *const Plan,
    out: []f32,
    const frames_per_task = 128;

    fn taskCount(job: *const LogMelJob) u32 {
        return @intCast((job.plan.starts.items.len + frames_per_task - 1) / frames_per_task);
    }

    fn run(job: *const LogMelJob, task: u32) void {
        const begin = @as(usize, task) * frames_per_task;
        const end = @min(job.plan.starts.items.len, begin + frames_per_task);
        logMelFrames(job.samples, job.plan.starts.items[begin..end], job.plan.owners.items[begin..end], job.out);
    }
};

/// Fills every subsegment's rows from the owner rows and normalises them, in two passes so that no
/// owner row is changed while another subsegment may still read it:
/// `fill` writes each subsegment's rows that it does not own (as owner row - mean), and records the
/// mean; `finish` then subtracts the mean from the rows each subsegment owns.
const NormalizeJob = struct {
    plan: *const Plan,
    result: *const Result,
    /// mel_bins per subsegment; empty when not normalising.
    means: []f32,
    const segments_per_task = 16;

    fn taskCount(job: *const NormalizeJob) u32 {
        return @intCast((job.plan.base.len + segments_per_task - 1) / segments_per_task);
    }

    fn fill(job: *const NormalizeJob, task: u32) void {
        const data = job.result.data;
        const begin = @as(usize, task) * segments_per_task;
        for (begin..@min(job.plan.base.len, begin + segments_per_task)) |s| {
            const count = job.result.frame_counts[s];
            if (count == 0) continue;
            const sources = job.plan.owners.items[job.plan.base[s]..][0..count];
            const offset = job.result.frame_offsets[s];
            if (job.means.len == 0) {
                for (sources, offset..) |src, dst| {
                    if (src != dst) rowAt(data, dst).* = rowAt(data, src).*;
                }
                continue;
            }
            var sum: [row_vecs]Vec = @splat(@splat(0));
            for (sources) |src| addRow(&sum, rowAt(data, src));
            const mean = rowAt(job.means, s);
            const scale: Vec = @splat(1.0 / @as(f32, @floatFromInt(count)));
            inline for (0..row_vecs) |v| mean[v * lanes ..][0..lanes].* = sum[v] * scale;
            for (sources, offset..) |src, dst| {
                if (src != dst) subtractRow(rowAt(data, dst), rowAt(data, src), mean);
            }
        }
    }

    fn finish(job: *const NormalizeJob, task: u32) void {
        const data = job.result.data;
        const begin = @as(usize, task) * segments_per_task;
        for (begin..@min(job.plan.base.len, begin + segments_per_task)) |s| {
            const offset = job.result.frame_offsets[s];
            for (0..job.result.frame_counts[s]) |f| {
                if (job.plan.isOwner(job.result, s, f)) {
                    const row = rowAt(data, offset + f);
                    subtractRow(row, row, rowAt(job.means, s));
                }
            }
        }
    }
};

/// Fbank features of every segment of `samples` (16 kHz mono, floats in [-1, 1]).
/// Segments must satisfy start <= end <= samples.len. Caller frees with `Result.destroy`.
pub fn compute(
    allocator: std.mem.Allocator,
    pool: *Pool,
    samples: []const f32,
    segments: []const Segment,
    options: Options,
) Error!*Result {
    const result = try allocator.create(Result);
    errdefer allocator.destroy(result);
    const frame_counts = try allocator.alloc(u32, segments.len);
    errdefer allocator.free(frame_counts);
    const frame_offsets = try allocator.alloc(u32, segments.len);
    errdefer allocator.free(frame_offsets);
    var total: u64 = 0;
    for (segments, frame_counts, frame_offsets) |seg, *count, *offset| {
        assert(seg.start <= seg.end and seg.end <= samples.len);
        count.* = frameCount(seg.end - seg.start);
        offset.* = std.math.cast(u32, total) orelse return error.TooManyFrames;
        total += count.*;
    }
    if (total > std.math.maxInt(u32)) return error.TooManyFrames;
    const data = try FeatureMemory.alloc(allocator, total * mel_bins);
    errdefer FeatureMemory.free(allocator, data);
    result.* = .{
        .data = data,
        .frame_counts = frame_counts,
        .frame_offsets = frame_offsets,
        .total_frames = @intCast(total),
    };

    var plan = if (options.share_frames)
        try planShared(allocator, segments, result)
    else
        try planSeparate(allocator, segments, result);
    defer plan.deinit(allocator);
    const means = try allocator.alloc(f32, if (options.mean_normalize) segments.len * mel_bins else 0);
    defer allocator.free(means);

    const log_mel = LogMelJob{ .samples = samples, .plan = &plan, .out = data };
    pool.parallelFor(log_mel.taskCount(), &log_mel, LogMelJob.run);
    const normalize = NormalizeJob{ .plan = &plan, .result = result, .means = means };
    pool.parallelFor(normalize.taskCount(), &normalize, NormalizeJob.fill);
    if (options.mean_normalize) pool.parallelFor(normalize.taskCount(), &normalize, NormalizeJob.finish);
    return result;
}

// ---------------------------------------------------------------------------------------------- tests

const testing = std.testing;

fn testSignal(allocator: std.mem.Allocator, len: usize, seed: u64) ![]f32 {
    const x = try allocator.alloc(f32, len);
    var prng = std.Random.DefaultPrng.init(seed);
    const random = prng.random();
    // A tone sweep plus noise, so every mel bin sees energy and frames differ.
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

test "frameCount follows snip_edges" {
    try testing.expectEqual(@as(u32, 0), frameCount(0));
    try testing.expectEqual(@as(u32, 0), frameCount(399));
    try testing.expectEqual(@as(u32, 1), frameCount(400));
    try testing.expectEqual(@as(u32, 1), frameCount(559));
    try testing.expectEqual(@as(u32, 2), frameCount(560));
    try testing.expectEqual(@as(u32, 148), frameCount(24000));
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

test "the shared plan computes each distinct frame once, owned by its first subsegment" {
    const allocator = testing.allocator;
    const x = try testSignal(allocator, 48000, 2);
    defer allocator.free(x);
    const pool = try Pool.create(allocator, 1);
    defer pool.destroy();
    // Three 1.5 s windows every 0.6 s (60 frame shifts), one off the grid, one inside the first.
    const segments = [_]Segment{
        .{ .start = 9600, .end = 33600 },
        .{ .start = 0, .end = 24000 },
        .{ .start = 19200, .end = 43200 },
        .{ .start = 5, .end = 8000 },
        .{ .start = 1600, .end = 4000 },
    };
    const features = try compute(allocator, pool, x, &segments, .{ .mean_normalize = false });
    defer features.destroy(allocator);
    var plan = try planShared(allocator, &segments, features);
    defer plan.deinit(allocator);
    try testing.expectEqual(@as(usize, 120 + 148 + 48), plan.starts.items.len);
    for (plan.starts.items, plan.owners.items) |start, owner| {
        // The owner row is a row of a subsegment, at the frame that starts at `start`.
        const s = for (features.frame_offsets, features.frame_counts, 0..) |o, c, i| {
            if (owner >= o and owner < o + c) break i;
        } else unreachable;
        try testing.expectEqual(segments[s].start + (owner - features.frame_offsets[s]) * frame_shift, start);
    }
    try testing.expect(!plan.isOwner(features, 0, 0)); // frame 60 of the run belongs to segment 1 (start 0)
    try testing.expect(plan.isOwner(features, 0, 147));
    try testing.expect(!plan.isOwner(features, 4, 0));
}

test "shared and separate frame plans give identical features" {
    const allocator = testing.allocator;
    const x = try testSignal(allocator, 16000 * 6, 1);
    defer allocator.free(x);
    const pool = try Pool.create(allocator, 3);
    defer pool.destroy();
    // Overlapping 1.5 s / 0.6 s windows, an end-aligned window off the grid, a short one, an empty one,
    // a duplicate and one out of order.
    const segments = [_]Segment{
        .{ .start = 0, .end = 24000 },
        .{ .start = 9600, .end = 33600 },
        .{ .start = 19200, .end = 43200 },
        .{ .start = 21000, .end = 45000 },
        .{ .start = 50000, .end = 50399 },
        .{ .start = 60000, .end = 60000 },
        .{ .start = 9600, .end = 33600 },
        .{ .start = 3, .end = 12000 },
        .{ .start = 70000, .end = 96000 },
    };
    const shared = try compute(allocator, pool, x, &segments, .{});
    defer shared.destroy(allocator);
    const separate = try compute(allocator, pool, x, &segments, .{ .share_frames = false });
    defer separate.destroy(allocator);
    try testing.expectEqualSlices(u32, separate.frame_counts, shared.frame_counts);
    try testing.expectEqualSlices(u32, separate.frame_offsets, shared.frame_offsets);
    try testing.expectEqualSlices(f32, separate.data, shared.data);
    try testing.expectEqual(@as(u32, 0), shared.frame_counts[4]);
    try testing.expectEqual(@as(u32, 148), shared.frame_counts[0]);

    // Rows are the un-normalised log-mel minus the subsegment mean.
    const raw = try compute(allocator, pool, x, &segments, .{ .mean_normalize = false });
    defer raw.destroy(allocator);
    for (segments, 0..) |seg, s| {
        const count = raw.frame_counts[s];
        const rows = raw.data[raw.frame_offsets[s] * mel_bins ..][0 .. count * mel_bins];
        var want: [mel_bins]f32 = undefined;
        for (0..count) |f| {
            logMelFramesScalar(x, &[_]u32{seg.start + @as(u32, @intCast(f)) * frame_shift}, &[_]u32{0}, &want);
            for (want, rows[f * mel_bins ..][0..mel_bins]) |w, g| try testing.expectApproxEqAbs(w, g, 1e-5);
        }
        const normalized = try allocator.alloc(f32, rows.len);
        defer allocator.free(normalized);
        subtractMeanScalar(rows, normalized);
        const got = shared.data[shared.frame_offsets[s] * mel_bins ..][0 .. count * mel_bins];
        for (normalized, got) |w, g| try testing.expectApproxEqAbs(w, g, 1e-5);
    }
}

test "no segments gives an empty result" {
    const allocator = testing.allocator;
    const pool = try Pool.create(allocator, 1);
    defer pool.destroy();
    const result = try compute(allocator, pool, &.{}, &.{}, .{});
    defer result.destroy(allocator);
    try testing.expectEqual(@as(u32, 0), result.total_frames);
    try testing.expectEqual(@as(usize, 0), result.data.len);
}
