//! Exported C ABI for the matrix area (see lib.zig for conventions).
const std = @import("std");
