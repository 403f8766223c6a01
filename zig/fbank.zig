//! Kaldi-compatible log-mel filterbank (log-mel.zig, with snip_edges framing) for many subsegments of one
//! 16 kHz signal, followed by per-subsegment mean normalisation over time, as CAM++ / 3D-Speaker expect.
//!
//! Frames of overlapping subsegments often start on the same sample (a 0.6 s subsegment shift is exactly
//! 60 frame shifts), so the log-mel of each distinct frame start is computed once ("shared frames"), into
//! the row of the first subsegment that contains it; the other subsegments copy it from there while
//! subtracting their own mean. On an hour of 1.5 s / 0.6 s subsegments this computes 2.5x fewer frames
//! (see BENCHMARKS.md).
const std = @import("std");
const builtin = @import("builtin");
const assert = std.debug.assert;
const Pool = @import("pool.zig").Pool;

const log_mel = @import("log-mel.zig");
pub const sample_rate = log_mel.sample_rate;
pub const frame_length = log_mel.frame_length;
pub const frame_shift = log_mel.frame_shift;
pub const mel_bins = log_mel.mel_bins;
const lanes = log_mel.lanes;
const Vec = log_mel.Vec;
const logMelFrames = log_mel.logMelFrames;
const logMelFramesScalar = log_mel.logMelFramesScalar;
const rowAt = log_mel.rowAt;

/// Frames of a subsegment of `len` samples (snip_edges: only whole frames).
pub fn frameCount(len: u32) u32 {
    return if (len < frame_length) 0 else 1 + (len - frame_length) / frame_shift;
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

    const frames = LogMelJob{ .samples = samples, .plan = &plan, .out = data };
    pool.parallelFor(frames.taskCount(), &frames, LogMelJob.run);
    const normalize = NormalizeJob{ .plan = &plan, .result = result, .means = means };
    pool.parallelFor(normalize.taskCount(), &normalize, NormalizeJob.fill);
    if (options.mean_normalize) pool.parallelFor(normalize.taskCount(), &normalize, NormalizeJob.finish);
    return result;
}

// ---------------------------------------------------------------------------------------------- tests

const testing = std.testing;

test "frameCount follows snip_edges" {
    try testing.expectEqual(@as(u32, 0), frameCount(0));
    try testing.expectEqual(@as(u32, 0), frameCount(399));
    try testing.expectEqual(@as(u32, 1), frameCount(400));
    try testing.expectEqual(@as(u32, 1), frameCount(559));
    try testing.expectEqual(@as(u32, 2), frameCount(560));
    try testing.expectEqual(@as(u32, 148), frameCount(24000));
}

test "the shared plan computes each distinct frame once, owned by its first subsegment" {
    const allocator = testing.allocator;
    const x = try log_mel.testSignal(allocator, 48000, 2);
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
    const x = try log_mel.testSignal(allocator, 16000 * 6, 1);
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
