//! Smallest eigenpairs of the unnormalised Laplacian L = D - S of a sparse affinity (matrix.Graph), for
//! spectral clustering: small ones densely (dense-eigen.zig), larger ones by thick-restart block Lanczos
//! with full reorthogonalisation. The block size is at least the number of wanted pairs, so eigenvalues
//! of any multiplicity up to it (0 repeated once per connected component) are found. Every restart keeps
//! the best Ritz vectors and continues the Krylov sequence from the residual block, so nothing already
//! learnt is lost. All reductions run over fixed row chunks summed in a fixed order, in a fixed vector
//! width and strict float mode (column-blocks.zig): results do not depend on the number of threads, on
//! scheduling or on the CPU.
const std = @import("std");
const assert = std.debug.assert;
const Pool = @import("pool.zig").Pool;
const Graph = @import("matrix.zig").Graph;

pub const Error = error{ OutOfMemory, NoConvergence };
const dense_eigen = @import("dense-eigen.zig");
const cholesky = @import("cholesky.zig");
const column_blocks = @import("column-blocks.zig");
const chunk_rows = column_blocks.chunk_rows;
const chunkCount = column_blocks.chunkCount;
const forChunks = column_blocks.forChunks;
const Cols = column_blocks.Cols;
const dotsChunk = column_blocks.dotsChunk;
const combineChunk = column_blocks.combineChunk;
const parallelDots = column_blocks.parallelDots;
const parallelCombine = column_blocks.parallelCombine;

// ---------------------------------------------------------------------------------------------
// Sparse Laplacian: thick-restart block Lanczos

pub const Options = struct {
    /// eigenpairs wanted (smallest first); at most `max_wanted`
    wanted: u32,
    /// converged when every wanted Ritz pair has ||L x - theta x|| <= tolerance * bound,
    /// bound = 2 max degree >= ||L|| (Gershgorin)
    tolerance: f64 = 1e-5,
    /// Lanczos restarts before giving up (error.NoConvergence)
    max_restarts: u32 = 400,
    seed: u64 = 0x5e4c0,
    /// up to this order the dense solver is used on the whole Laplacian
    dense_max: u32 = 256,
};

pub const max_wanted = 32;

pub const Result = struct {
    /// ascending, `wanted` of them
    values: []f64,
    /// count x wanted, row-major: the spectral embedding of each row
    vectors: []f64,
    /// Laplacian-times-vector products spent (0 for the dense path)
    products: u64,

    pub fn deinit(r: *Result, allocator: std.mem.Allocator) void {
        allocator.free(r.values);
        allocator.free(r.vectors);
        r.* = undefined;
    }
};

/// The `options.wanted` smallest eigenpairs of L = D - S for the affinity `graph`.
pub fn laplacianSmallest(pool: *Pool, allocator: std.mem.Allocator, graph: Graph, options: Options) Error!Result {
    const n: usize = graph.count;
    assert(options.wanted >= 1 and options.wanted <= max_wanted and options.wanted <= n);
    if (n <= options.dense_max) return denseLaplacian(allocator, graph, options.wanted);
    if (options.wanted <= 16) return BlockLanczos(16).run(pool, allocator, graph, options);
    return BlockLanczos(32).run(pool, allocator, graph, options);
}

fn denseLaplacian(allocator: std.mem.Allocator, graph: Graph, wanted: u32) Error!Result {
    const n: usize = graph.count;
    const a = try allocator.alloc(f64, n * n);
    defer allocator.free(a);
    @memset(a, 0);
    for (0..n) |i| {
        a[i * n + i] = graph.degree[i];
        for (graph.offsets[i]..graph.offsets[i + 1]) |e| a[i * n + graph.cols[e]] = -@as(f64, graph.vals[e]);
    }
    const values = try allocator.alloc(f64, wanted);
    errdefer allocator.free(values);
    const vectors = try allocator.alloc(f64, n * wanted);
    errdefer allocator.free(vectors);
    try dense_eigen.smallest(allocator, a, n, wanted, values, vectors);
    return .{ .values = values, .vectors = vectors, .products = 0 };
}

