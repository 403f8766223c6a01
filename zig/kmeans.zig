//! k-means for spectral embeddings: greedy k-means++ seeding (2 + ln k candidates per new centre,
//! keeping the one that lowers the potential most), Lloyd iterations until the labels stop changing
//! or the centres move less than `tolerance` times the mean feature variance, several seeded restarts
//! keeping the lowest inertia. Points are padded to whole vectors; sums are per fixed chunk of points
//! and added in a fixed order, so the result depends only on the inputs and the seed.
const std = @import("std");
const assert = std.debug.assert;
const Pool = @import("pool.zig").Pool;

/// Fixed width (not the CPU's preferred one): distances sum the same way on every machine.
const vlen = 8;
const V = @Vector(vlen, f32);

/// Most seeded restarts a caller may ask for (src/cluster/spectral.ts checks the same bound).
pub const restarts_max: u32 = 1000;

pub const Options = struct {
    k: u32,
    restarts: u32 = 10,
    max_iterations: u32 = 300,
    /// relative to the mean per-feature variance, as scikit-learn
    tolerance: f64 = 1e-4,
    seed: u64 = 0,
};

pub const Result = struct {
    labels: []u32,
    /// k x dim, row-major
    centroids: []f32,
    inertia: f64,

    pub fn deinit(r: *Result, allocator: std.mem.Allocator) void {
        allocator.free(r.labels);
        allocator.free(r.centroids);
        r.* = undefined;
    }
};

const chunk_points = 1024;

fn chunkCount(n: usize) u32 {
    return @intCast(std.math.divCeil(usize, n, chunk_points) catch unreachable);
}

/// Squared distance between two padded rows of `lanes` floats.
inline fn distance2(a: [*]const f32, b: [*]const f32, lanes: usize) f32 {
    var acc: V = @splat(0);
    var i: usize = 0;
    while (i < lanes) : (i += vlen) {
        const d = @as(V, a[i..][0..vlen].*) - @as(V, b[i..][0..vlen].*);
        acc += d * d;
    }
    return @reduce(.Add, acc);
}

