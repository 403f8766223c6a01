//! Products of tall column blocks (n rows, a few dozen columns, f64) for block Lanczos (eigen.zig):
//! a^T b and out -/+= in * coef, over fixed row chunks whose partial sums are added in chunk order, in a
//! fixed vector width: results do not depend on the number of threads, on scheduling or on the CPU.
const std = @import("std");
const assert = std.debug.assert;
const Pool = @import("pool.zig").Pool;
const dense_eigen = @import("dense-eigen.zig");
/// The f64 vector width of the kernels below, the dense solver's (fixed, see dense-eigen.zig).
const dl = dense_eigen.lanes;
const DV = dense_eigen.Vector;

/// Rows per chunk of the vector kernels: partial sums are per chunk, so results do not depend on threads.
pub const chunk_rows = 512;

pub fn chunkCount(n: usize) u32 {
    return @intCast(std.math.divCeil(usize, n, chunk_rows) catch unreachable);
}

/// Below this many rows the vector kernels run on the calling thread: waking the pool for each of
/// the ~8 passes of a block step cost more than it saved (measured at n = 1,000 on 2 threads).
const parallel_min_rows = 2048;

/// Runs func(context, chunk) for every row chunk, on the pool when the vectors are long enough.
pub fn forChunks(pool: *Pool, n: usize, context: anytype, comptime func: fn (@TypeOf(context), u32) void) void {
    const chunks = chunkCount(n);
    if (n < parallel_min_rows) {
        for (0..chunks) |c| func(context, @intCast(c));
    } else {
        pool.parallelFor(chunks, context, func);
    }
}

/// out[x][y] = sum over rows [r0, r1) of a[x][r] * b[y][r] for column pointers a[0..4], b[0..4].
fn dotTile(a: [4][*]const f64, b: [4][*]const f64, r0: usize, r1: usize) [4][4]f64 {
    var acc: [4][4]DV = @splat(@splat(@as(DV, @splat(0))));
    var r = r0;
    while (r + dl <= r1) : (r += dl) {
        var av: [4]DV = undefined;
        var bv: [4]DV = undefined;
        inline for (0..4) |x| av[x] = a[x][r..][0..dl].*;
        inline for (0..4) |y| bv[y] = b[y][r..][0..dl].*;
        inline for (0..4) |x| inline for (0..4) |y| {
            acc[x][y] += av[x] * bv[y];
        };
    }
    var out: [4][4]f64 = undefined;
    inline for (0..4) |x| inline for (0..4) |y| {
        out[x][y] = @reduce(.Add, acc[x][y]);
    };
    while (r < r1) : (r += 1) {
        inline for (0..4) |x| inline for (0..4) |y| {
            out[x][y] += a[x][r] * b[y][r];
        };
    }
    return out;
}

/// Column-major vectors: column c is data[c * ld ..][0..ld].
pub const Cols = struct {
    data: [*]f64,
    ld: usize,

    pub fn col(self: Cols, c: usize) [*]f64 {
        return self.data + c * self.ld;
    }
};

/// out (na x nb, row-major) = a^T b over rows [r0, r1).
pub fn dotsChunk(a: Cols, na: usize, b: Cols, nb: usize, r0: usize, r1: usize, out: []f64) void {
    var x: usize = 0;
    while (x < na) : (x += 4) {
        var ap: [4][*]const f64 = undefined;
        // Short tiles repeat their last column; the repeats are not stored.
        inline for (0..4) |t| ap[t] = a.col(@min(x + t, na - 1));
        var y: usize = 0;
        while (y < nb) : (y += 4) {
            var bp: [4][*]const f64 = undefined;
            inline for (0..4) |t| bp[t] = b.col(@min(y + t, nb - 1));
            const tile = dotTile(ap, bp, r0, r1);
            for (0..@min(4, na - x)) |tx| for (0..@min(4, nb - y)) |ty| {
                out[(x + tx) * nb + y + ty] = tile[tx][ty];
            };
        }
    }
}

