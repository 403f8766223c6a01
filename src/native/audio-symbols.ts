/** @module Native symbols of the audio area (zig/abi-audio.zig); names match the Zig exports. */
export const audioSymbols = {} as const;
