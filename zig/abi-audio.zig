//! Exported C ABI for the audio area (see lib.zig for conventions).
//! A signal of `total_frames` interleaved frames is converted to 16 kHz mono either in one call
//! or in pieces: `senko_audio_input_range` says which frames a range of outputs reads, and
//! `senko_audio_to_mono16k` converts that range from just those frames (so a large file is
//! read a piece at a time and never held whole).
const std = @import("std");
const convert = @import("convert.zig");
const pool = @import("pool.zig");
const status = @import("status.zig").status;
const inputSlice = @import("status.zig").inputSlice;
const outputSlice = @import("status.zig").outputSlice;
const fbank = @import("fbank.zig");

comptime {
    // The conversion feeds the fbank (and the models) directly.
    std.debug.assert(convert.out_rate == fbank.sample_rate);
}

/// Highest input sample rate accepted; src/audio/wav.ts checks the same bound with a readable message.
pub const rate_max: u32 = 1_000_000;
/// Longest signal in frames; keeps every product of the conversion inside u64.
const frames_max: u64 = 1 << 40;

/// The rate every conversion produces (src/audio/convert.ts TARGET_RATE).
export fn senko_audio_output_rate() u32 {
    return convert.out_rate;
}

export fn senko_audio_rate_max() u32 {
    return rate_max;
}

fn validSignal(sample_rate: u32, total_frames: u64, out_first: u64, out_count: u64) bool {
    if (sample_rate == 0 or sample_rate > rate_max or total_frames > frames_max) return false;
    const length = convert.outputLength(total_frames, sample_rate);
    // Compared without out_first + out_count, which a caller can make wrap around.
    return out_count > 0 and out_first <= length and out_count <= length - out_first;
}

/// Writes to range[0..2] the frames [begin, end) of the signal that outputs [out_first,
/// out_first + out_count) read (the filter's reach, clipped to the signal).
export fn senko_audio_input_range(sample_rate: u32, total_frames: u64, out_first: u64, out_count: u64, range: ?*[2]u64) i32 {
    if (!validSignal(sample_rate, total_frames, out_first, out_count)) return status(.invalid_argument);
    const r = convert.inputRange(sample_rate, total_frames, out_first, out_count);
    const dest = range orelse return status(.invalid_argument);
    dest.* = .{ r.begin, r.end };
    return status(.ok);
}

/// Converts outputs [out_first, out_first + out_count) of a signal of `total_frames` frames of
/// `channels` interleaved little-endian samples in `encoding` (see convert.Encoding) at
/// `sample_rate` Hz to 16 kHz mono (channel average, band-limited resampling) into the caller's
/// `out` (`out_capacity` floats, at least `out_count`). `data` (`byte_count` bytes) holds frames from `data_first_frame` on and must cover the
/// frames `senko_audio_input_range` gives for those outputs. Runs on `thread_pool` (see senko_pool_create).
export fn senko_audio_to_mono16k(
    thread_pool: ?*pool.Pool,
    data: ?[*]const u8,
    byte_count: u64,
    encoding: u32,
    channels: u32,
    sample_rate: u32,
    total_frames: u64,
    data_first_frame: u64,
    out: ?[*]f32,
    out_capacity: u64,
    out_first: u64,
    out_count: u64,
) i32 {
    const p = pool.Pool.fromHandle(thread_pool) orelse return status(.invalid_argument);
    const invalid = status(.invalid_argument);
    const enc = std.meta.intToEnum(convert.Encoding, encoding) catch return invalid;
    if (channels == 0 or !validSignal(sample_rate, total_frames, out_first, out_count)) return invalid;
    const frame_bytes = @as(u64, channels) * enc.bytes();
    const data_frames = byte_count / frame_bytes;
    if (data_first_frame > total_frames or data_frames > total_frames - data_first_frame) return invalid;
    const needed = convert.inputRange(sample_rate, total_frames, out_first, out_count);
    if (needed.begin < data_first_frame or needed.end > data_first_frame + data_frames) return invalid;
    const bytes = inputSlice(u8, data, byte_count, data_frames * frame_bytes) orelse return invalid;
    const samples = outputSlice(f32, out, out_capacity, out_count) orelse return invalid;
    convert.toMono16k(p, .{
        .data = bytes,
        .first_frame = data_first_frame,
        .total_frames = total_frames,
        .encoding = enc,
        .channels = channels,
        .rate = sample_rate,
    }, out_first, samples) catch return status(.out_of_memory);
    return status(.ok);
}

