/** @module Native symbols of the fbank area (zig/abi-fbank.zig); names match the Zig exports. */
export const fbankSymbols = {} as const;
