/** @module Native symbols shared by every area (zig/lib.zig). */
export const coreSymbols = {
  senko_abi_version: { args: [], returns: "u32" },
  /** (threadCount, 0 = one per CPU) -> pool handle, null when the threads cannot be created */
  senko_pool_create: { args: ["u32"], returns: "ptr" },
  senko_pool_destroy: { args: ["ptr"], returns: "void" },
  senko_pool_thread_count: { args: ["ptr"], returns: "u32" },
} as const;