const State = struct {
    pool: *Pool,
    n: usize,
    dim: usize,
    /// padded row length
    lanes: usize,
    k: usize,
    points: []const f32,
    centers: []f32,
    labels: []u32,
    /// per point: squared distance to its centre (or to the nearest seed while seeding)
    d2: []f32,
    /// per chunk: k * lanes sums (f64), k counts, 1 inertia
    partials: []f64,
    changed: []u32,

    fn point(s: *const State, i: usize) [*]const f32 {
        return s.points.ptr + i * s.lanes;
    }

    fn center(s: *const State, c: usize) [*]f32 {
        return s.centers.ptr + c * s.lanes;
    }

    fn partialSize(s: *const State) usize {
        return s.k * s.lanes + s.k + 1;
    }

    /// Nearest centre of every point (ties: the lower centre), its squared distance, per-chunk sums.
    fn assign(s: *State) void {
        const Job = struct {
            fn run(st: *State, chunk: u32) void {
                const begin = @as(usize, chunk) * chunk_points;
                const end = @min(begin + chunk_points, st.n);
                const part = st.partials[chunk * st.partialSize() ..][0..st.partialSize()];
                @memset(part, 0);
                const sums = part[0 .. st.k * st.lanes];
                const counts = part[st.k * st.lanes ..][0..st.k];
                var changed: u32 = 0;
                var inertia: f64 = 0;
                for (begin..end) |i| {
                    const p = st.point(i);
                    var best: u32 = 0;
                    var best_d2 = distance2(p, st.center(0), st.lanes);
                    for (1..st.k) |c| {
                        const d2 = distance2(p, st.center(c), st.lanes);
                        if (d2 < best_d2) {
                            best_d2 = d2;
                            best = @intCast(c);
                        }
                    }
                    if (st.labels[i] != best) changed += 1;
                    st.labels[i] = best;
                    st.d2[i] = best_d2;
                    inertia += best_d2;
                    counts[best] += 1;
                    const row = sums[best * st.lanes ..][0..st.lanes];
                    for (row, p[0..st.lanes]) |*acc, x| acc.* += x;
                }
                part[part.len - 1] = inertia;
                st.changed[chunk] = changed;
            }
        };
        s.pool.parallelFor(chunkCount(s.n), s, Job.run);
    }

    /// Sums the chunk partials in order into partials[0..]; returns (labels changed, inertia).
    fn reduce(s: *State) struct { changed: u64, inertia: f64 } {
        const size = s.partialSize();
        var changed: u64 = s.changed[0];
        for (1..chunkCount(s.n)) |c| {
            for (s.partials[0..size], s.partials[c * size ..][0..size]) |*o, x| o.* += x;
            changed += s.changed[c];
        }
        return .{ .changed = changed, .inertia = s.partials[size - 1] };
    }

    /// Potential (sum over points of min(d2, distance to `candidate`)^2) if `candidate` became a seed.
    fn potentialWith(s: *State, candidate: usize) f64 {
        const Job = struct {
            st: *State,
            candidate: usize,
            fn run(j: *const @This(), chunk: u32) void {
                const st = j.st;
                const begin = @as(usize, chunk) * chunk_points;
                const end = @min(begin + chunk_points, st.n);
                const c = st.point(j.candidate);
                var sum: f64 = 0;
                for (begin..end) |i| sum += @min(st.d2[i], distance2(st.point(i), c, st.lanes));
                st.partials[chunk] = sum;
            }
        };
        const chunks = chunkCount(s.n);
        s.pool.parallelFor(chunks, &Job{ .st = s, .candidate = candidate }, Job.run);
        var total: f64 = 0;
        for (s.partials[0..chunks]) |x| total += x;
        return total;
    }

    /// Greedy k-means++ seeding into `centers`.
    fn seed(s: *State, random: std.Random, cumulative: []f64) void {
        const n = s.n;
        const trials: usize = 2 + @as(usize, @intFromFloat(@log(@as(f64, @floatFromInt(s.k)))));
        var chosen = random.uintLessThan(usize, n);
        @memcpy(s.center(0)[0..s.lanes], s.point(chosen)[0..s.lanes]);
        for (0..n) |i| s.d2[i] = distance2(s.point(i), s.center(0), s.lanes);
        for (1..s.k) |c| {
            var total: f64 = 0;
            for (s.d2, cumulative) |d, *cum| {
                total += d;
                cum.* = total;
            }
            var best_potential = std.math.inf(f64);
            for (0..trials) |_| {
                const target = random.float(f64) * total;
                // First point whose cumulative weight exceeds the target.
                var candidate = std.sort.upperBound(f64, cumulative, target, struct {
                    fn order(t: f64, x: f64) std.math.Order {
                        return std.math.order(t, x);
                    }
                }.order);
                candidate = @min(candidate, n - 1);
                const potential = s.potentialWith(candidate);
                if (potential < best_potential) {
                    best_potential = potential;
                    chosen = candidate;
                }
            }
            @memcpy(s.center(c)[0..s.lanes], s.point(chosen)[0..s.lanes]);
            for (0..n) |i| s.d2[i] = @min(s.d2[i], distance2(s.point(i), s.center(c), s.lanes));
        }
    }

    /// Lloyd iterations from the current centres; returns the final inertia.
    fn lloyd(s: *State, max_iterations: u32, shift_tolerance: f64) f64 {
        @memset(s.labels, std.math.maxInt(u32));
        var iteration: u32 = 0;
        while (true) : (iteration += 1) {
            s.assign();
            const totals = s.reduce();
            if (totals.changed == 0 or iteration == max_iterations) return totals.inertia;
            const sums = s.partials[0 .. s.k * s.lanes];
            const counts = s.partials[s.k * s.lanes ..][0..s.k];
            var shift: f64 = 0;
            var taken: usize = 0;
            for (0..s.k) |c| {
                const dst = s.center(c)[0..s.lanes];
                if (counts[c] == 0) {
                    // An empty cluster takes the point farthest from its centre (not taken already).
                    const far = s.farthestPoint(taken);
                    taken += 1;
                    for (dst, s.point(far)[0..s.lanes]) |*x, y| {
                        shift += (@as(f64, x.*) - y) * (@as(f64, x.*) - y);
                        x.* = y;
                    }
                    continue;
                }
                for (dst, sums[c * s.lanes ..][0..s.lanes]) |*x, sum| {
                    const mean: f32 = @floatCast(sum / counts[c]);
                    shift += (@as(f64, x.*) - mean) * (@as(f64, x.*) - mean);
                    x.* = mean;
                }
            }
            if (shift <= shift_tolerance) {
                // Labels that match the final centres.
                s.assign();
                return s.reduce().inertia;
            }
        }
    }

    /// The point with the (skip+1)-th largest distance to its centre (ties: lower index first).
    fn farthestPoint(s: *State, skip: usize) usize {
        var excluded_d2 = std.math.inf(f32);
        var excluded_index: usize = 0;
        var best: usize = 0;
        for (0..skip + 1) |_| {
            var best_d2 = -std.math.inf(f32);
            for (s.d2, 0..) |d, i| {
                const below = d < excluded_d2 or (d == excluded_d2 and i > excluded_index);
                if (below and d > best_d2) {
                    best_d2 = d;
                    best = i;
                }
            }
            excluded_d2 = best_d2;
            excluded_index = best;
        }
        return best;
    }
};

