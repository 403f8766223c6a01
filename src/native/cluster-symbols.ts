/** @module Native symbols of the cluster area (zig/abi-cluster.zig); names match the Zig exports. */
export const clusterSymbols = {} as const;
