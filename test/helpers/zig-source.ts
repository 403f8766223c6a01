/**
 * Reads integer constants out of the Zig sources, for tests that check a TypeScript copy of a value the
 * library has no export for (enum values, flag bits, slot numbers).
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";

const ZIG = join(import.meta.dir, "../../zig");

const integer = (text: string) => Number(text.replaceAll("_", ""));

/** The fields of `const <name> = enum(<int type>) { a = 0, b = 1, ... };` in zig/<file>, with their values. */
export function zigEnum(file: string, name: string): Record<string, number> {
  const source = readFileSync(join(ZIG, file), "utf8");
  const body = new RegExp(`const ${name} = enum\\(\\w+\\) \\{([^}]*)\\}`).exec(source)?.[1];
  if (body === undefined) throw new Error(`zig/${file} declares no enum ${name}`);
  const fields = [...body.matchAll(/(\w+) = (-?\d[\dx_a-fA-F]*)/g)].map((m) => [m[1]!, integer(m[2]!)] as const);
  if (fields.length === 0) throw new Error(`enum ${name} in zig/${file} gives its fields no values`);
  return Object.fromEntries(fields);
}

/** Every `const <prefix>...: T = <integer>;` (or without a type) of zig/<file>, by name without the prefix. */
export function zigConstants(file: string, prefix: string): Record<string, number> {
  const source = readFileSync(join(ZIG, file), "utf8");
  const found = [...source.matchAll(new RegExp(`^(?:pub )?const ${prefix}(\\w+)(?:: \\w+)? = (-?\\d[\\dx_a-fA-F]*);`, "gm"))];
  if (found.length === 0) throw new Error(`zig/${file} declares no constant ${prefix}*`);
  return Object.fromEntries(found.map((m) => [m[1]!, integer(m[2]!)]));
}

/** camelCase to snake_case, the Zig spelling of a TypeScript key. */
function snakeCase(key: string): string {
  return key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}

/** A TypeScript table keyed in camelCase, keyed as Zig spells it. */
export function snakeKeys(table: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(table).map(([k, v]) => [snakeCase(k), v]));
}
