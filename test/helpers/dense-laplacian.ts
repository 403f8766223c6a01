/** @module The reference Laplacian the eigensolver tests and bench/cluster.ts hand to ml-matrix. */
import { Matrix } from "ml-matrix";

/** Dense Laplacian D - A of the symmetrised pruned affinity, A = 0.5 (P + P^T) without diagonal. */
export function denseLaplacian(pruned: Float32Array, count: number): Matrix {
  const l = new Matrix(count, count);
  for (let i = 0; i < count; i++) {
    let degree = 0;
    for (let j = 0; j < count; j++) {
      if (i === j) continue;
      // f32 arithmetic as the native side, so both see the same matrix.
      const a = Math.fround(0.5 * Math.fround(pruned[i * count + j]! + pruned[j * count + i]!));
      l.set(i, j, -a);
      degree += Math.abs(a);
    }
    l.set(i, i, degree);
  }
  return l;
}
