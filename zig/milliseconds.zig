//! Stage timings reported in milliseconds (f64), from the nanoseconds std.time.Timer counts.
const std = @import("std");

/// `ns` nanoseconds in milliseconds.
pub fn fromNanoseconds(ns: u64) f64 {
    return @as(f64, @floatFromInt(ns)) / std.time.ns_per_ms;
}

/// Milliseconds since the timer's last lap (or start), restarting the lap.
pub fn lap(timer: *std.time.Timer) f64 {
    return fromNanoseconds(timer.lap());
}

test "fromNanoseconds divides by a million" {
    try std.testing.expectEqual(@as(f64, 0), fromNanoseconds(0));
    try std.testing.expectEqual(@as(f64, 1.5), fromNanoseconds(1_500_000));
    try std.testing.expectEqual(@as(f64, 0.001), fromNanoseconds(1_000));
}