/// k-means of `count` points of `dim` floats (row-major). k must be in [1, count].
pub fn kmeans(pool: *Pool, allocator: std.mem.Allocator, data: []const f32, count: u32, dim: u32, options: Options) error{OutOfMemory}!Result {
    const n: usize = count;
    const k: usize = options.k;
    assert(k >= 1 and k <= n and dim >= 1 and data.len == n * dim);
    const lanes = std.mem.alignForward(usize, dim, vlen);
    const points = try allocator.alloc(f32, n * lanes);
    defer allocator.free(points);
    @memset(points, 0);
    for (0..n) |i| @memcpy(points[i * lanes ..][0..dim], data[i * dim ..][0..dim]);

    // scikit-learn's tolerance scale: mean over features of the variance.
    var variance_sum: f64 = 0;
    for (0..dim) |d| {
        var mean: f64 = 0;
        for (0..n) |i| mean += data[i * dim + d];
        mean /= @floatFromInt(n);
        var v: f64 = 0;
        for (0..n) |i| v += (data[i * dim + d] - mean) * (data[i * dim + d] - mean);
        variance_sum += v / @as(f64, @floatFromInt(n));
    }
    const shift_tolerance = options.tolerance * variance_sum / @as(f64, @floatFromInt(dim));

    const chunks = chunkCount(n);
    var state = State{
        .pool = pool,
        .n = n,
        .dim = dim,
        .lanes = lanes,
        .k = k,
        .points = points,
        .centers = try allocator.alloc(f32, k * lanes),
        .labels = try allocator.alloc(u32, n),
        .d2 = try allocator.alloc(f32, n),
        .partials = try allocator.alloc(f64, chunks * (k * lanes + k + 1)),
        .changed = try allocator.alloc(u32, chunks),
    };
    defer {
        allocator.free(state.centers);
        allocator.free(state.labels);
        allocator.free(state.d2);
        allocator.free(state.partials);
        allocator.free(state.changed);
    }
    const cumulative = try allocator.alloc(f64, n);
    defer allocator.free(cumulative);

    var best = Result{
        .labels = try allocator.alloc(u32, n),
        .centroids = try allocator.alloc(f32, k * dim),
        .inertia = std.math.inf(f64),
    };
    errdefer best.deinit(allocator);
    for (0..@max(options.restarts, 1)) |restart| {
        var prng = std.Random.DefaultPrng.init(options.seed +% restart *% 0x9E3779B97F4A7C15);
        state.seed(prng.random(), cumulative);
        const inertia = state.lloyd(options.max_iterations, shift_tolerance);
        if (inertia < best.inertia) {
            best.inertia = inertia;
            @memcpy(best.labels, state.labels);
            for (0..k) |c| @memcpy(best.centroids[c * dim ..][0..dim], state.center(c)[0..dim]);
        }
    }
    return best;
}

const testing = std.testing;

test "kmeans separates well-spread groups and is deterministic" {
    const allocator = testing.allocator;
    const pool = try Pool.create(allocator, 3);
    defer pool.destroy();
    var prng = std.Random.DefaultPrng.init(11);
    const r = prng.random();
    const n = 3000;
    const dim = 5;
    const k = 4;
    var data: [n * dim]f32 = undefined;
    for (0..n) |i| for (0..dim) |d| {
        const group = i % k;
        const center: f32 = if (d == group % dim) 10 else 0;
        data[i * dim + d] = center + r.floatNorm(f32);
    };
    var result = try kmeans(pool, allocator, &data, n, dim, .{ .k = k, .restarts = 3, .seed = 5 });
    defer result.deinit(allocator);
    // Same group, same label; different groups, different labels.
    for (0..n) |i| try testing.expectEqual(result.labels[i % k], result.labels[i]);
    for (0..k) |a| for (0..a) |b| try testing.expect(result.labels[a] != result.labels[b]);
    var again = try kmeans(pool, allocator, &data, n, dim, .{ .k = k, .restarts = 3, .seed = 5 });
    defer again.deinit(allocator);
    try testing.expectEqualSlices(u32, result.labels, again.labels);
    try testing.expectEqual(result.inertia, again.inertia);
    // Inertia is the sum of squared distances to the returned centroids.
    var inertia: f64 = 0;
    for (0..n) |i| for (0..dim) |d| {
        const diff = data[i * dim + d] - result.centroids[result.labels[i] * dim + d];
        inertia += diff * diff;
    };
    try testing.expectApproxEqRel(inertia, result.inertia, 1e-4);
}

test "kmeans with duplicate points fills every cluster" {
    const allocator = testing.allocator;
    const pool = try Pool.create(allocator, 2);
    defer pool.destroy();
    // Three distinct points, many copies: k = 3 must find them even when seeds coincide.
    var data: [60]f32 = undefined;
    for (0..30) |i| {
        data[2 * i] = @floatFromInt(i % 3);
        data[2 * i + 1] = 0;
    }
    var result = try kmeans(pool, allocator, &data, 30, 2, .{ .k = 3, .restarts = 2 });
    defer result.deinit(allocator);
    try testing.expectEqual(@as(f64, 0), result.inertia);
    for (0..30) |i| try testing.expectEqual(result.labels[i % 3], result.labels[i]);
}
