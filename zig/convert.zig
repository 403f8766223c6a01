//! Interleaved little-endian samples of any common encoding -> 16 kHz mono f32: decode, average
//! the channels, resample. The output is cut into blocks that run in parallel; each block decodes
//! just the input span it reads into a scratch buffer, so nothing of input size is allocated.
const std = @import("std");
const pool_mod = @import("pool.zig");
const resample = @import("resample.zig");
const assert = std.debug.assert;

pub const out_rate: u32 = 16000;

/// Sample encodings of WAV data; values are the ABI's (src/audio/convert.ts mirrors them).
pub const Encoding = enum(u32) {
    pcm_u8 = 1,
    pcm_s16 = 2,
    pcm_s24 = 3,
    pcm_s32 = 4,
    float32 = 5,
    float64 = 6,

    pub fn bytes(encoding: Encoding) u32 {
        return switch (encoding) {
            .pcm_u8 => 1,
            .pcm_s16 => 2,
            .pcm_s24 => 3,
            .pcm_s32, .float32 => 4,
            .float64 => 8,
        };
    }
};

/// Float samples are clamped to +-float_limit: far above any real signal (also above float files
/// written on the 16-bit scale, +-32768), and low enough that channel sums, the resampling filter
/// and the later power spectra of a corrupt file stay finite in f32.
pub const float_limit: f32 = 65536;

/// One sample at `b` as f32 in [-1, 1) for integers; floats as stored up to +-float_limit, NaN and
/// infinities as 0 (one bad sample would otherwise spread through the filter and every later stage).
inline fn sample(comptime encoding: Encoding, b: *const [encoding.bytes()]u8) f32 {
    switch (encoding) {
        .pcm_u8 => return (@as(f32, @floatFromInt(b[0])) - 128) * (1.0 / 128.0),
        .pcm_s16 => return @as(f32, @floatFromInt(std.mem.readInt(i16, b, .little))) * (1.0 / 32768.0),
        .pcm_s24 => return @as(f32, @floatFromInt(std.mem.readInt(i24, b, .little))) * (1.0 / 8388608.0),
        .pcm_s32 => return @as(f32, @floatFromInt(std.mem.readInt(i32, b, .little))) * (1.0 / 2147483648.0),
        .float32 => {
            const v: f32 = @bitCast(std.mem.readInt(u32, b, .little));
            return if (std.math.isFinite(v)) std.math.clamp(v, -float_limit, float_limit) else 0;
        },
        .float64 => {
            const v: f64 = @bitCast(std.mem.readInt(u64, b, .little));
            return if (std.math.isFinite(v)) @floatCast(std.math.clamp(v, -float_limit, float_limit)) else 0;
        },
    }
}

/// Channel count fixed at compile time for the common 1 and 2, so those loops unroll.
fn decodeFrames(comptime encoding: Encoding, comptime fixed_channels: u32, data: []const u8, channels: u32, first_frame: u64, out: []f32) void {
    const size = comptime encoding.bytes();
    const channel_count = if (fixed_channels != 0) fixed_channels else channels;
    const stride: usize = @as(usize, channel_count) * size;
    const scale = 1 / @as(f32, @floatFromInt(channel_count));
    var offset: usize = @intCast(first_frame * stride);
    assert(offset + out.len * stride <= data.len);
    for (out) |*o| {
        // Starting from channel 0 (not from 0.0) keeps mono bit-exact, -0.0 included.
        var sum = sample(encoding, data[offset..][0..size]);
        var c: usize = 1;
        while (c < channel_count) : (c += 1) sum += sample(encoding, data[offset + c * size ..][0..size]);
        o.* = if (channel_count == 1) sum else sum * scale;
        offset += stride;
    }
}

/// out[i] = mean over channels of frame first_frame + i.
pub fn decodeMono(encoding: Encoding, data: []const u8, channels: u32, first_frame: u64, out: []f32) void {
    assert(channels >= 1);
    switch (encoding) {
        inline else => |e| switch (channels) {
            1 => decodeFrames(e, 1, data, channels, first_frame, out),
            2 => decodeFrames(e, 2, data, channels, first_frame, out),
            else => decodeFrames(e, 0, data, channels, first_frame, out),
        },
    }
}

/// Output length at 16 kHz for `frames` input frames at `in_rate`: every output time inside the input.
pub fn outputLength(frames: u64, in_rate: u32) u64 {
    assert(in_rate > 0);
    return std.math.divCeil(u64, frames * out_rate, in_rate) catch unreachable;
}

