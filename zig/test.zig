//! Root of `zig build test`: every module with tests is referenced here.
comptime {
    _ = @import("pool.zig");
    _ = @import("simd.zig");
    _ = @import("lib.zig");
    _ = @import("fft.zig");
    _ = @import("fbank.zig");
    _ = @import("resample.zig");
    _ = @import("convert.zig");
}
