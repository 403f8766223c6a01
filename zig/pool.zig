//! A fixed pool of worker threads that runs one data-parallel job at a time.
//! The calling thread takes part in every job, so a pool of size 1 spawns no thread.
//! Tasks are handed out through an atomic counter: uneven task costs balance themselves.
//! There is no process-wide pool: callers create one (senko_pool_create in lib.zig) and pass it to
//! every parallel entry point, so two users in one process never share or resize each other's threads.
const std = @import("std");
const assert = std.debug.assert;

pub const threads_max: u32 = 256;

const TaskFn = *const fn (context: *anyopaque, task_index: u32) void;

/// Written into every live pool and cleared by destroy, so a C ABI entry point can tell a pool handle
/// from any other pointer (or a destroyed pool) before it runs work on it.
const magic_live: u64 = 0x5345_4e4b_4f50_4f4c; // "SENKOPOL"

pub const Pool = struct {
    magic: u64 = magic_live,
    allocator: std.mem.Allocator,
    workers: []std.Thread,
    mutex: std.Thread.Mutex = .{},
    work_ready: std.Thread.Condition = .{},
    work_done: std.Thread.Condition = .{},
    /// Bumped once per job; a worker runs a job when it sees a generation it has not run.
    generation: u64 = 0,
    workers_busy: u32 = 0,
    shutdown: bool = false,
    job_context: *anyopaque = undefined,
    job_fn: TaskFn = undefined,
    job_task_count: u32 = 0,
    next_task: std.atomic.Value(u32) = std.atomic.Value(u32).init(0),
    /// Serialises callers: one job runs at a time.
    run_mutex: std.Thread.Mutex = .{},

    /// `thread_count` counts the calling thread: 1 means no worker threads.
    pub fn create(allocator: std.mem.Allocator, thread_count: u32) !*Pool {
        assert(thread_count >= 1);
        assert(thread_count <= threads_max);
        const pool = try allocator.create(Pool);
        errdefer allocator.destroy(pool);
        pool.* = .{ .allocator = allocator, .workers = &.{} };
        const workers = try allocator.alloc(std.Thread, thread_count - 1);
        errdefer allocator.free(workers);
        var spawned: u32 = 0;
        errdefer {
            pool.stopWorkers(workers[0..spawned]);
        }
        while (spawned < workers.len) : (spawned += 1) {
            workers[spawned] = try std.Thread.spawn(.{}, workerLoop, .{pool});
        }
        pool.workers = workers;
        return pool;
    }

    /// The pool behind a handle from the C ABI, or null for null, a misaligned pointer or memory
    /// that is not a live pool.
    pub fn fromHandle(handle: ?*Pool) ?*Pool {
        const pool = handle orelse return null;
        if (@intFromPtr(pool) % @alignOf(Pool) != 0) return null;
        if (pool.magic != magic_live) return null;
        assert(pool.workers.len < threads_max);
        return pool;
    }

    pub fn destroy(pool: *Pool) void {
        assert(pool.magic == magic_live);
        pool.magic = 0;
        pool.stopWorkers(pool.workers);
        pool.allocator.free(pool.workers);
        pool.allocator.destroy(pool);
    }

    pub fn threadCount(pool: *const Pool) u32 {
        return @intCast(pool.workers.len + 1);
    }

    fn stopWorkers(pool: *Pool, workers: []std.Thread) void {
        pool.mutex.lock();
        pool.shutdown = true;
        pool.work_ready.broadcast();
        pool.mutex.unlock();
        for (workers) |worker| worker.join();
    }

    /// Calls `func(context, i)` for every i in [0, task_count), spread over the pool,
    /// and returns when all calls have returned.
    pub fn parallelFor(
        pool: *Pool,
        task_count: u32,
        context: anytype,
        comptime func: fn (@TypeOf(context), u32) void,
    ) void {
        const Context = @TypeOf(context);
        comptime assert(@typeInfo(Context) == .pointer);
        const Erased = struct {
            fn call(erased: *anyopaque, task_index: u32) void {
                func(@ptrCast(@alignCast(erased)), task_index);
            }
        };
        pool.runErased(task_count, @ptrCast(@constCast(context)), Erased.call);
    }

    fn runErased(pool: *Pool, task_count: u32, context: *anyopaque, func: TaskFn) void {
        if (task_count == 0) return;
        pool.run_mutex.lock();
        defer pool.run_mutex.unlock();
        if (pool.workers.len == 0 or task_count == 1) {
            var i: u32 = 0;
            while (i < task_count) : (i += 1) func(context, i);
            return;
        }
        pool.mutex.lock();
        assert(pool.workers_busy == 0);
        pool.job_context = context;
        pool.job_fn = func;
        pool.job_task_count = task_count;
        pool.next_task.store(0, .release);
        pool.workers_busy = @intCast(pool.workers.len);
        pool.generation +%= 1;
        pool.work_ready.broadcast();
        pool.mutex.unlock();

        pool.drainTasks(context, func, task_count);

        pool.mutex.lock();
        while (pool.workers_busy != 0) pool.work_done.wait(&pool.mutex);
        pool.mutex.unlock();
        assert(pool.next_task.load(.acquire) >= task_count);
    }

    fn drainTasks(pool: *Pool, context: *anyopaque, func: TaskFn, task_count: u32) void {
        while (true) {
            const i = pool.next_task.fetchAdd(1, .acq_rel);
            if (i >= task_count) return;
            func(context, i);
        }
    }

    fn workerLoop(pool: *Pool) void {
        var seen: u64 = 0;
        while (true) {
            pool.mutex.lock();
            while (!pool.shutdown and pool.generation == seen) pool.work_ready.wait(&pool.mutex);
            if (pool.shutdown) {
                pool.mutex.unlock();
                return;
            }
            seen = pool.generation;
            const context = pool.job_context;
            const func = pool.job_fn;
            const task_count = pool.job_task_count;
            pool.mutex.unlock();

            pool.drainTasks(context, func, task_count);

            pool.mutex.lock();
            assert(pool.workers_busy > 0);
            pool.workers_busy -= 1;
            if (pool.workers_busy == 0) pool.work_done.signal();
            pool.mutex.unlock();
        }
    }
};