fn BlockLanczos(comptime b: usize) type {
    return struct {
        const Self = @This();
        const Row = @Vector(b, f64);
        const Row32 = @Vector(b, f32);

        pool: *Pool,
        allocator: std.mem.Allocator,
        graph: Graph,
        n: usize,
        /// basis size at a restart point, Ritz vectors kept per restart
        basis: usize,
        kept: usize,
        /// basis + b columns: the last block holds the next Krylov block
        v: Cols,
        v_data: []f64,
        /// basis x basis projection V^T L V
        h: []f64,
        /// coupling of the last basis block to the next block
        r_last: [b][b]f64,
        /// row-major n x b copy of the block multiplied by L, in f32: each graph entry then gathers
        /// one cache line instead of two (the product keeps f64 sums; rounding x to f32 perturbs
        /// L x by 6e-8 ||L|| ||x||, far below the convergence tolerance)
        x_rows: []f32,
        partials: []f64,
        coefs: []f64,
        coefs2: []f64,
        scratch: []f64,
        /// Gershgorin bound on ||L||
        bound: f64,
        prng: std.Random.DefaultPrng,
        products: u64 = 0,

        fn run(pool: *Pool, allocator: std.mem.Allocator, graph: Graph, options: Options) Error!Result {
            const n: usize = graph.count;
            const wanted: usize = options.wanted;
            // Kept Ritz vectors: the wanted ones plus a guard of about 32 that speeds up the last of
            // them, in whole blocks so that every cycle ends exactly at the basis size.
            var kept: usize = std.mem.alignForward(usize, wanted + 32, b);
            // Blocks added per restart cycle; 6 to 16 measured within noise of each other at n = 3000.
            var steps: usize = if (b == 16) 9 else 6;
            // The basis plus the next block must fit in R^n with room to spare.
            const room = n - n / 4;
            while (kept + (steps + 1) * b > room and steps > 2) steps -= 1;
            while (kept + (steps + 1) * b > room and kept >= wanted + 8 + b) kept -= b;
            if (kept + (steps + 1) * b > n) return denseLaplacian(allocator, graph, options.wanted);
            const basis = kept + steps * b;

            var bound: f64 = 0;
            for (graph.degree) |dg| bound = @max(bound, 2 * dg);
            if (bound == 0) bound = 1;

            const chunks = chunkCount(n);
            var self = Self{
                .pool = pool,
                .allocator = allocator,
                .graph = graph,
                .n = n,
                .basis = basis,
                .kept = kept,
                .v = undefined,
                .v_data = try allocator.alloc(f64, (basis + b) * n),
                .h = undefined,
                .r_last = undefined,
                .x_rows = undefined,
                .partials = undefined,
                .coefs = undefined,
                .coefs2 = undefined,
                .scratch = undefined,
                .bound = bound,
                .prng = std.Random.DefaultPrng.init(options.seed),
            };
            defer allocator.free(self.v_data);
            self.v = .{ .data = self.v_data.ptr, .ld = n };
            self.h = try allocator.alloc(f64, basis * basis);
            defer allocator.free(self.h);
            self.x_rows = try allocator.alloc(f32, n * b);
            defer allocator.free(self.x_rows);
            self.partials = try allocator.alloc(f64, chunks * (basis + b) * b);
            defer allocator.free(self.partials);
            self.coefs = try allocator.alloc(f64, (basis + b) * b);
            defer allocator.free(self.coefs);
            self.coefs2 = try allocator.alloc(f64, (basis + b) * b);
            defer allocator.free(self.coefs2);
            self.scratch = try allocator.alloc(f64, n * @max(kept, b));
            defer allocator.free(self.scratch);

            const theta = try allocator.alloc(f64, kept);
            defer allocator.free(theta);
            const y = try allocator.alloc(f64, basis * kept);
            defer allocator.free(y);
            const h_copy = try allocator.alloc(f64, basis * basis);
            defer allocator.free(h_copy);

            // Random orthonormal start block.
            for (0..b) |c| self.randomColumn(c);
            var start_gram: [b * b]f64 = undefined;
            const start_block = Cols{ .data = self.v.col(0), .ld = n };
            parallelDots(pool, n, start_block, b, start_block, b, self.partials, &start_gram);
            try self.orthonormalizeNewBlock(0, start_gram, &self.r_last);
            @memset(self.h, 0);
            var start: usize = 0;
            var restarts: u32 = 0;
            while (true) {
                var q = start;
                while (q + b <= basis) : (q += b) try self.expand(q, start);

                @memcpy(h_copy, self.h);
                try dense_eigen.smallest(allocator, h_copy, basis, kept, theta, y);
                // ||L x_i - theta_i x_i|| = ||R_last * (last block of y_i)||
                var converged = true;
                for (0..wanted) |i| {
                    var sum: f64 = 0;
                    for (0..b) |a| {
                        var r: f64 = 0;
                        for (0..b) |t| r += self.r_last[a][t] * y[(basis - b + t) * kept + i];
                        sum += r * r;
                    }
                    if (@sqrt(sum) > options.tolerance * bound) converged = false;
                }
                if (converged) return self.finish(theta[0..wanted], y);
                if (restarts == options.max_restarts) return error.NoConvergence;
                restarts += 1;
                self.restart(theta, y, kept);
                start = kept;
            }
        }

        /// A new direction shorter than this times ||L|| is rounding, not Krylov space: the f32 copy
        /// of a block for the Laplacian product perturbs L x by up to 6e-8 ||L|| (unit x).
        const lost_direction = 1e-6;

        /// Fills column c with uniform values in [-1, 1).
        fn randomColumn(self: *Self, c: usize) void {
            const r = self.prng.random();
            for (self.v.col(c)[0..self.n]) |*x| x.* = 2 * r.float(f64) - 1;
        }

        /// One block Lanczos step: W = L V[q..q+b] orthogonalised against V[0..q+b] and
        /// orthonormalised into V[q+b..q+2b]; records column block q of H and the coupling R.
        /// In exact arithmetic W only has components along the blocks coupled to block q (the
        /// previous block, or every kept Ritz vector right after a restart): those go first, then one
        /// pass over the whole basis removes what rounding left, repeated if it removed much
        /// (Daniel-Gragg-Kaufman-Stewart), which costs about half of two full passes.
        fn expand(self: *Self, q: usize, start: usize) Error!void {
            const n = self.n;
            const p = q + b;
            const w = Cols{ .data = self.v.col(p), .ld = n };
            // x_rows already holds block q: the step that orthonormalised it wrote it there.
            self.laplacianBlock(p);
            self.products += b;
            const c1 = self.coefs[0 .. p * b];
            const c2 = self.coefs2[0 .. p * b];
            const local = if (q == start) 0 else q - b;
            const local_v = Cols{ .data = self.v.col(local), .ld = n };
            parallelDots(self.pool, n, local_v, p - local, w, b, self.partials, c2[0 .. (p - local) * b]);
            var gram = self.updateBlock(w, .subtract, local_v, p - local, c2[0 .. (p - local) * b], .gram);
            @memset(c1[0 .. local * b], 0);
            @memcpy(c1[local * b ..], c2[0 .. (p - local) * b]);
            var pass: u32 = 0;
            while (true) : (pass += 1) {
                parallelDots(self.pool, n, self.v, p, w, b, self.partials, c2);
                const before = gram;
                gram = self.updateBlock(w, .subtract, self.v, p, c2, .gram);
                for (c1, c2) |*x, z| x.* += z;
                var shrunk = false;
                for (0..b) |i| shrunk = shrunk or gram[i * b + i] < 0.5 * before[i * b + i];
                if (!shrunk or pass == 2) break;
            }

            const m = self.basis;
            for (0..p) |row| {
                for (0..b) |t| {
                    const col = q + t;
                    if (row < q) {
                        self.h[row * m + col] = c1[row * b + t];
                        self.h[col * m + row] = c1[row * b + t];
                    } else {
                        const a = row - q;
                        self.h[row * m + col] = 0.5 * (c1[row * b + t] + c1[(q + t) * b + a]);
                    }
                }
            }
            var r: [b][b]f64 = undefined;
            try self.orthonormalizeNewBlock(p, gram, &r);
            if (p == m) {
                self.r_last = r;
            } else {
                for (0..b) |a| for (0..b) |t| {
                    self.h[(p + a) * m + q + t] = r[a][t];
                    self.h[(q + t) * m + p + a] = r[a][t];
                };
            }
        }

        /// V[dst..dst+b] = L X for the block X held row-major in x_rows, so that each graph entry
        /// updates a whole row of b values with vector instructions.
        fn laplacianBlock(self: *Self, dst: usize) void {
            const Job = struct {
                s: *Self,
                dst: usize,
                fn multiply(j: *const @This(), chunk: u32) void {
                    const s = j.s;
                    const g = s.graph;
                    const r0 = @as(usize, chunk) * chunk_rows;
                    const r1 = @min(r0 + chunk_rows, s.n);
                    for (r0..r1) |r| {
                        const xr: Row = @floatCast(@as(Row32, s.x_rows[r * b ..][0..b].*));
                        var acc: Row = @as(Row, @splat(g.degree[r])) * xr;
                        for (g.offsets[r]..g.offsets[r + 1]) |e| {
                            const xc: Row = @floatCast(@as(Row32, s.x_rows[@as(usize, g.cols[e]) * b ..][0..b].*));
                            acc -= @as(Row, @splat(@as(f64, g.vals[e]))) * xc;
                        }
                        const vals: [b]f64 = acc;
                        for (0..b) |c| s.v.col(j.dst + c)[r] = vals[c];
                    }
                }
            };
            forChunks(self.pool, self.n, &Job{ .s = self, .dst = dst }, Job.multiply);
        }

        const Update = enum { subtract, replace };
        const Then = enum { gram, rows };

        /// One pass over the row chunks: W -= In * coef (subtract) or W <- W * coef (replace; In is
        /// W), then either the Gram matrix W^T W of the result (returned, b x b row-major) or a
        /// row-major f32 copy of W in x_rows for the next Laplacian product.
        fn updateBlock(self: *Self, w: Cols, comptime update: Update, in: Cols, np: usize, coef: []const f64, comptime then: Then) [b * b]f64 {
            const Job = struct {
                s: *Self,
                w: Cols,
                in: Cols,
                np: usize,
                coef: []const f64,
                fn run(j: *const @This(), chunk: u32) void {
                    const s = j.s;
                    const r0 = @as(usize, chunk) * chunk_rows;
                    const r1 = @min(r0 + chunk_rows, s.n);
                    switch (update) {
                        .subtract => combineChunk(.subtract, j.w, b, j.in, j.np, j.coef, r0, r1),
                        .replace => {
                            // Through this chunk's rows of the scratch: every output column reads every input.
                            const tmp = Cols{ .data = s.scratch.ptr, .ld = s.n };
                            combineChunk(.assign, tmp, b, j.w, b, j.coef, r0, r1);
                            for (0..b) |c| @memcpy(j.w.col(c)[r0..r1], tmp.col(c)[r0..r1]);
                        },
                    }
                    switch (then) {
                        .gram => dotsChunk(j.w, b, j.w, b, r0, r1, s.partials[chunk * b * b ..][0 .. b * b]),
                        .rows => for (0..b) |c| {
                            const col = j.w.col(c);
                            for (r0..r1) |r| s.x_rows[r * b + c] = @floatCast(col[r]);
                        },
                    }
                }
            };
            assert(update == .subtract or in.data == w.data);
            forChunks(self.pool, self.n, &Job{ .s = self, .w = w, .in = in, .np = np, .coef = coef }, Job.run);
            var gram: [b * b]f64 = @splat(0);
            if (then == .gram) {
                for (0..chunkCount(self.n)) |c| {
                    for (&gram, self.partials[c * b * b ..][0 .. b * b]) |*g, x| g.* += x;
                }
            }
            return gram;
        }

        /// Copies V[first..first+b] row-major into x_rows (after Gram-Schmidt, which bypasses updateBlock).
        fn gatherRows(self: *Self, first: usize) void {
            const Job = struct {
                s: *Self,
                first: usize,
                fn run(j: *const @This(), chunk: u32) void {
                    const r0 = @as(usize, chunk) * chunk_rows;
                    const r1 = @min(r0 + chunk_rows, j.s.n);
                    for (0..b) |c| {
                        const col = j.s.v.col(j.first + c);
                        for (r0..r1) |r| j.s.x_rows[r * b + c] = @floatCast(col[r]);
                    }
                }
            };
            forChunks(self.pool, self.n, &Job{ .s = self, .first = first }, Job.run);
        }

        /// Orthonormalises V[p..p+b] (already orthogonal to V[0..p], Gram matrix `first_gram`) in
        /// place, V_new R = V_old, and leaves it row-major in x_rows. Cholesky QR twice; if the block
        /// is numerically rank deficient (the Krylov space became invariant), Gram-Schmidt column by
        /// column with random replacements for the lost directions.
        fn orthonormalizeNewBlock(self: *Self, p: usize, first_gram: [b * b]f64, r_out: *[b][b]f64) Error!void {
            const w = Cols{ .data = self.v.col(p), .ld = self.n };
            var gram = first_gram;
            var r_total: [b][b]f64 = @splat(@splat(0));
            for (0..b) |i| r_total[i][i] = 1;
            for (0..2) |pass| {
                var u: [b * b]f64 = gram;
                if (!cholesky.factorInPlace(&u, b, self.bound * lost_direction)) {
                    var r_gs: [b][b]f64 = undefined;
                    try self.gramSchmidtBlock(p, &r_gs);
                    self.gatherRows(p);
                    r_out.* = multiply(b, r_gs, r_total);
                    return;
                }
                // W <- W U^{-1}; R_total <- U R_total
                var inv: [b * b]f64 = undefined;
                cholesky.invertUpper(&u, &inv, b);
                if (pass == 0) {
                    gram = self.updateBlock(w, .replace, w, b, &inv, .gram);
                } else {
                    _ = self.updateBlock(w, .replace, w, b, &inv, .rows);
                }
                const u_rows: *const [b][b]f64 = @ptrCast(&u);
                r_total = multiply(b, u_rows.*, r_total);
            }
            r_out.* = r_total;
        }

        fn gramSchmidtBlock(self: *Self, p: usize, r_out: *[b][b]f64) Error!void {
            const n = self.n;
            r_out.* = @splat(@splat(0));
            for (0..b) |c| {
                const col = self.v.col(p + c)[0..n];
                for (0..2) |_| {
                    for (0..c) |k| {
                        const qk = self.v.col(p + k)[0..n];
                        const dot = dense_eigen.dot(qk, col);
                        dense_eigen.axpy(col, -dot, qk);
                        r_out[k][c] += dot;
                    }
                }
                const norm = @sqrt(dense_eigen.dot(col, col));
                if (norm > self.bound * lost_direction) {
                    r_out[c][c] = norm;
                    for (col) |*x| x.* /= norm;
                    continue;
                }
                // A direction the Krylov space cannot reach: continue with a random one.
                self.randomColumn(p + c);
                for (0..2) |_| {
                    for (0..p + c) |k| {
                        const qk = self.v.col(k)[0..n];
                        dense_eigen.axpy(col, -dense_eigen.dot(qk, col), qk);
                    }
                }
                const rnorm = @sqrt(dense_eigen.dot(col, col));
                if (rnorm == 0) return error.NoConvergence;
                for (col) |*x| x.* /= rnorm;
            }
        }

        /// Keeps the `kept` best Ritz vectors and moves the next Krylov block behind them.
        fn restart(self: *Self, theta: []const f64, y: []const f64, kept: usize) void {
            const n = self.n;
            const m = self.basis;
            const tmp = Cols{ .data = self.scratch.ptr, .ld = n };
            parallelCombine(self.pool, .assign, n, tmp, kept, self.v, m, y);
            for (0..kept) |c| @memcpy(self.v.col(c)[0..n], tmp.col(c)[0..n]);
            for (0..b) |c| @memcpy(self.v.col(kept + c)[0..n], self.v.col(m + c)[0..n]);
            @memset(self.h, 0);
            for (0..kept) |i| self.h[i * m + i] = theta[i];
            // Coupling of the next block to Ritz vector i: R_last * (last block rows of y_i).
            for (0..b) |a| for (0..kept) |i| {
                var sum: f64 = 0;
                for (0..b) |t| sum += self.r_last[a][t] * y[(m - b + t) * kept + i];
                self.h[(kept + a) * m + i] = sum;
                self.h[i * m + kept + a] = sum;
            };
        }

        fn finish(self: *Self, theta: []const f64, y: []const f64) Error!Result {
            const n = self.n;
            const wanted = theta.len;
            const m = self.basis;
            const values = try self.allocator.alloc(f64, wanted);
            errdefer self.allocator.free(values);
            @memcpy(values, theta);
            const vectors = try self.allocator.alloc(f64, n * wanted);
            errdefer self.allocator.free(vectors);
            // Columns 0..wanted of y (stride kept) -> coefficients (m x wanted).
            const coef = self.coefs2[0 .. m * wanted];
            for (0..m) |row| @memcpy(coef[row * wanted ..][0..wanted], y[row * self.kept ..][0..wanted]);
            const tmp = Cols{ .data = self.scratch.ptr, .ld = n };
            parallelCombine(self.pool, .assign, n, tmp, wanted, self.v, m, coef);
            for (0..n) |r| for (0..wanted) |c| {
                vectors[r * wanted + c] = tmp.col(c)[r];
            };
            return .{ .values = values, .vectors = vectors, .products = self.products };
        }
    };
}

