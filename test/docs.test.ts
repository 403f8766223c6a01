/**
 * The README and --help against the code: every command-line option listed (and nothing else), every value
 * `senko` exports named, and the README's TypeScript blocks and examples/ type-checked against src/index.ts.
 * (test/package.test.ts runs the blocks from the packed tarball, under a user's tsconfig.)
 */
import { expect, test } from "bun:test";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ParseArgsOptionsConfig } from "node:util";
import { CLI_OPTIONS } from "../src/cli.ts";
import { QUEUE_OPTIONS } from "../src/queue/cli.ts";

const ROOT = join(import.meta.dir, "..");
const README = readFileSync(join(ROOT, "README.md"), "utf8");

/** `--long` and `-s=long` for every option of a parseArgs table. */
function flagsOf(options: ParseArgsOptionsConfig): string[] {
  return Object.entries(options).flatMap(([long, o]) => [`--${long}`, ...(o.short ? [`-${o.short}=${long}`] : [])]).sort();
}

/** The same from the option column of a --help text (lines "  -s, --long <arg>   what it does"). */
function helpFlags(help: string): string[] {
  const columns = help.split("\n").filter((line) => /^ {2}(-\w, )?--\w/.test(line)).map((line) => line.trim().split(/\s{2,}/)[0]!);
  return flagsIn(columns.join("\n"), /-(\w), --([\w-]+)/g);
}

function flagsIn(text: string, shortPattern: RegExp): string[] {
  const longs = [...text.matchAll(/(?<![\w-])--([a-z][\w-]*)/g)].map((m) => `--${m[1]}`);
  const shorts = [...text.matchAll(shortPattern)].map((m) => `-${m[1]}=${m[2]}`);
  return [...new Set([...longs, ...shorts])].sort();
}

async function help(args: string[]): Promise<string> {
  const run = Bun.spawn([process.execPath, "run", join(ROOT, "diarize.ts"), ...args], { stdout: "pipe", stderr: "pipe" });
  const [code, out] = await Promise.all([run.exited, new Response(run.stdout).text()]);
  expect(code).toBe(0);
  return out;
}

test("senko --help lists every option of senko <audio>, with its short form, and no other", async () => {
  expect(helpFlags(await help(["--help"]))).toEqual(flagsOf(CLI_OPTIONS));
});

test("senko submit --help lists every option of submit, worker and status, and no other", async () => {
  expect(helpFlags(await help(["submit", "--help"]))).toEqual(flagsOf(QUEUE_OPTIONS));
});

test("each subcommand's --help is its own, names the command as senko --help does, and gives the usage the README gives", async () => {
  const [main, attribute, models, queue, voicePrint] = await Promise.all([help(["--help"]), help(["attribute", "--help"]), help(["models", "--help"]), help(["status", "--help"]), help(["voice-print", "--help"])]);
  const readme = README.slice(README.indexOf("## Command line"));
  const block = readme.slice(readme.indexOf("```\n") + 4, readme.indexOf("\n```", readme.indexOf("```\n") + 4));
  const readmeUsage = block.split("\n").map((line) => line.replace(/^senko /, "").split("  ")[0]);
  const synopsis = (text: string, sub: string) => new RegExp(`(?:^|\\s)bun run diarize\\.ts (${sub}\\b[^\\n]*?)(?:  |\\n)`).exec(text)?.[1];
  for (const [sub, own] of [["attribute", attribute], ["models", models]] as const) {
    expect(own).toStartWith(`usage: bun run diarize.ts ${sub} `);
    // The same synopsis in senko --help, in the subcommand's own --help and in the README.
    expect(synopsis(main, sub)).toBe(synopsis(own, sub)!);
    expect(readmeUsage).toContain(synopsis(own, sub)!);
  }
  // senko --help shortens voice-print's synopsis; its own --help and the README give all of it.
  expect(voicePrint).toStartWith("usage: bun run diarize.ts voice-print ");
  expect(readmeUsage).toContain(synopsis(voicePrint, "voice-print")!);
  expect(queue).toContain("\n  bun run diarize.ts submit --redis <url> ");
  expect(queue).not.toMatch(/^ +senko (submit|worker|status) /m);
  // Each help's option column lists what its command takes.
  expect(helpFlags(attribute)).toEqual(["--format", "--help", "--out", "--quiet", "-f=format", "-h=help", "-o=out", "-q=quiet"]);
  expect(helpFlags(models)).toEqual(["--cache-dir", "--help", "--json", "--models-dir", "--offline", "-h=help"]);
  expect(helpFlags(voicePrint)).toEqual(["--device", "--help", "--models-dir", "--out", "--pipeline", "--quiet", "--threads", "-h=help", "-o=out", "-q=quiet"]);
});

test("the README's option table of senko <audio> lists the same options", () => {
  const section = README.slice(README.indexOf("## Command line"), README.indexOf("\n## ", README.indexOf("## Command line") + 1));
  const cells = section.split("\n").filter((line) => line.startsWith("| `-")).map((line) => line.split(/(?<!\\)\|/)[1]!);
  expect(flagsIn(cells.join("\n"), /`-(\w)`, `--([\w-]+)/g)).toEqual(flagsOf(CLI_OPTIONS));
});

test("the README names every value senko exports", async () => {
  const exported = Object.keys(await import("../src/index.ts"));
  expect(exported.length).toBeGreaterThan(50);
  expect(exported.filter((name) => !new RegExp(`\\b${name}\\b`).test(README))).toEqual([]);
});

test("examples/ import senko by its name, as a project that installed it does (they run there as they are)", () => {
  const examples = readdirSync(join(ROOT, "examples")).filter((f) => f.endsWith(".ts"));
  expect(examples.length).toBeGreaterThanOrEqual(2);
  const imports = examples.flatMap((f) => [...readFileSync(join(ROOT, "examples", f), "utf8").matchAll(/\bfrom\s*"([^"]+)"/g)].map((m) => m[1]!));
  expect(imports.filter((spec) => spec !== "senko" && !spec.startsWith("node:"))).toEqual([]);
});

test("the README's TypeScript blocks and examples/ type-check against src/index.ts", () => {
  const dir = mkdtempSync(join(tmpdir(), "senko-docs-"));
  try {
    const blocks = [...README.matchAll(/^```ts\n([\s\S]*?)^```$/gm)].map((m, i) => {
      writeFileSync(join(dir, `readme-${i + 1}.ts`), m[1]!);
      return join(dir, `readme-${i + 1}.ts`);
    });
    expect(blocks.length).toBeGreaterThanOrEqual(3);
    const examples = readdirSync(join(ROOT, "examples")).filter((f) => f.endsWith(".ts")).map((f) => join(ROOT, "examples", f));
    const compilerOptions = { paths: { senko: [join(ROOT, "src/index.ts")] }, typeRoots: [join(ROOT, "node_modules/@types")] };
    writeFileSync(join(dir, "tsconfig.json"), JSON.stringify({ extends: join(ROOT, "tsconfig.json"), compilerOptions, files: [...blocks, ...examples], include: [] }));
    const tsc = Bun.spawnSync([process.execPath, join(ROOT, "node_modules/typescript/bin/tsc"), "-p", dir], { stdout: "pipe", stderr: "pipe" });
    expect([tsc.exitCode, tsc.stdout.toString() + tsc.stderr.toString()]).toEqual([0, ""]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
