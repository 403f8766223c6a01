//! Exported C ABI for the fbank area (see lib.zig for conventions).
const std = @import("std");