fn multiply(comptime b: usize, x: [b][b]f64, y: [b][b]f64) [b][b]f64 {
    var out: [b][b]f64 = undefined;
    for (0..b) |i| for (0..b) |j| {
        var sum: f64 = 0;
        for (0..b) |k| sum += x[i][k] * y[k][j];
        out[i][j] = sum;
    };
    return out;
}

// ---------------------------------------------------------------------------------------------
// tests

const testing = std.testing;
const matrix = @import("matrix.zig");

fn blobEmbeddings(allocator: std.mem.Allocator, count: u32, dim: u32, clusters: u32, noise: f32, seed: u64) ![]f32 {
    var prng = std.Random.DefaultPrng.init(seed);
    const r = prng.random();
    const centers = try allocator.alloc(f32, clusters * dim);
    defer allocator.free(centers);
    for (centers) |*c| c.* = r.floatNorm(f32);
    const data = try allocator.alloc(f32, @as(usize, count) * dim);
    for (0..count) |i| {
        const c = i % clusters;
        for (0..dim) |d| data[i * dim + d] = centers[c * dim + d] + noise * r.floatNorm(f32);
    }
    return data;
}

fn expectSmallestPairs(pool: *Pool, g: Graph, wanted: u32) !void {
    const allocator = testing.allocator;
    const count = g.count;
    var dense = try laplacianSmallest(pool, allocator, g, .{ .wanted = wanted, .dense_max = count });
    defer dense.deinit(allocator);
    var lanczos = try laplacianSmallest(pool, allocator, g, .{ .wanted = wanted, .dense_max = 0 });
    defer lanczos.deinit(allocator);
    try testing.expect(lanczos.products > 0);
    var bound: f64 = 0;
    for (g.degree) |dg| bound = @max(bound, 2 * dg);
    for (dense.values, lanczos.values) |x, y| try testing.expectApproxEqAbs(x, y, 1e-6 * bound);
    // Orthonormal vectors with small residuals against the sparse Laplacian.
    for (0..wanted) |j| {
        var res: f64 = 0;
        for (0..count) |i| {
            var lx = g.degree[i] * lanczos.vectors[i * wanted + j];
            for (g.offsets[i]..g.offsets[i + 1]) |e| lx -= g.vals[e] * lanczos.vectors[g.cols[e] * wanted + j];
            const d = lx - lanczos.values[j] * lanczos.vectors[i * wanted + j];
            res += d * d;
        }
        try testing.expect(@sqrt(res) <= 1e-5 * bound);
        for (0..j + 1) |k| {
            var dot: f64 = 0;
            for (0..count) |i| dot += lanczos.vectors[i * wanted + j] * lanczos.vectors[i * wanted + k];
            try testing.expectApproxEqAbs(@as(f64, if (j == k) 1 else 0), dot, 1e-9);
        }
    }
    // Same call, same bits.
    var again = try laplacianSmallest(pool, allocator, g, .{ .wanted = wanted, .dense_max = 0 });
    defer again.deinit(allocator);
    try testing.expectEqualSlices(f64, lanczos.values, again.values);
    try testing.expectEqualSlices(f64, lanczos.vectors, again.vectors);
}

