//! Root of `zig build test`: every module with tests is referenced here.
comptime {
    _ = @import("pool.zig");
    _ = @import("simd.zig");
    _ = @import("lib.zig");
}