pub const CombineMode = enum { assign, subtract };

/// For rows [r0, r1): out[c] (c < nb) = (out[c] if subtract, else 0) -/+ sum_p in[p] * coef[p * nb + c]
/// (minus when subtracting). 16 accumulators: 4 output columns by 4 row vectors.
pub fn combineChunk(comptime mode: CombineMode, out: Cols, nb: usize, in: Cols, np: usize, coef: []const f64, r0: usize, r1: usize) void {
    const rv = 4;
    var c0: usize = 0;
    while (c0 < nb) : (c0 += 4) {
        const cols = @min(4, nb - c0);
        var r = r0;
        while (r + rv * dl <= r1) : (r += rv * dl) {
            var acc: [4][rv]DV = @splat(@splat(@as(DV, @splat(0))));
            for (0..np) |p| {
                const src = in.col(p) + r;
                var iv: [rv]DV = undefined;
                inline for (0..rv) |q| iv[q] = src[q * dl ..][0..dl].*;
                inline for (0..4) |t| {
                    const f: DV = @splat(coef[p * nb + @min(c0 + t, nb - 1)]);
                    inline for (0..rv) |q| acc[t][q] += f * iv[q];
                }
            }
            inline for (0..4) |t| {
                if (t < cols) {
                    const dst = out.col(c0 + t) + r;
                    inline for (0..rv) |q| {
                        dst[q * dl ..][0..dl].* = switch (mode) {
                            .assign => acc[t][q],
                            .subtract => @as(DV, dst[q * dl ..][0..dl].*) - acc[t][q],
                        };
                    }
                }
            }
        }
        while (r < r1) : (r += 1) {
            for (c0..c0 + cols) |c| {
                var sum: f64 = 0;
                for (0..np) |p| sum += in.col(p)[r] * coef[p * nb + c];
                const dst = out.col(c);
                dst[r] = switch (mode) {
                    .assign => sum,
                    .subtract => dst[r] - sum,
                };
            }
        }
    }
}

/// Deterministic parallel a^T b (na x nb, row-major into `out`), partial sums per fixed row chunk.
pub fn parallelDots(pool: *Pool, n: usize, a: Cols, na: usize, b: Cols, nb: usize, partials: []f64, out: []f64) void {
    const chunks = chunkCount(n);
    assert(partials.len >= chunks * na * nb and out.len >= na * nb);
    const Job = struct {
        n: usize,
        a: Cols,
        na: usize,
        b: Cols,
        nb: usize,
        partials: []f64,
        fn run(j: *const @This(), chunk: u32) void {
            const r0 = @as(usize, chunk) * chunk_rows;
            const r1 = @min(r0 + chunk_rows, j.n);
            dotsChunk(j.a, j.na, j.b, j.nb, r0, r1, j.partials[chunk * j.na * j.nb ..][0 .. j.na * j.nb]);
        }
    };
    forChunks(pool, n, &Job{ .n = n, .a = a, .na = na, .b = b, .nb = nb, .partials = partials }, Job.run);
    const size = na * nb;
    @memcpy(out[0..size], partials[0..size]);
    for (1..chunks) |c| {
        for (out[0..size], partials[c * size ..][0..size]) |*o, p| o.* += p;
    }
}

pub fn parallelCombine(pool: *Pool, comptime mode: CombineMode, n: usize, out: Cols, nb: usize, in: Cols, np: usize, coef: []const f64) void {
    const Job = struct {
        n: usize,
        out: Cols,
        nb: usize,
        in: Cols,
        np: usize,
        coef: []const f64,
        fn run(j: *const @This(), chunk: u32) void {
            const r0 = @as(usize, chunk) * chunk_rows;
            const r1 = @min(r0 + chunk_rows, j.n);
            combineChunk(mode, j.out, j.nb, j.in, j.np, j.coef, r0, r1);
        }
    };
    forChunks(pool, n, &Job{ .n = n, .out = out, .nb = nb, .in = in, .np = np, .coef = coef }, Job.run);
}
