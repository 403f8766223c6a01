/** @module Native symbols of the matrix area (zig/abi-matrix.zig); names match the Zig exports. */
export const matrixSymbols = {} as const;