/// A stretch of a signal: `data` holds whole frames first_frame, first_frame + 1, ... of a signal
/// that has `total_frames` frames in all (a file is converted in pieces, see src/audio/convert.ts).
pub const Input = struct {
    data: []const u8,
    first_frame: u64,
    total_frames: u64,
    encoding: Encoding,
    channels: u32,
    rate: u32,

    pub fn frameBytes(input: Input) u64 {
        return @as(u64, input.channels) * input.encoding.bytes();
    }

    pub fn dataFrames(input: Input) u64 {
        return input.data.len / input.frameBytes();
    }
};

pub const FrameRange = struct { begin: u64, end: u64 };

/// The input frames that outputs [out_first, out_first + out_count) read, within the signal.
pub fn inputRange(rate: u32, total_frames: u64, out_first: u64, out_count: u64) FrameRange {
    assert(out_count > 0);
    if (rate == out_rate) return .{ .begin = out_first, .end = out_first + out_count };
    const design = resample.Design.init(rate, out_rate);
    const total: i64 = @intCast(total_frames);
    return .{
        .begin = @intCast(std.math.clamp(design.firstInput(out_first), 0, total)),
        .end = @intCast(std.math.clamp(design.inputEnd(out_first + out_count), 0, total)),
    };
}

/// Frames per parallel task when no resampling is needed.
const copy_block: u64 = 1 << 16;
/// Outputs per scratch fill when resampling: the scratch (input span) stays within L2.
const resample_block: u64 = 8192;

/// Decodes, downmixes and resamples `input` into outputs [out_first, out_first + out.len) of the
/// whole signal at 16 kHz; `input` must hold every frame of `inputRange` for them.
pub fn toMono16k(pool: *pool_mod.Pool, input: Input, out_first: u64, out: []f32) error{OutOfMemory}!void {
    if (out.len == 0) return;
    assert(out_first + out.len <= outputLength(input.total_frames, input.rate));
    assert(input.first_frame + input.dataFrames() <= input.total_frames);
    const needed = inputRange(input.rate, input.total_frames, out_first, out.len);
    assert(needed.begin >= input.first_frame and needed.end <= input.first_frame + input.dataFrames());

    if (input.rate == out_rate) {
        const Copy = struct {
            input: Input,
            first: u64,
            out: []f32,
            fn run(c: *const @This(), task: u32) void {
                const begin = task * copy_block;
                const end = @min(begin + copy_block, c.out.len);
                decodeMono(c.input.encoding, c.input.data, c.input.channels, c.first + begin, c.out[begin..end]);
            }
        };
        const tasks: u32 = @intCast(std.math.divCeil(u64, out.len, copy_block) catch unreachable);
        pool.parallelFor(tasks, &Copy{ .input = input, .first = out_first - input.first_frame, .out = out }, Copy.run);
        return;
    }

    const shared = try filter_cache.acquire(input.rate);
    defer filter_cache.release(shared);
    const filter = &shared.filter;
    // A few contiguous ranges per thread: each allocates one scratch and walks its range in blocks.
    const blocks = std.math.divCeil(u64, out.len, resample_block) catch unreachable;
    const tasks: u32 = @intCast(@min(blocks, @as(u64, pool.threadCount()) * 4));
    const Resample = struct {
        input: Input,
        filter: *const resample.Filter,
        out_first: u64,
        out: []f32,
        tasks: u32,
        failed: std.atomic.Value(bool) = std.atomic.Value(bool).init(false),

        fn run(c: *@This(), task: u32) void {
            const d = c.filter.design;
            const scratch = std.heap.c_allocator.alloc(f32, scratchLength(d)) catch {
                c.failed.store(true, .release);
                return;
            };
            defer std.heap.c_allocator.free(scratch);
            const count: u64 = c.out.len;
            var i = count * task / c.tasks;
            const range_end = count * (task + 1) / c.tasks;
            while (i < range_end) {
                const end = @min(i + resample_block, range_end);
                const n = c.out_first + i;
                const first = d.firstInput(n);
                const x = scratch[0..@intCast(d.inputEnd(c.out_first + end) - first)];
                fillInput(c.input, first, x);
                c.filter.process(x, first, n, c.out[i..end]);
                i = end;
            }
        }
    };
    var context = Resample{ .input = input, .filter = filter, .out_first = out_first, .out = out, .tasks = tasks };
    pool.parallelFor(tasks, &context, Resample.run);
    if (context.failed.load(.acquire)) return error.OutOfMemory;
}

