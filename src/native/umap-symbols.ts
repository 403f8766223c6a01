/** @module Native symbols of UMAP and HDBSCAN (zig/abi-umap.zig); names match the Zig exports. */
export const umapSymbols = {} as const;