/// Splits `count` items into `chunk_count` nearly equal ranges; returns range `index`.
pub fn chunkRange(count: u32, chunk_count: u32, index: u32) struct { begin: u32, end: u32 } {
    assert(chunk_count > 0);
    assert(index < chunk_count);
    const begin: u32 = @intCast(@as(u64, count) * index / chunk_count);
    const end: u32 = @intCast(@as(u64, count) * (index + 1) / chunk_count);
    return .{ .begin = begin, .end = end };
}

/// Threads for a pool asked for `thread_count` threads: 0 means one per CPU; at most threads_max.
pub fn resolveThreadCount(thread_count: u32) u32 {
    const count: u32 = if (thread_count == 0)
        @intCast(@min(std.Thread.getCpuCount() catch 1, threads_max))
    else
        @min(thread_count, threads_max);
    assert(count >= 1);
    assert(count <= threads_max);
    return count;
}

test "parallelFor visits every task exactly once" {
    const pool = try Pool.create(std.testing.allocator, 4);
    defer pool.destroy();
    var hits = [_]std.atomic.Value(u32){std.atomic.Value(u32).init(0)} ** 1000;
    const Context = struct { hits: []std.atomic.Value(u32) };
    const context = Context{ .hits = &hits };
    const visit = struct {
        fn visit(c: *const Context, i: u32) void {
            _ = c.hits[i].fetchAdd(1, .monotonic);
        }
    }.visit;
    var round: u32 = 0;
    while (round < 50) : (round += 1) pool.parallelFor(1000, &context, visit);
    for (&hits) |*h| try std.testing.expectEqual(@as(u32, 50), h.load(.monotonic));
}

test "fromHandle accepts a live pool only" {
    const pool = try Pool.create(std.testing.allocator, 2);
    try std.testing.expectEqual(pool, Pool.fromHandle(pool).?);
    try std.testing.expectEqual(@as(?*Pool, null), Pool.fromHandle(null));
    var not_a_pool: Pool = .{ .magic = 0, .allocator = std.testing.allocator, .workers = &.{} };
    try std.testing.expectEqual(@as(?*Pool, null), Pool.fromHandle(&not_a_pool));
    pool.destroy();
}

test "resolveThreadCount maps 0 to the CPU count and caps the rest" {
    const cpus: u32 = @intCast(@min(std.Thread.getCpuCount() catch 1, threads_max));
    try std.testing.expectEqual(cpus, resolveThreadCount(0));
    try std.testing.expectEqual(@as(u32, 3), resolveThreadCount(3));
    try std.testing.expectEqual(threads_max, resolveThreadCount(threads_max + 1));
}

test "chunkRange covers the range without gaps" {
    var covered: u32 = 0;
    var i: u32 = 0;
    while (i < 7) : (i += 1) {
        const r = chunkRange(100, 7, i);
        try std.testing.expectEqual(covered, r.begin);
        covered = r.end;
    }
    try std.testing.expectEqual(@as(u32, 100), covered);
}