/// The filters of the last few rates built, kept for later calls: a file converted in pieces, the next
/// file at the same rate, or streams at different rates in one process (two Diarizers' live sessions)
/// do not rebuild them (tens of ms for odd rates). Reference-counted so that a call on another thread
/// that evicts one cannot free it while in use.
const FilterCache = struct {
    const slot_count = 4;

    mutex: std.Thread.Mutex = .{},
    /// most recently used first; the cache holds one reference to each
    slots: [slot_count]?*Shared = @splat(null),

    const Shared = struct {
        filter: resample.Filter,
        rate: u32,
        /// holders, the cache counting as one while a slot points here
        refs: u32,
    };

    fn acquire(cache: *FilterCache, rate: u32) !*Shared {
        cache.mutex.lock();
        defer cache.mutex.unlock();
        for (cache.slots, 0..) |slot, i| {
            const s = slot orelse break;
            if (s.rate != rate) continue;
            s.refs += 1;
            cache.moveToFront(i);
            return s;
        }
        const s = try std.heap.c_allocator.create(Shared);
        errdefer std.heap.c_allocator.destroy(s);
        s.* = .{ .filter = try resample.Filter.init(std.heap.c_allocator, rate, out_rate), .rate = rate, .refs = 2 };
        if (cache.slots[slot_count - 1]) |oldest| cache.drop(oldest);
        cache.slots[slot_count - 1] = s;
        cache.moveToFront(slot_count - 1);
        return s;
    }

    fn moveToFront(cache: *FilterCache, index: usize) void {
        assert(index < slot_count);
        const s = cache.slots[index];
        assert(s != null);
        std.mem.copyBackwards(?*Shared, cache.slots[1 .. index + 1], cache.slots[0..index]);
        cache.slots[0] = s;
    }

    fn release(cache: *FilterCache, s: *Shared) void {
        cache.mutex.lock();
        defer cache.mutex.unlock();
        cache.drop(s);
    }

    fn drop(cache: *FilterCache, s: *Shared) void {
        _ = cache;
        assert(s.refs > 0);
        s.refs -= 1;
        if (s.refs == 0) {
            s.filter.deinit(std.heap.c_allocator);
            std.heap.c_allocator.destroy(s);
        }
    }

    /// Drops the cache's own references (tests; the process-wide cache lives as long as the library).
    fn deinit(cache: *FilterCache) void {
        for (&cache.slots) |*slot| {
            if (slot.*) |s| cache.drop(s);
            slot.* = null;
        }
    }
};

var filter_cache: FilterCache = .{};

/// Input samples read by `resample_block` consecutive outputs, at most.
fn scratchLength(design: resample.Design) usize {
    const whole = std.math.divCeil(u64, resample_block * design.down, design.up) catch unreachable;
    return @intCast(whole + design.taps + 1);
}

/// x[i] = mono signal sample first + i, zero outside the signal.
fn fillInput(input: Input, first: i64, x: []f32) void {
    const total: i64 = @intCast(input.total_frames);
    const end = first + @as(i64, @intCast(x.len));
    const lo = std.math.clamp(first, 0, total);
    const hi = std.math.clamp(end, lo, total);
    const lead: usize = @intCast(lo - first);
    const n: usize = @intCast(hi - lo);
    @memset(x[0..lead], 0);
    if (n > 0) {
        const in_data = @as(u64, @intCast(lo)) - input.first_frame;
        decodeMono(input.encoding, input.data, input.channels, in_data, x[lead..][0..n]);
    }
    @memset(x[lead + n ..], 0);
}

// ---------------------------------------------------------------- tests

const testing = std.testing;

