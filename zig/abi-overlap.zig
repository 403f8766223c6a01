//! Exported C ABI of the overlap-aware pipeline's kernels (see lib.zig for conventions): gathering
//! embedding inputs from a whole-file fbank, and average-linkage agglomerative clustering.
const std = @import("std");
const agglomerative = @import("agglomerative.zig");
const frame_gather = @import("frame-gather.zig");
const mel_bins = @import("fbank.zig").mel_bins;
const pool = @import("pool.zig");
const status = @import("status.zig").status;
const inputRows = @import("status.zig").inputRows;
const inputSlice = @import("status.zig").inputSlice;
const outputSlice = @import("status.zig").outputSlice;

const allocator = std.heap.c_allocator;

/// Builds a [member_count x length x mel_bins] batch in `out` (`out_capacity` floats, at least that
/// many): member m is rows indices[offsets[m] ..][0..length] of `fbank` (frame_count x mel_bins, in
/// `fbank_len` floats), minus their mean. Every index must be < frame_count, and every member's rows
/// within the `indices_len` indices; `offsets` holds `offsets_len` u32, at least member_count.
export fn senko_frames_gather(
    fbank: ?[*]const f32,
    fbank_len: u64,
    frame_count: u32,
    indices: ?[*]const u32,
    indices_len: u64,
    offsets: ?[*]const u32,
    offsets_len: u64,
    member_count: u32,
    length: u32,
    out: ?[*]f32,
    out_capacity: u64,
) i32 {
    if (member_count == 0 or length == 0 or frame_count == 0 or indices_len == 0) return status(.invalid_argument);
    const source = inputSlice(f32, fbank, fbank_len, @as(u64, frame_count) * mel_bins) orelse return status(.invalid_argument);
    // Every index is read (each checked below), so the whole buffer is the input.
    const rows = inputSlice(u32, indices, indices_len, indices_len) orelse return status(.invalid_argument);
    const starts = inputSlice(u32, offsets, offsets_len, member_count) orelse return status(.invalid_argument);
    // Three u32-sized factors can pass u64.
    const batch_len = std.math.mul(u64, @as(u64, member_count) * length, mel_bins) catch return status(.invalid_argument);
    const batch = outputSlice(f32, out, out_capacity, batch_len) orelse return status(.invalid_argument);
    for (rows) |r| if (r >= frame_count) return status(.invalid_argument);
    for (starts) |o| if (@as(u64, o) + length > indices_len) return status(.invalid_argument);
    frame_gather.gather(source, rows, starts, length, batch);
    return status(.ok);
}

/// Largest `count` senko_average_linkage accepts (src/pipeline/overlap/constrained-clustering.ts mirrors
/// it; test/shared-constants.test.ts compares).
export fn senko_agglomerative_count_max() u32 {
    return agglomerative.count_max;
}

/// Average-linkage dendrogram (cosine distance) of `count` rows of `dim` floats: count - 1 merges in
/// out_a / out_b (cluster ids: < count are rows, count + k the cluster of merge k) and out_distance,
/// by ascending distance. Each output is followed by its capacity in elements (at least count - 1).
/// The distances are computed on `thread_pool`.
export fn senko_average_linkage(
    thread_pool: ?*pool.Pool,
    data: ?[*]const f32,
    data_len: u64,
    count: u32,
    dim: u32,
    out_a: ?[*]u32,
    a_capacity: u64,
    out_b: ?[*]u32,
    b_capacity: u64,
    out_distance: ?[*]f32,
    distance_capacity: u64,
) i32 {
    const p = pool.Pool.fromHandle(thread_pool) orelse return status(.invalid_argument);
    if (count < 2 or count > agglomerative.count_max or dim == 0) return status(.invalid_argument);
    const points = inputRows(data, data_len, count, dim) orelse return status(.invalid_argument);
    const a = outputSlice(u32, out_a, a_capacity, count - 1) orelse return status(.invalid_argument);
    const b = outputSlice(u32, out_b, b_capacity, count - 1) orelse return status(.invalid_argument);
    const distance = outputSlice(f32, out_distance, distance_capacity, count - 1) orelse return status(.invalid_argument);
    const merges = allocator.alloc(agglomerative.Merge, count - 1) catch return status(.out_of_memory);
    defer allocator.free(merges);
    agglomerative.averageLinkage(allocator, p, points, count, dim, merges) catch |err| return switch (err) {
        error.OutOfMemory => status(.out_of_memory),
        error.NonFinite => status(.invalid_data),
    };
    for (merges, a, b, distance) |m, *x, *y, *d| {
        x.* = m.a;
        y.* = m.b;
        d.* = m.distance;
    }
    return status(.ok);
}

test "senko_frames_gather refuses a batch whose size passes u64, before reading the offsets" {
    const most = std.math.maxInt(u32);
    const fbank = [_]f32{0} ** mel_bins;
    const indices = [_]u32{0};
    const offsets = [_]u32{0};
    var out = [_]f32{0};
    // The lengths are what a caller says; the offsets claimed are never read.
    const refused = senko_frames_gather(&fbank, mel_bins, 1, &indices, 1, &offsets, most, most, most, &out, std.math.maxInt(u64));
    try std.testing.expectEqual(status(.invalid_argument), refused);
}

test "senko_frames_gather and senko_average_linkage refuse a buffer one element short" {
    const testing = @import("abi-testing.zig");
    const p = try pool.Pool.create(std.testing.allocator, 2);
    defer p.destroy();
    const Gather = struct {
        fbank: [4 * mel_bins]f32 = .{0.25} ** (4 * mel_bins),
        out: [2 * 2 * mel_bins]f32 = .{-7} ** (2 * 2 * mel_bins),
        pub fn run(self: *@This(), sizes: [4]u64) i32 {
            const indices = [_]u32{ 0, 1, 2, 3 };
            const offsets = [_]u32{ 0, 2 };
            return senko_frames_gather(&self.fbank, sizes[0], 4, &indices, sizes[1], &offsets, sizes[2], 2, 2, &self.out, sizes[3]);
        }
    };
    var gather: Gather = .{};
    // indices one short: the second member's rows (offset 2, length 2) pass its end.
    try testing.expectEachOneShortRefused(4, .{ 4 * mel_bins, 4, 2, 2 * 2 * mel_bins }, &gather);
    const Linkage = struct {
        p: *pool.Pool,
        a: [3]u32 = .{99} ** 3,
        b: [3]u32 = .{99} ** 3,
        distance: [3]f32 = .{-7} ** 3,
        pub fn run(self: *@This(), sizes: [4]u64) i32 {
            const rows = [_]f32{ 1, 0, 0.9, 0.1, 0, 1, 0.1, 0.9 };
            return senko_average_linkage(self.p, &rows, sizes[0], 4, 2, &self.a, sizes[1], &self.b, sizes[2], &self.distance, sizes[3]);
        }
    };
    var linkage: Linkage = .{ .p = p };
    try testing.expectEachOneShortRefused(4, .{ 8, 3, 3, 3 }, &linkage);
}
