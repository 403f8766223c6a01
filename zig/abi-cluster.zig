//! Exported C ABI for the cluster area (see lib.zig for conventions).
const std = @import("std");