test "every encoding decodes to the expected value and channels average" {
    var out: [2]f32 = undefined;
    // u8: 0 -> -1, 128 -> 0, 255 -> 127/128
    decodeMono(.pcm_u8, &.{ 0, 128, 255, 192 }, 1, 1, &out);
    try testing.expectEqualSlices(f32, &.{ 0, 127.0 / 128.0 }, &out);
    // s16 stereo: (-32768 + 16384)/2/32768 = -0.25, then (32767 + 32767)/2/32768
    decodeMono(.pcm_s16, &.{ 0x00, 0x80, 0x00, 0x40, 0xff, 0x7f, 0xff, 0x7f }, 2, 0, &out);
    try testing.expectEqualSlices(f32, &.{ -0.25, 32767.0 / 32768.0 }, &out);
    // s24: -8388608 -> -1, 1 -> 2^-23
    decodeMono(.pcm_s24, &.{ 0x00, 0x00, 0x80, 0x01, 0x00, 0x00 }, 1, 0, &out);
    try testing.expectEqualSlices(f32, &.{ -1, 1.0 / 8388608.0 }, &out);
    // s32: 2^30 -> 0.5, -2^31 -> -1
    decodeMono(.pcm_s32, &.{ 0, 0, 0, 0x40, 0, 0, 0, 0x80 }, 1, 0, &out);
    try testing.expectEqualSlices(f32, &.{ 0.5, -1 }, &out);
    // f32: -0.0 survives mono bit-exactly; NaN becomes 0
    var f32_bytes: [8]u8 = undefined;
    std.mem.writeInt(u32, f32_bytes[0..4], @bitCast(@as(f32, -0.0)), .little);
    std.mem.writeInt(u32, f32_bytes[4..8], @bitCast(std.math.nan(f32)), .little);
    decodeMono(.float32, &f32_bytes, 1, 0, &out);
    try testing.expectEqual(@as(u32, 0x80000000), @as(u32, @bitCast(out[0])));
    try testing.expectEqual(@as(f32, 0), out[1]);
    // f64, three channels: (0.5 + 0.25 + inf->0) / 3
    var f64_bytes: [24]u8 = undefined;
    for ([_]f64{ 0.5, 0.25, std.math.inf(f64) }, 0..) |v, i| std.mem.writeInt(u64, f64_bytes[i * 8 ..][0..8], @bitCast(v), .little);
    decodeMono(.float64, &f64_bytes, 3, 0, out[0..1]);
    try testing.expectApproxEqAbs(@as(f32, 0.25), out[0], 1e-7);
    // Finite but huge floats are clamped, so that sums of channels cannot overflow to infinity.
    for ([_]f64{ 1e300, -3e38, 7 }, 0..) |v, i| std.mem.writeInt(u64, f64_bytes[i * 8 ..][0..8], @bitCast(v), .little);
    decodeMono(.float64, &f64_bytes, 3, 0, out[0..1]);
    try testing.expectApproxEqAbs(@as(f32, 7.0 / 3.0), out[0], 1e-6);
    std.mem.writeInt(u32, f32_bytes[0..4], @bitCast(@as(f32, 3e38)), .little);
    std.mem.writeInt(u32, f32_bytes[4..8], @bitCast(@as(f32, 3e38)), .little);
    decodeMono(.float32, &f32_bytes, 2, 0, out[0..1]);
    try testing.expectEqual(float_limit, out[0]);
}

/// Interleaved s16 stereo of a sine in the left channel and its negation scaled by 0.5 in the right.
fn stereoSine(allocator: std.mem.Allocator, frames: usize, rate: u32, hz: f64) ![]u8 {
    const data = try allocator.alloc(u8, frames * 4);
    for (0..frames) |i| {
        const v = @sin(2 * std.math.pi * hz * @as(f64, @floatFromInt(i)) / @as(f64, @floatFromInt(rate)));
        std.mem.writeInt(i16, data[i * 4 ..][0..2], @intFromFloat(@round(v * 30000)), .little);
        std.mem.writeInt(i16, data[i * 4 + 2 ..][0..2], @intFromFloat(@round(-v * 15000)), .little);
    }
    return data;
}

fn wholeInput(data: []const u8, frames: u64, rate: u32) Input {
    return .{ .data = data, .first_frame = 0, .total_frames = frames, .encoding = .pcm_s16, .channels = 2, .rate = rate };
}

