//! Status codes returned across the C ABI (src/ffi.ts turns them into typed errors), and the argument
//! checks every area's entry points share.
const std = @import("std");

pub const Status = enum(i32) {
    ok = 0,
    invalid_argument = -1,
    out_of_memory = -2,
    /// The input bytes are not a format we read (WAV parser, etc.).
    invalid_data = -3,
    /// An iterative method did not converge within its bound.
    no_convergence = -4,
};

/// The i32 an entry point returns for `s`.
pub fn status(s: Status) i32 {
    return @intFromEnum(s);
}

/// The first `len` elements of the caller's input `data` of `data_len` elements, or null for a null
/// pointer, a buffer that holds fewer, or more bytes than the address space holds.
pub fn inputSlice(comptime T: type, data: ?[*]const T, data_len: u64, len: u64) ?[]const T {
    const d = data orelse return null;
    if (data_len < len or len > std.math.maxInt(usize) / @sizeOf(T)) return null;
    return d[0..@intCast(len)];
}

/// The `count` x `dim` floats (row-major) at `data` (`data_len` floats), or null for a null pointer, a
/// zero count or dimension, or a buffer that holds fewer (see inputSlice).
pub fn inputRows(data: ?[*]const f32, data_len: u64, count: u32, dim: u32) ?[]const f32 {
    if (count == 0 or dim == 0) return null;
    return inputSlice(f32, data, data_len, @as(u64, count) * dim);
}

/// The first `len` elements of the caller's buffer `out` of `capacity` elements, or null for a null
/// pointer, a buffer that holds fewer, or more bytes than the address space holds.
pub fn outputSlice(comptime T: type, out: ?[*]T, capacity: u64, len: u64) ?[]T {
    const o = out orelse return null;
    if (capacity < len or len > std.math.maxInt(usize) / @sizeOf(T)) return null;
    return o[0..@intCast(len)];
}

test "outputSlice refuses null and a capacity below the length" {
    var values: [4]u32 = undefined;
    try std.testing.expectEqual(@as(usize, 3), outputSlice(u32, &values, 4, 3).?.len);
    try std.testing.expectEqual(@as(usize, 4), outputSlice(u32, &values, 4, 4).?.len);
    try std.testing.expectEqual(@as(?[]u32, null), outputSlice(u32, &values, 3, 4));
    try std.testing.expectEqual(@as(?[]u32, null), outputSlice(u32, null, 4, 4));
}

test "inputSlice refuses null and a length below what the call reads" {
    const values = [_]u32{ 1, 2, 3, 4 };
    try std.testing.expectEqualSlices(u32, &.{ 1, 2, 3 }, inputSlice(u32, &values, 4, 3).?);
    try std.testing.expectEqual(@as(usize, 4), inputSlice(u32, &values, 4, 4).?.len);
    try std.testing.expectEqual(@as(usize, 0), inputSlice(u32, &values, 4, 0).?.len);
    try std.testing.expectEqual(@as(?[]const u32, null), inputSlice(u32, &values, 3, 4));
    try std.testing.expectEqual(@as(?[]const u32, null), inputSlice(u32, null, 4, 4));
    try std.testing.expectEqual(@as(?[]const u32, null), inputSlice(u32, &values, std.math.maxInt(u64), std.math.maxInt(u64)));
}

test "inputRows refuses null, empty, zero-width and short input" {
    const values = [_]f32{ 1, 2, 3, 4, 5, 6 };
    try std.testing.expectEqual(@as(usize, 6), inputRows(&values, 6, 3, 2).?.len);
    try std.testing.expectEqual(@as(usize, 4), inputRows(&values, 6, 2, 2).?.len);
    try std.testing.expectEqual(@as(?[]const f32, null), inputRows(&values, 5, 3, 2));
    try std.testing.expectEqual(@as(?[]const f32, null), inputRows(null, 6, 3, 2));
    try std.testing.expectEqual(@as(?[]const f32, null), inputRows(&values, 6, 0, 2));
    try std.testing.expectEqual(@as(?[]const f32, null), inputRows(&values, 6, 3, 0));
}