test "laplacianSmallest (block Lanczos, blocks of 16 and 32) agrees with the dense solver" {
    const allocator = testing.allocator;
    const pool = try Pool.create(allocator, 2);
    defer pool.destroy();
    const count: u32 = 450;
    const dim: u32 = 32;
    // Well separated clusters fall apart in the pruned graph: eigenvalue 0 repeats.
    const data = try blobEmbeddings(allocator, count, dim, 4, 0.8, 3);
    defer allocator.free(data);
    var g = try matrix.prunedAffinity(pool, allocator, data, count, dim, matrix.keepCount(count, 0.012, 6));
    defer g.deinit(allocator);
    try expectSmallestPairs(pool, g, 12);
    try expectSmallestPairs(pool, g, 20);
}

test "laplacianSmallest survives an exhausted Krylov space (many identical components)" {
    const allocator = testing.allocator;
    const pool = try Pool.create(allocator, 2);
    defer pool.destroy();
    // 100 identical triangles: L has three distinct eigenvalues, so the Krylov space of a block of
    // 16 stops growing after 3 blocks and the solver must continue from fresh random directions;
    // eigenvalue 0 has multiplicity 100.
    const count: u32 = 300;
    var g: Graph = .{
        .count = count,
        .offsets = try allocator.alloc(u32, count + 1),
        .cols = try allocator.alloc(u32, 2 * count),
        .vals = try allocator.alloc(f32, 2 * count),
        .degree = try allocator.alloc(f64, count),
    };
    defer g.deinit(allocator);
    for (0..count) |i| {
        const base = i - i % 3;
        g.offsets[i] = @intCast(2 * i);
        var e: usize = 2 * i;
        for (base..base + 3) |j| {
            if (j == i) continue;
            g.cols[e] = @intCast(j);
            g.vals[e] = if ((i + j) % 3 == 1) 0.5 else 0.25;
            e += 1;
        }
        g.degree[i] = g.vals[2 * i] + g.vals[2 * i + 1];
    }
    g.offsets[count] = 2 * count;
    try expectSmallestPairs(pool, g, 12);
}
