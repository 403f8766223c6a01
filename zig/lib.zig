//! The C ABI of libsenko. Each area keeps its exported functions in its own `abi-*.zig`
//! file (they are pulled in below); this file holds the ones shared by all areas.
//! Conventions: counts and dimensions are u32; status results are i32 (0 = ok, < 0 = error,
//! see `Status`); memory that Zig allocates for a caller has a paired `*_free` export. Every caller's
//! buffer is followed by its size in elements (u64): a buffer an export writes (`[*]T`) by its
//! capacity, checked by status.outputSlice against what the call would write; a buffer it reads
//! (`[*]const T`) by its length, checked by status.inputSlice against what the counts given
//! separately make it read (where the call reads the whole buffer, the length is the count). Either
//! one short is an invalid argument, returned before any work. Single-item pointers (`*T`, `*[N]T`)
//! are sized by their type and carry no size.
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
/// 2: the thread pool is a handle (senko_pool_*) passed to every parallel entry point.
/// 4: the constants TypeScript mirrors are exported (senko_fbank_*, senko_audio_*, ...); a pointer
/// that is not a live pool is an invalid argument; the fbank accessors accept null; restarts and
/// epochs are bounded.
/// 5: every output buffer is followed by its capacity (u64 elements); senko_umap_fuzzy_graph checks its
/// neighbour rows; senko_agglomerative_count_max.
/// 6: every input buffer is followed by its length (u64 elements); senko_fbank_compute's sample count
/// and senko_frames_gather's index count became those lengths.
export fn senko_abi_version() u32 {
    return 6;
}

/// A pool of `thread_count` threads counting the caller (0 = one per CPU, at most pool.threads_max),
/// for the parallel entry points; null when the threads cannot be created. Free with senko_pool_destroy.
export fn senko_pool_create(thread_count: u32) ?*pool.Pool {
    return pool.Pool.create(std.heap.c_allocator, pool.resolveThreadCount(thread_count)) catch null;
}

/// Stops the pool's threads and frees it; no call may be running on it. Ignores null and anything
/// that is not a live pool (so a second destroy of the same handle is caught while its memory is mapped).
export fn senko_pool_destroy(thread_pool: ?*pool.Pool) void {
    if (pool.Pool.fromHandle(thread_pool)) |p| p.destroy();
}

/// Threads of the pool, counting the caller; 0 for null or anything that is not a live pool.
export fn senko_pool_thread_count(thread_pool: ?*pool.Pool) u32 {
    const p = pool.Pool.fromHandle(thread_pool) orelse return 0;
    const count = p.threadCount();
    std.debug.assert(count >= 1);
    std.debug.assert(count <= pool.threads_max);
    return count;
}

test "senko_pool_create sizes the pool and senko_pool_destroy accepts null" {
    const p = senko_pool_create(3) orelse return error.OutOfMemory;
    defer senko_pool_destroy(p);
    try std.testing.expectEqual(@as(u32, 3), senko_pool_thread_count(p));
    try std.testing.expectEqual(@as(u32, 0), senko_pool_thread_count(null));
    senko_pool_destroy(null);
}
