//! Test helpers and fixtures for the C ABI's tests: an export given any one of its buffers one element
//! short must refuse the call before any work, writing nothing.
const std = @import("std");
const status = @import("status.zig").status;

/// Eight points in two groups of four (near (1, 0) and near (0, 1)), 2-d, row-major.
pub const two_groups_2d = [_]f32{ 1, 0, 0.9, 0.1, 0.95, 0.05, 0.85, 0.2, 0, 1, 0.1, 0.9, 0.05, 0.95, 0.2, 0.85 };

/// `call.run(sizes)` passes `sizes` as the length or capacity of each of the export's buffers, in its
/// parameter order; `call` is a pointer to a struct whose output buffers are fields with defaults. With
/// each size, in turn, one below `exact`, the export must return invalid_argument and leave every
/// such field at its default (holdsDefaults); with `exact`, ok.
pub fn expectEachOneShortRefused(comptime n: usize, exact: [n]u64, call: anytype) !void {
    for (0..n) |i| {
        var sizes = exact;
        sizes[i] -= 1;
        std.testing.expectEqual(status(.invalid_argument), call.run(sizes)) catch |err| {
            std.debug.print("buffer {d} of {d}, one short, was not refused\n", .{ i, n });
            return err;
        };
        std.testing.expect(holdsDefaults(call)) catch |err| {
            std.debug.print("buffer {d} of {d} one short: an output was written\n", .{ i, n });
            return err;
        };
    }
    try std.testing.expectEqual(status(.ok), call.run(exact));
}

/// Whether every field with a default of the struct `value` points to still holds that default,
/// compared byte for byte (so a NaN written over a float counts).
pub fn holdsDefaults(value: anytype) bool {
    const T = @typeInfo(@TypeOf(value)).pointer.child;
    inline for (@typeInfo(T).@"struct".fields) |field| {
        if (field.defaultValue()) |default| {
            if (!std.mem.eql(u8, std.mem.asBytes(&@field(value, field.name)), std.mem.asBytes(&default))) return false;
        }
    }
    return true;
}

test "holdsDefaults sees any field written, a NaN included, and skips fields without a default" {
    const Buffers = struct { pointer: *const u8, values: [3]f32 = .{-7} ** 3, count: u32 = 99 };
    const byte: u8 = 0;
    var buffers: Buffers = .{ .pointer = &byte };
    try std.testing.expect(holdsDefaults(&buffers));
    buffers.values[2] = std.math.nan(f32);
    try std.testing.expect(!holdsDefaults(&buffers));
    buffers = .{ .pointer = &byte, .count = 98 };
    try std.testing.expect(!holdsDefaults(&buffers));
}
