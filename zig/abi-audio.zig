//! Exported C ABI for the audio area (see lib.zig for conventions).
const std = @import("std");
