//! Exported C ABI for the fbank area (see lib.zig for conventions).
//! One call computes the features of every subsegment into a Zig-owned result; the caller reads it
//! through the accessors (zero-copy views in src/features/fbank.ts) and frees it with senko_fbank_free.
const std = @import("std");
const fbank = @import("fbank.zig");
const pool = @import("pool.zig");
const Status = @import("status.zig").Status;

const allocator = std.heap.c_allocator;

/// Bits of `flags` in senko_fbank_compute.
const flag_share_frames: u32 = 1;
const flag_mean_normalize: u32 = 2;

fn status(s: Status) i32 {
    return @intFromEnum(s);
}

export fn senko_fbank_mel_bins() u32 {
    return fbank.mel_bins;
}

/// Fbank of the subsegments [segments[2i], segments[2i+1]) (sample indices, start <= end <= sample_count)
/// of a 16 kHz signal. On success *out_result holds a result to pass to senko_fbank_free.
export fn senko_fbank_compute(
    thread_pool: ?*pool.Pool,
    samples: ?[*]const f32,
    sample_count: u32,
    segments: ?[*]const u32,
    segment_count: u32,
    flags: u32,
    out_result: ?*?*fbank.Result,
) i32 {
    const out = out_result orelse return status(.invalid_argument);
    out.* = null;
    const p = thread_pool orelse return status(.invalid_argument);
    if (flags & ~(flag_share_frames | flag_mean_normalize) != 0) return status(.invalid_argument);
    if (sample_count > 0 and samples == null) return status(.invalid_argument);
    if (segment_count > 0 and segments == null) return status(.invalid_argument);
    const signal: []const f32 = if (sample_count > 0) samples.?[0..sample_count] else &.{};
    const spans: []const fbank.Segment = if (segment_count > 0)
        @as([*]const fbank.Segment, @ptrCast(segments.?))[0..segment_count]
    else
        &.{};
    for (spans) |span| {
        if (span.start > span.end or span.end > sample_count) return status(.invalid_argument);
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

/// total_frames * mel_bins floats, frame-major.
export fn senko_fbank_data(result: *const fbank.Result) [*]f32 {
    return result.data.ptr;
}

export fn senko_fbank_total_frames(result: *const fbank.Result) u32 {
    return result.total_frames;
}

/// One u32 per subsegment.
export fn senko_fbank_frame_counts(result: *const fbank.Result) [*]u32 {
    return result.frame_counts.ptr;
}

/// One u32 per subsegment: the row of its first frame.
export fn senko_fbank_frame_offsets(result: *const fbank.Result) [*]u32 {
    return result.frame_offsets.ptr;
}

export fn senko_fbank_free(result: ?*fbank.Result) void {
    if (result) |r| r.destroy(allocator);
}