test "senko_audio_to_mono16k and senko_audio_input_range validate their arguments" {
    var out: [3]f32 = undefined;
    const bytes = [_]u8{ 0, 0x40, 0, 0xc0, 0, 0 };
    const invalid = status(.invalid_argument);
    const t = std.testing;
    const p = try pool.Pool.create(t.allocator, 2);
    defer p.destroy();
    try t.expectEqual(invalid, senko_audio_to_mono16k(null, &bytes, 6, 2, 1, 16000, 3, 0, &out, 3, 0, 3)); // no pool
    try t.expectEqual(invalid, senko_audio_to_mono16k(p, &bytes, 6, 99, 1, 16000, 3, 0, &out, 3, 0, 3)); // encoding
    try t.expectEqual(invalid, senko_audio_to_mono16k(p, &bytes, 6, 2, 0, 16000, 3, 0, &out, 3, 0, 3)); // channels
    try t.expectEqual(invalid, senko_audio_to_mono16k(p, &bytes, 6, 2, 1, 0, 3, 0, &out, 3, 0, 3)); // rate
    try t.expectEqual(invalid, senko_audio_to_mono16k(p, &bytes, 5, 2, 1, 16000, 3, 0, &out, 3, 0, 3)); // data short
    try t.expectEqual(invalid, senko_audio_to_mono16k(p, &bytes, 6, 2, 1, 16000, 3, 0, &out, 3, 1, 3)); // past the end
    try t.expectEqual(invalid, senko_audio_to_mono16k(p, &bytes, 6, 2, 1, 16000, 3, 1, &out, 3, 0, 2)); // data starts late
    try t.expectEqual(invalid, senko_audio_to_mono16k(p, &bytes, 6, 2, 1, 16000, 2, 0, &out, 3, 0, 2)); // data past signal
    try t.expectEqual(invalid, senko_audio_to_mono16k(p, null, 6, 2, 1, 16000, 3, 0, &out, 3, 0, 3));
    try t.expectEqual(invalid, senko_audio_to_mono16k(p, &bytes, 6, 2, 1, 16000, 3, 0, &out, 2, 0, 3)); // out short
    try t.expectEqual(@as(i32, 0), senko_audio_to_mono16k(p, &bytes, 6, 2, 1, 16000, 3, 0, &out, 3, 0, 3));
    try t.expectEqualSlices(f32, &.{ 0.5, -0.5, 0 }, &out);
    // Outputs 1..2 from frames 1..2 only.
    try t.expectEqual(@as(i32, 0), senko_audio_to_mono16k(p, bytes[2..], 4, 2, 1, 16000, 3, 1, &out, 3, 1, 2));
    try t.expectEqualSlices(f32, &.{ -0.5, 0 }, out[0..2]);

    var range: [2]u64 = undefined;
    try t.expectEqual(@as(i32, 0), senko_audio_input_range(48000, 48000, 0, 16000, &range));
    try t.expectEqual([2]u64{ 0, 48000 }, range);
    try t.expectEqual(@as(i32, 0), senko_audio_input_range(48000, 480000, 16000, 100, &range));
    try t.expect(range[0] < 48000 and range[0] > 47000 and range[1] > 48300 and range[1] < 49000);
    try t.expectEqual(invalid, senko_audio_input_range(48000, 48000, 0, 16001, &range));
    try t.expectEqual(invalid, senko_audio_input_range(48000, 48000, 0, 0, &range));
    const wraps = std.math.maxInt(u64); // out_first + out_count wraps to 1
    try t.expectEqual(invalid, senko_audio_input_range(48000, 48000, wraps, 2, &range));
    try t.expectEqual(invalid, senko_audio_to_mono16k(p, &bytes, 6, 2, 1, 16000, 3, 0, &out, 3, wraps, 2));
}
