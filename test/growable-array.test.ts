import { describe, expect, test } from "bun:test";
import { GrowableArray } from "../src/growable-array.ts";

describe("GrowableArray", () => {
  test("pushes keep every row through many growths, and the view is the filled part", () => {
    const rows = new GrowableArray(Float32Array, { width: 3 });
    const expected: number[] = [];
    const capacities = new Set<number>();
    for (let i = 0; i < 500; i++) {
      const n = 1 + (i % 4);
      const chunk = Float32Array.from({ length: 3 * n }, (_, k) => i * 100 + k);
      rows.push(chunk);
      expected.push(...chunk);
      capacities.add(rows.capacity);
      expect(rows.capacity).toBeGreaterThanOrEqual(rows.count);
    }
    expect(capacities.size).toBeGreaterThan(5);
    expect(rows.count).toBe(expected.length / 3);
    expect(rows.view()).toBeInstanceOf(Float32Array);
    expect(Array.from(rows.view())).toEqual(expected);
    expect(rows.data.length).toBe(rows.capacity * 3);
    expect(() => rows.push(new Float32Array(2))).toThrow("2 elements are not whole rows of 3");
  });

  test("growth rule: max(need, factor x capacity, minimum), within the maximum", () => {
    const doubled = new GrowableArray(Int32Array, { minCapacity: 256 });
    for (const [rows, capacity] of [[1, 256], [256, 512], [2000, 2257]]) {
      doubled.push(new Int32Array(rows!));
      expect(doubled.capacity).toBe(capacity!);
    }
    const byHalf = new GrowableArray(Uint8Array, { growth: 1.5, maxCapacity: 250 });
    byHalf.reserve(100);
    expect(byHalf.capacity).toBe(100);
    for (const [rows, capacity] of [[101, 150], [60, 225], [70, 250]]) {
      byHalf.push(new Uint8Array(rows!));
      expect(byHalf.capacity).toBe(capacity!);
    }
    expect(() => byHalf.push(new Uint8Array(20))).toThrow("251 rows are more than the 250 allowed");
    expect(byHalf.count).toBe(231);
  });

  test("resize zeroes the new rows and keeps the old; dropFront, fit and clear", () => {
    const a = new GrowableArray(Uint32Array, { width: 2, minCapacity: 4 });
    a.push([1, 2, 3, 4]);
    a.dropFront(1);
    expect(Array.from(a.view())).toEqual([3, 4]);
    // The row dropped is still in the buffer behind the filled part; resize must not show it.
    expect(Array.from(a.resize(3))).toEqual([3, 4, 0, 0, 0, 0]);
    a.resize(40).fill(7);
    a.resize(2);
    a.fit(2);
    expect(a.capacity).toBe(2);
    expect(Array.from(a.view())).toEqual([7, 7, 7, 7]);
    a.fit(0);
    expect(a.capacity).toBe(2);
    a.dropFront(5);
    expect(a.count).toBe(0);
    a.push([9, 9]);
    a.clear();
    expect([a.count, a.capacity]).toEqual([0, 0]);
  });
});
