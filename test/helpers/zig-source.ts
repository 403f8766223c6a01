/**
 * Reads the Zig sources, for tests that check what TypeScript writes again: integer constants the library
 * has no export for (enum values, flag bits, slot numbers) and the signatures of the `export fn`s.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

const ZIG = join(import.meta.dir, "../../zig");

const integer = (text: string) => Number(text.replaceAll("_", ""));

const read = (file: string) => readFileSync(join(ZIG, file), "utf8");

/** The fields of `const <name> = enum(<int type>) { a = 0, b = 1, ... };` in zig/<file>, with their values. */
export function zigEnum(file: string, name: string): Record<string, number> {
  const source = read(file);
  const body = new RegExp(`const ${name} = enum\\(\\w+\\) \\{([^}]*)\\}`).exec(source)?.[1];
  if (body === undefined) throw new Error(`zig/${file} declares no enum ${name}`);
  const fields = [...body.matchAll(/(\w+) = (-?\d[\dx_a-fA-F]*)/g)].map((m) => [m[1]!, integer(m[2]!)] as const);
  if (fields.length === 0) throw new Error(`enum ${name} in zig/${file} gives its fields no values`);
  return Object.fromEntries(fields);
}

/** Every `const <prefix>...: T = <integer>;` (or without a type) of zig/<file>, by name without the prefix. */
export function zigConstants(file: string, prefix: string): Record<string, number> {
  const source = read(file);
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

/** An `export fn` of zig/: the file it is in, its name, and its parameters' and return types as written (`?*[4]f64`). */
export interface ZigExport {
  file: string;
  name: string;
  parameters: { name: string; type: string }[];
  returns: string;
}

/** Every `export fn` of zig/*.zig, in file order; throws on one it cannot read rather than skip it. */
export function zigExports(): ZigExport[] {
  const found: ZigExport[] = [];
  for (const file of readdirSync(ZIG).filter((name) => name.endsWith(".zig")).sort()) {
    const source = read(file).replace(/\/\/.*$/gm, "");
    const signatures = [...source.matchAll(/^(?:pub )?export fn (\w+)\(([^)]*)\) ([^{]+?) \{/gm)];
    const declared = source.match(/\bexport fn\b/g)?.length ?? 0;
    if (signatures.length !== declared) throw new Error(`zig/${file}: read ${signatures.length} of its ${declared} export fn signatures`);
    for (const [, name, list, returns] of signatures) {
      const parameters = list!
        .split(",")
        .map((p) => p.trim())
        .filter((p) => p !== "")
        .map((p) => {
          const m = /^(\w+): (.+)$/.exec(p);
          if (!m) throw new Error(`zig/${file}: cannot read the parameter '${p}' of ${name}`);
          return { name: m[1]!, type: m[2]! };
        });
      found.push({ file, name: name!, parameters, returns: returns!.trim() });
    }
  }
  return found;
}

/** The value of `text` in zig/<file>: an integer literal, or the name of a `const` holding one. */
export function zigInteger(file: string, text: string): number {
  if (/^\d[\d_]*$/.test(text)) return integer(text);
  const m = new RegExp(`^(?:pub )?const ${text}(?:: \\w+)? = (\\d[\\dx_a-fA-F]*);`, "m").exec(read(file));
  if (!m) throw new Error(`zig/${file} declares no integer constant ${text}`);
  return integer(m[1]!);
}
