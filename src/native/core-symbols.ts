/** @module Native symbols shared by every area (zig/lib.zig). */
export const coreSymbols = {
  senko_abi_version: { args: [], returns: "u32" },
  senko_set_threads: { args: ["u32"], returns: "i32" },
  senko_thread_count: { args: [], returns: "u32" },
} as const;