test "toMono16k: threads and block boundaries do not change the result" {
    const a = testing.allocator;
    const frames = 44100 * 3 + 17;
    const data = try stereoSine(a, frames, 44100, 440);
    defer a.free(data);
    const input = wholeInput(data, frames, 44100);
    const n: usize = @intCast(outputLength(frames, 44100));
    try testing.expectEqual(@as(usize, 48007), n);
    const one = try a.alloc(f32, n);
    defer a.free(one);
    const four = try a.alloc(f32, n);
    defer a.free(four);
    const p1 = try pool_mod.Pool.create(a, 1);
    defer p1.destroy();
    const p4 = try pool_mod.Pool.create(a, 4);
    defer p4.destroy();
    try toMono16k(p1, input, 0, one);
    try toMono16k(p4, input, 0, four);
    try testing.expectEqualSlices(f32, one, four);

    // Same as decoding everything first and filtering in one go.
    const mono = try a.alloc(f32, frames);
    defer a.free(mono);
    decodeMono(.pcm_s16, data, 2, 0, mono);
    var filter = try resample.Filter.init(a, 44100, out_rate);
    defer filter.deinit(a);
    const first = filter.design.firstInput(0);
    const padded = try a.alloc(f32, @intCast(filter.design.inputEnd(n) - first));
    defer a.free(padded);
    @memset(padded, 0);
    @memcpy(padded[@intCast(-first)..][0..frames], mono);
    const whole = try a.alloc(f32, n);
    defer a.free(whole);
    filter.process(padded, first, 0, whole);
    try testing.expectEqualSlices(f32, whole, one);
}

test "toMono16k: a signal converted in pieces, each given only the frames it reads, equals the whole" {
    const a = testing.allocator;
    const p = try pool_mod.Pool.create(a, 2);
    defer p.destroy();
    for ([_]u32{ 44100, 8000, 16000, 44101 }) |rate| {
        const frames = rate + 999;
        const data = try stereoSine(a, frames, rate, 300);
        defer a.free(data);
        const n: usize = @intCast(outputLength(frames, rate));
        const whole = try a.alloc(f32, n);
        defer a.free(whole);
        try toMono16k(p, wholeInput(data, frames, rate), 0, whole);
        const pieces = try a.alloc(f32, n);
        defer a.free(pieces);
        var begin: usize = 0;
        var size: usize = 1;
        while (begin < n) : (size = size * 3 + 1) {
            const end = @min(n, begin + size);
            const range = inputRange(rate, frames, begin, end - begin);
            const input = Input{
                .data = data[@intCast(range.begin * 4)..@intCast(range.end * 4)],
                .first_frame = range.begin,
                .total_frames = frames,
                .encoding = .pcm_s16,
                .channels = 2,
                .rate = rate,
            };
            try toMono16k(p, input, begin, pieces[begin..end]);
            begin = end;
        }
        try testing.expectEqualSlices(f32, whole, pieces);
    }
}

test "the filter cache keeps one filter per rate for the last few rates and frees evicted ones when released" {
    var cache: FilterCache = .{};
    defer cache.deinit();
    const a = try cache.acquire(44100);
    const b = try cache.acquire(44100);
    try testing.expectEqual(a, b);
    try testing.expectEqual(@as(u32, 3), a.refs);
    cache.release(b);
    cache.release(a);
    // Two streams at different rates take turns: neither rebuilds its filter.
    const c = try cache.acquire(22050);
    try testing.expect(c != a);
    cache.release(c);
    const again = try cache.acquire(44100);
    try testing.expectEqual(a, again);
    cache.release(again);
    // More rates than slots: the least recently used goes, alive while someone holds it.
    const held = try cache.acquire(22050);
    for ([_]u32{ 8000, 11025, 48000, 32000 }) |rate| cache.release(try cache.acquire(rate));
    for (cache.slots) |slot| try testing.expect(slot.?.rate != 22050 and slot.?.rate != 44100);
    try testing.expectEqual(@as(u32, 1), held.refs);
    try testing.expectEqual(@as(u32, 320), held.filter.design.up);
    cache.release(held); // frees it
}

test "toMono16k: 16 kHz input is decoded without filtering" {
    const a = testing.allocator;
    const frames = 70000;
    const data = try stereoSine(a, frames, 16000, 300);
    defer a.free(data);
    const out = try a.alloc(f32, frames);
    defer a.free(out);
    const p = try pool_mod.Pool.create(a, 3);
    defer p.destroy();
    try toMono16k(p, wholeInput(data, frames, 16000), 0, out);
    for (out, 0..) |v, i| {
        const l: f32 = @floatFromInt(std.mem.readInt(i16, data[i * 4 ..][0..2], .little));
        const r: f32 = @floatFromInt(std.mem.readInt(i16, data[i * 4 + 2 ..][0..2], .little));
        try testing.expectEqual((l / 32768 + r / 32768) * 0.5, v);
    }
}
