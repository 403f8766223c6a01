//! Exported C ABI for the fbank area (see lib.zig for conventions).
//! One call computes the features of every subsegment into a Zig-owned result; the caller reads it
//! through the accessors (zero-copy views in src/features/fbank.ts) and frees it with senko_fbank_free.
const std = @import("std");
const fbank = @import("fbank.zig");
const pool = @import("pool.zig");
const status = @import("status.zig").status;
const inputSlice = @import("status.zig").inputSlice;
const assert = std.debug.assert;

const allocator = std.heap.c_allocator;

/// Bits of `flags` in senko_fbank_compute.
const flag_share_frames: u32 = 1;
const flag_mean_normalize: u32 = 2;

// The frame geometry TypeScript mirrors (src/features/fbank.ts; test/shared-constants.test.ts compares).
export fn senko_fbank_mel_bins() u32 {
    return fbank.mel_bins;
}

export fn senko_fbank_sample_rate() u32 {
    return fbank.sample_rate;
}

export fn senko_fbank_frame_length() u32 {
    return fbank.frame_length;
}

export fn senko_fbank_frame_shift() u32 {
    return fbank.frame_shift;
}

/// Fbank of the `segment_count` subsegments [segments[2i], segments[2i+1]) (sample indices,
/// start <= end <= samples_len) of a 16 kHz signal of `samples_len` samples (null when 0). `segments`
/// holds `segments_len` u32, at least 2 segment_count. On success *out_result holds a result to pass to
/// senko_fbank_free.
export fn senko_fbank_compute(
    thread_pool: ?*pool.Pool,
    samples: ?[*]const f32,
    samples_len: u64,
    segments: ?[*]const u32,
    segments_len: u64,
    segment_count: u32,
    flags: u32,
    out_result: ?*?*fbank.Result,
) i32 {
    const out = out_result orelse return status(.invalid_argument);
    out.* = null;
    const p = pool.Pool.fromHandle(thread_pool) orelse return status(.invalid_argument);
    if (flags & ~(flag_share_frames | flag_mean_normalize) != 0) return status(.invalid_argument);
    // The whole signal is the input (spans are checked against it); an empty one may be null.
    const signal: []const f32 = if (samples_len == 0) &.{} else inputSlice(f32, samples, samples_len, samples_len) orelse
        return status(.invalid_argument);
    const bounds: []const u32 = if (segment_count == 0) &.{} else inputSlice(u32, segments, segments_len, 2 * @as(u64, segment_count)) orelse
        return status(.invalid_argument);
    const spans: []const fbank.Segment = @as([*]const fbank.Segment, @ptrCast(bounds.ptr))[0..segment_count];
    for (spans) |span| {
        if (span.start > span.end or span.end > signal.len) return status(.invalid_argument);
    }
    out.* = fbank.compute(allocator, p, signal, spans, .{
        .share_frames = flags & flag_share_frames != 0,
        .mean_normalize = flags & flag_mean_normalize != 0,
    }) catch |err| return switch (err) {
        error.OutOfMemory => status(.out_of_memory),
        error.TooManyFrames => status(.invalid_argument),
    };
    return status(.ok);
}

// Accessors of a result from senko_fbank_compute; null or anything that is not a live result gives null / 0.

/// total_frames * mel_bins floats, frame-major.
export fn senko_fbank_data(result: ?*const fbank.Result) ?[*]f32 {
    const r = fbank.Result.fromHandle(result) orelse return null;
    return r.data.ptr;
}

export fn senko_fbank_total_frames(result: ?*const fbank.Result) u32 {
    const r = fbank.Result.fromHandle(result) orelse return 0;
    assert(r.data.len == @as(usize, r.total_frames) * fbank.mel_bins);
    return r.total_frames;
}

/// One u32 per subsegment.
export fn senko_fbank_frame_counts(result: ?*const fbank.Result) ?[*]u32 {
    const r = fbank.Result.fromHandle(result) orelse return null;
    return r.frame_counts.ptr;
}

/// One u32 per subsegment: the row of its first frame.
export fn senko_fbank_frame_offsets(result: ?*const fbank.Result) ?[*]u32 {
    const r = fbank.Result.fromHandle(result) orelse return null;
    return r.frame_offsets.ptr;
}

/// Ignores null and anything that is not a live result (so a second free of the same handle is caught
/// while its memory is mapped).
export fn senko_fbank_free(result: ?*fbank.Result) void {
    if (fbank.Result.fromHandle(result)) |r| @constCast(r).destroy(allocator);
}

test "senko_fbank_compute validates its arguments and the accessors accept null" {
    const t = std.testing;
    const invalid = status(.invalid_argument);
    const p = try pool.Pool.create(t.allocator, 1);
    defer p.destroy();
    var samples = [_]f32{0} ** 800;
    const spans = [_]u32{ 0, 800, 100, 900 };
    var result: ?*fbank.Result = null;
    try t.expectEqual(invalid, senko_fbank_compute(null, &samples, 800, &spans, 4, 1, 0, &result)); // no pool
    var not_a_pool = [_]u64{0} ** 16;
    try t.expectEqual(invalid, senko_fbank_compute(@ptrCast(&not_a_pool), &samples, 800, &spans, 4, 1, 0, &result));
    try t.expectEqual(invalid, senko_fbank_compute(p, &samples, 800, &spans, 4, 1, 4, &result)); // unknown flag
    try t.expectEqual(invalid, senko_fbank_compute(p, null, 800, &spans, 4, 1, 0, &result));
    try t.expectEqual(invalid, senko_fbank_compute(p, &samples, 800, null, 4, 1, 0, &result));
    try t.expectEqual(invalid, senko_fbank_compute(p, &samples, 800, &spans, 4, 2, 0, &result)); // span past the end
    try t.expectEqual(invalid, senko_fbank_compute(p, &samples, 800, &spans, 1, 1, 0, &result)); // spans short
    try t.expectEqual(invalid, senko_fbank_compute(p, &samples, 800, &spans, 4, 1, 0, null));
    try t.expectEqual(@as(?*fbank.Result, null), result);
    try t.expectEqual(@as(?[*]f32, null), senko_fbank_data(null));
    try t.expectEqual(@as(u32, 0), senko_fbank_total_frames(null));
    try t.expectEqual(@as(?[*]u32, null), senko_fbank_frame_counts(null));
    try t.expectEqual(@as(?[*]u32, null), senko_fbank_frame_offsets(null));
    senko_fbank_free(null);
    // Memory that is not a result is neither read as one nor freed.
    const not_a_result: *fbank.Result = @ptrCast(&not_a_pool);
    try t.expectEqual(@as(u32, 0), senko_fbank_total_frames(not_a_result));
    try t.expectEqual(@as(?[*]f32, null), senko_fbank_data(not_a_result));
    senko_fbank_free(not_a_result);
    try t.expectEqual(@as(i32, 0), senko_fbank_compute(p, &samples, 800, &spans, 4, 1, 0, &result));
    try t.expectEqual(@as(u32, 3), senko_fbank_total_frames(result));
    senko_fbank_free(result);
}
