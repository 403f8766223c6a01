/**
 * Command-line arguments of the bench scripts, one parser for all: `--help` (or `-h`) prints the script's
 * leading doc comment (its usage) and its options with their defaults; an unknown option or a value that is
 * not a number where one is wanted is one line on stderr and exit code 2.
 */
import { readFileSync } from "node:fs";
import { basename } from "node:path";
import { parseArgs, type ParseArgsConfig } from "node:util";

type Option = { type: "string"; default?: string; multiple?: false } | { type: "string"; multiple: true } | { type: "boolean"; default?: boolean };
type Values<O extends Record<string, Option>> = {
  [K in keyof O]: O[K] extends { type: "boolean" }
    ? boolean
    : O[K] extends { multiple: true }
      ? string[] | undefined
      : O[K] extends { default: string }
        ? string
        : string | undefined;
};

/**
 * A script's arguments; `script` is its import.meta.path (for --help and the error line). `positionals`: the
 * script takes arguments without a name; `helpIfNone`: no argument at all prints the help too.
 */
export function benchArgs<O extends Record<string, Option>>(
  script: string,
  options: O,
  { positionals = false, helpIfNone = false }: { positionals?: boolean; helpIfNone?: boolean } = {},
): { values: Values<O>; positionals: string[] } {
  let parsed: { values: Record<string, unknown>; positionals: string[] };
  try {
    const all: ParseArgsConfig["options"] = { ...options, help: { type: "boolean", short: "h" } };
    parsed = parseArgs({ args: process.argv.slice(2), allowPositionals: positionals, options: all });
  } catch (error) {
    // Not node's hint about `--` for positionals, which names the option as if it were meant as one.
    const message = (error as Error).message.replace(/\. To specify a positional argument.*$/s, "").replace(/\s*\n\s*/g, " ");
    fail(script, `${message}; see --help`);
  }
  if (parsed.values.help || (helpIfNone && process.argv.length <= 2)) {
    process.stdout.write(help(script, options));
    process.exit(0);
  }
  return { values: parsed.values as Values<O>, positionals: parsed.positionals };
}

/** `text` as a number (Infinity allowed), or exit with a line naming `name`. */
export function toNumber(text: string, name: string): number {
  const value = Number(text);
  if (text.trim() === "" || Number.isNaN(value)) fail(process.argv[1] ?? "bench", `${name} needs a number, got '${text}'`);
  return value;
}

/** A comma-separated list of numbers, as toNumber. */
export function toNumbers(text: string, name: string): number[] {
  return text.split(",").map((item) => toNumber(item, name));
}

/** `message` as one line on stderr after the script's name, and exit code 2. */
export function fail(script: string, message: string): never {
  process.stderr.write(`${basename(script)}: ${message}\n`);
  process.exit(2);
}

/** The leading doc comment without its comment marks, then the options and their defaults. */
function help(script: string, options: Record<string, Option>): string {
  const doc = /^\s*\/\*\*([\s\S]*?)\*\//.exec(readFileSync(script, "utf8"))?.[1] ?? "";
  const lines = doc.split("\n").map((line) => line.replace(/^\s*\* ?/, "").replace(/^@module /, "")).join("\n").trim();
  const rows = Object.entries(options).map(([name, option]) => {
    const value = option.type === "string" ? ` <${option.multiple ? "value, repeatable" : "value"}>` : "";
    const fallback = "default" in option && option.default !== undefined && option.default !== false ? ` (default ${option.default})` : "";
    return `  --${name}${value}${fallback}\n`;
  });
  return `${lines}\n\noptions:\n${rows.join("")}  -h, --help\n`;
}
