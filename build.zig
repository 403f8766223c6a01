//! Builds libsenko, the native core loaded by src/ffi.ts through bun:ffi.
//!   zig build -Doptimize=ReleaseFast            native CPU features (local use, benchmarks)
//!   zig build -Doptimize=ReleaseFast -Dportable  baseline CPU (the compiled executable)
//!   zig build test                               Zig unit tests (safety checks on)
const std = @import("std");
const builtin = @import("builtin");

/// The one Zig version this tree is written against (installed by tools/setup.sh).
const zig_version_pinned = "0.15.2";

comptime {
    const want = std.SemanticVersion.parse(zig_version_pinned) catch unreachable;
    if (builtin.zig_version.order(want) != .eq) {
        @compileError("senko needs Zig " ++ zig_version_pinned ++ "; run `npm run setup`, which installs it");
    }
}

pub fn build(b: *std.Build) void {
    const portable = b.option(bool, "portable", "Target the baseline CPU of the architecture instead of this machine") orelse false;
    const target = if (portable)
        b.resolveTargetQuery(.{ .cpu_model = .baseline })
    else
        b.standardTargetOptions(.{});
    const optimize = b.option(std.builtin.OptimizeMode, "optimize", "Optimization mode (default ReleaseFast)") orelse .ReleaseFast;
    // e.g. -Doptimize=ReleaseSafe -Ddir-suffix=-safe: a safety-checked library beside the fast one (test/fuzz.test.ts).
    const dir_suffix = b.option([]const u8, "dir-suffix", "Appended to the output directory under zig-out/lib") orelse "";
    // The prebuilt libraries of the npm packages (tools/cross-build.ts): without DWARF, a quarter of the size.
    const strip = b.option(bool, "strip", "Leave out debug information");

    const lib = b.addLibrary(.{
        .name = "senko",
        .linkage = .dynamic,
        .root_module = b.createModule(.{
            .root_source_file = b.path("zig/lib.zig"),
            .target = target,
            .optimize = optimize,
            // libc gives pthreads, which is what a shared library inside Bun's process must use.
            .link_libc = true,
            .strip = strip,
        }),
    });
    const t = target.result;
    const dir = b.fmt("lib/{s}-{s}{s}{s}", .{ @tagName(t.cpu.arch), @tagName(t.os.tag), if (portable) "-portable" else "", dir_suffix });
    const install = b.addInstallArtifact(lib, .{ .dest_dir = .{ .override = .{ .custom = dir } } });
    b.getInstallStep().dependOn(&install.step);

    const tests = b.addTest(.{
        .root_module = b.createModule(.{
            .root_source_file = b.path("zig/test.zig"),
            .target = target,
            .optimize = .Debug,
            .link_libc = true,
        }),
        .filters = if (b.option([]const u8, "test-filter", "Run only tests whose name contains this")) |f| &.{f} else &.{},
    });
    const test_step = b.step("test", "Run the Zig unit tests");
    test_step.dependOn(&b.addRunArtifact(tests).step);
}
