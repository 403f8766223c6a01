//! The C ABI of libsenko. Each area keeps its exported functions in its own `abi-*.zig`
//! file (they are pulled in below); this file holds the ones shared by all areas.
//! Conventions: counts and dimensions are u32; status results are i32 (0 = ok, < 0 = error,
//! see `Status`); memory that Zig allocates for a caller has a paired `*_free` export.
const std = @import("std");
const pool = @import("pool.zig");
pub const Status = @import("status.zig").Status;

comptime {
    _ = @import("abi-fbank.zig");
    _ = @import("abi-matrix.zig");
    _ = @import("abi-cluster.zig");
    _ = @import("abi-audio.zig");
    _ = @import("abi-umap.zig");
    _ = @import("abi-overlap.zig");
}

/// ABI version: bumped whenever an exported signature changes; src/ffi.ts checks it at load.
export fn senko_abi_version() u32 {
    return 2;
}

/// Sets the number of threads (counting the caller) used by every parallel entry point;
/// 0 means one per CPU.
export fn senko_set_threads(thread_count: u32) i32 {
    pool.setGlobalThreads(thread_count) catch return @intFromEnum(Status.out_of_memory);
    return @intFromEnum(Status.ok);
}

export fn senko_thread_count() u32 {
    const p = pool.global() catch return 1;
    return p.threadCount();
}
