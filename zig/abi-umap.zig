//! Exported C ABI for UMAP and HDBSCAN (see lib.zig for conventions).
const std = @import("std");
