//! Test helper for the C ABI's buffer sizes: an export given any one of its buffers one element short
//! must refuse the call before any work, writing nothing.
const std = @import("std");
const status = @import("status.zig").status;

/// `call.run(sizes)` passes `sizes` as the length or capacity of each of the export's buffers, in its
/// parameter order. With each one, in turn, one below `exact`, the export must return invalid_argument
/// and `call.untouched()` (its outputs still hold what the test put there) must hold; with `exact`, ok.
pub fn expectEachOneShortRefused(comptime n: usize, exact: [n]u64, call: anytype) !void {
    for (0..n) |i| {
        var sizes = exact;
        sizes[i] -= 1;
        std.testing.expectEqual(status(.invalid_argument), call.run(sizes)) catch |err| {
            std.debug.print("buffer {d} of {d}, one short, was not refused\n", .{ i, n });
            return err;
        };
        std.testing.expect(call.untouched()) catch |err| {
            std.debug.print("buffer {d} of {d} one short: an output was written\n", .{ i, n });
            return err;
        };
    }
    try std.testing.expectEqual(status(.ok), call.run(exact));
}

/// Whether every element of `values` still holds `fill` (compared bit for bit, so a NaN written counts).
pub fn allEqual(comptime T: type, values: []const T, fill: T) bool {
    const Bits = std.meta.Int(.unsigned, @bitSizeOf(T));
    for (values) |v| if (@as(Bits, @bitCast(v)) != @as(Bits, @bitCast(fill))) return false;
    return true;
}
