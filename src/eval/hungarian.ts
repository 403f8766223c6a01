/** @module Optimal one-to-one assignment (Hungarian algorithm with row/column potentials, O(n² m)). */

/**
 * Assigns rows to distinct columns so that the summed weight is as large as possible.
 * `weights` is a rectangular rows x cols matrix of finite numbers. Every row gets a column when
 * rows <= cols (and every column a row otherwise). Returns, for each row, its column or -1.
 */
export function maxWeightAssignment(weights: readonly (readonly number[])[]): Int32Array {
  const rows = weights.length;
  const cols = rows === 0 ? 0 : weights[0]!.length;
  for (const row of weights) {
    if (row.length !== cols) throw new RangeError("maxWeightAssignment: rows of different lengths");
    for (const w of row) if (!Number.isFinite(w)) throw new RangeError("maxWeightAssignment: weights must be finite");
  }
  const result = new Int32Array(rows).fill(-1);
  if (rows === 0 || cols === 0) return result;
  // The solver below needs at most as many rows as columns: solve the transpose otherwise.
  if (rows > cols) {
    const colToRow = solveMinCost(cols, rows, (i, j) => -weights[j]![i]!);
    colToRow.forEach((r, c) => {
      if (r >= 0) result[r] = c;
    });
    return result;
  }
  return solveMinCost(rows, cols, (i, j) => -weights[i]![j]!);
}

/**
 * Minimum-cost assignment of n rows into m >= n columns. Rows are inserted one at a time; each
 * insertion grows a tree of alternating paths from the new row (a Dijkstra-like search on reduced
 * costs cost - u[row] - v[col] >= 0) until it reaches a free column, then flips the path.
 * Index 0 of the column arrays is a virtual column holding the row being inserted.
 */
function solveMinCost(n: number, m: number, cost: (i: number, j: number) => number): Int32Array {
  const u = new Float64Array(n + 1); // row potentials (1-based)
  const v = new Float64Array(m + 1); // column potentials (1-based, 0 = virtual)
  const owner = new Int32Array(m + 1); // owner[j] = 1-based row matched to column j, 0 if free
  const prev = new Int32Array(m + 1); // previous column on the alternating path to j
  const slack = new Float64Array(m + 1);
  const visited = new Uint8Array(m + 1);

  for (let row = 1; row <= n; row++) {
    owner[0] = row;
    let col = 0;
    slack.fill(Infinity);
    visited.fill(0);
    do {
      visited[col] = 1;
      const i = owner[col]!;
      let delta = Infinity;
      let next = -1;
      for (let j = 1; j <= m; j++) {
        if (visited[j]) continue;
        const reduced = cost(i - 1, j - 1) - u[i]! - v[j]!;
        if (reduced < slack[j]!) {
          slack[j] = reduced;
          prev[j] = col;
        }
        if (slack[j]! < delta) {
          delta = slack[j]!;
          next = j;
        }
      }
      // Shift potentials so the cheapest frontier edge becomes tight; tree edges stay tight.
      for (let j = 0; j <= m; j++) {
        if (visited[j]) {
          u[owner[j]!]! += delta;
          v[j]! -= delta;
        } else {
          slack[j]! -= delta;
        }
      }
      col = next;
    } while (owner[col] !== 0);
    // Flip the alternating path back to the virtual column.
    while (col !== 0) {
      const back = prev[col]!;
      owner[col] = owner[back]!;
      col = back;
    }
  }

  const rowToCol = new Int32Array(n).fill(-1);
  for (let j = 1; j <= m; j++) if (owner[j]! > 0) rowToCol[owner[j]! - 1] = j - 1;
  return rowToCol;
}
