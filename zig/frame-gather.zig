//! Gathers rows of a whole-file fbank (frames x mel_bins, not normalised) into a batch of embedding
//! inputs, each member its own list of frame indices of one common length, minus the mean of its own
//! rows (CAM++'s per-utterance normalisation). The overlap-aware pipeline computes the fbank once per
//! file and builds every (window, local speaker) input from it with this, never recomputing frames.
//! Sums run frame by frame in f32 per mel bin, so the result does not depend on the CPU's vector width.
const std = @import("std");
const assert = std.debug.assert;
const mel_bins = @import("fbank.zig").mel_bins;

const lanes = 8;
const Vec = @Vector(lanes, f32);
const row_vecs = mel_bins / lanes;
comptime {
    assert(mel_bins % lanes == 0);
}

/// Member m of the batch: rows source[indices[offsets[m] + t]] for t < length, minus their mean,
/// written to out[(m * length + t) * mel_bins ..]. Every index must be < source_rows.
pub fn gather(
    source: []const f32,
    indices: []const u32,
    offsets: []const u32,
    length: u32,
    out: []f32,
) void {
    assert(length > 0);
    assert(source.len % mel_bins == 0);
    assert(out.len == offsets.len * @as(usize, length) * mel_bins);
    const source_rows = source.len / mel_bins;
    for (offsets, 0..) |offset, m| {
        assert(@as(usize, offset) + length <= indices.len);
        const rows = indices[offset..][0..length];
        const target = out[m * @as(usize, length) * mel_bins ..][0 .. @as(usize, length) * mel_bins];
        var sum: [row_vecs]Vec = @splat(@splat(0));
        for (rows, 0..) |r, t| {
            assert(r < source_rows);
            const src = source[@as(usize, r) * mel_bins ..][0..mel_bins];
            const dst = target[t * mel_bins ..][0..mel_bins];
            inline for (0..row_vecs) |v| {
                const x: Vec = src[v * lanes ..][0..lanes].*;
                sum[v] += x;
                dst[v * lanes ..][0..lanes].* = x;
            }
        }
        const scale: Vec = @splat(1.0 / @as(f32, @floatFromInt(length)));
        var mean: [row_vecs]Vec = undefined;
        inline for (0..row_vecs) |v| mean[v] = sum[v] * scale;
        for (0..length) |t| {
            const dst = target[t * mel_bins ..][0..mel_bins];
            inline for (0..row_vecs) |v| dst[v * lanes ..][0..lanes].* = @as(Vec, dst[v * lanes ..][0..lanes].*) - mean[v];
        }
    }
}

// ---------------------------------------------------------------------------------------------- tests

const testing = std.testing;

test "gather copies the listed rows and subtracts each member's own mean" {
    const rows = 7;
    var source: [rows * mel_bins]f32 = undefined;
    for (&source, 0..) |*v, i| v.* = @floatFromInt((i * 37) % 101);
    const indices = [_]u32{ 6, 0, 3, 3, 1, 2 };
    const offsets = [_]u32{ 0, 3 };
    var out: [2 * 3 * mel_bins]f32 = undefined;
    gather(&source, &indices, &offsets, 3, &out);
    for (offsets, 0..) |offset, m| {
        for (0..mel_bins) |b| {
            var mean: f64 = 0;
            for (0..3) |t| mean += source[indices[offset + t] * mel_bins + b];
            mean /= 3;
            for (0..3) |t| {
                const want = source[indices[offset + t] * mel_bins + b] - mean;
                try testing.expectApproxEqAbs(want, out[(m * 3 + t) * mel_bins + b], 1e-4);
            }
        }
    }
}

test "a member of one repeated row is all zeros" {
    var source: [2 * mel_bins]f32 = undefined;
    for (&source, 0..) |*v, i| v.* = @as(f32, @floatFromInt(i)) * 0.25 - 3;
    const indices = [_]u32{ 1, 1, 1, 1 };
    const offsets = [_]u32{0};
    var out: [4 * mel_bins]f32 = undefined;
    gather(&source, &indices, &offsets, 4, &out);
    for (out) |v| try testing.expectEqual(@as(f32, 0), v);
}
