/** @module The one way senko's commands read their arguments: node:util parseArgs, its errors as one line. */
import { parseArgs, type ParseArgsOptionsConfig } from "node:util";
import { oneLine, UsageError } from "../errors.ts";

/**
 * Where a usage error points: `(see <command> --help)` for a subcommand, named as the user ran it (`senko
 * submit`, `bun run diarize.ts models`), and `(see --help)` for senko <audio>, which the "senko: " prefix names.
 */
export const helpHint = (command?: string) => `(see ${command === undefined ? "" : `${command} `}--help)`;

/** The command whose --help explains `argv` (the subcommand its positionals name), or undefined for senko <audio>. */
export type HelpCommand = (positionals: readonly string[]) => string | undefined;

/**
 * `argv` read against `options` (positionals allowed, unknown options refused): a UsageError of one line for
 * anything parseArgs refuses, and for a value attached to a short option, pointing to `helpCommand`'s --help.
 */
export function parseOptions<O extends ParseArgsOptionsConfig>(given: string[], options: O, helpCommand: HelpCommand = () => undefined) {
  const argv = negativeValuesAttached(given, options);
  let parsed;
  try {
    parsed = parseArgs({ args: argv, allowPositionals: true, strict: true, options, tokens: true });
  } catch (error) {
    throw argumentError(error, argv, options, helpCommand);
  }
  refuseAttachedValues(argv, parsed.tokens, helpHint(helpCommand(parsed.positionals)));
  return parsed;
}

/**
 * A negative number after a long option that takes a value is that value (`--voice-threshold -0.2` as
 * `--voice-threshold=-0.2`): parseArgs refuses it as looking like an option, though no option is named by digits;
 * a value out of its range (`--threads -1`) is then refused by the flag's own check, which says what it takes.
 */
function negativeValuesAttached(argv: readonly string[], options: ParseArgsOptionsConfig): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const next = argv[i + 1];
    if (arg === "--") return [...out, ...argv.slice(i)];
    const name = arg.startsWith("--") ? arg.slice(2) : undefined;
    if (name !== undefined && Object.hasOwn(options, name) && options[name]!.type === "string" && next !== undefined && /^-(\d+\.?\d*|\.\d+)$/.test(next)) {
      out.push(`${arg}=${next}`);
      i++;
    } else {
      out.push(arg);
    }
  }
  return out;
}

/**
 * A value attached to a short option (`-output.wav` is -o utput.wav, `-o=x` is -o =x) is refused: it is most
 * often a file whose name starts with -, and would otherwise be read silently as an option.
 */
function refuseAttachedValues(argv: readonly string[], tokens: readonly { kind: string; rawName?: string; value?: string; inlineValue?: boolean; index: number }[], hint: string): void {
  const attached = tokens.find((t) => t.kind === "option" && t.inlineValue === true && !t.rawName!.startsWith("--"));
  if (attached === undefined) return;
  const argument = argv[attached.index]!;
  const apart = `${attached.rawName} ${attached.value}`;
  throw new UsageError(`${argument} reads as ${apart}: give an option's value apart (${apart}), and a file whose name starts with - as ./${argument} ${hint}`);
}

/**
 * A parseArgs error as one line. Node's messages run over several lines: all are kept (an ambiguous value such as
 * `--out -x.json` is explained only by the later ones), but not the hint about positionals after `--`, which names
 * the letter rather than the argument, nor the attached form of an ambiguous short option's value (`-o-x.json`),
 * which refuseAttachedValues refuses. An unknown long option names the option it most likely meant; an unknown
 * short one within a longer argument says instead how to give a file whose name starts with - (`-notes.wav` reads
 * as -n and -o tes.wav): as ./-notes.wav (`senko -- -notes.wav` works on Linux only: src/command-line.ts).
 */
function argumentError(error: unknown, argv: readonly string[], options: ParseArgsOptionsConfig, helpCommand: HelpCommand): UsageError {
  const hint = helpHint(helpCommand(parseArgs({ args: [...argv], options, allowPositionals: true, strict: false }).positionals));
  const message = oneLine((error as Error).message.replace(/\. To specify a positional argument.*$/s, "").replace(/ or '-\w-XYZ'\.$/, "."));
  const unknown = (error as { code?: string }).code === "ERR_PARSE_ARGS_UNKNOWN_OPTION" ? unknownOption(argv, options) : undefined;
  if (unknown === undefined) return new UsageError(`${message} ${hint}`);
  const { option, argument } = unknown;
  // A long option is a misspelt one (`--num-speaker`), hardly ever a file's name: the option meant, if one is near.
  if (option.startsWith("--")) {
    const near = nearestName(option.slice(2), Object.keys(options));
    return new UsageError(`Unknown option '${option}'${near ? `; did you mean --${near}?` : ""} ${hint}`);
  }
  // `-n 2` alone is an option that does not exist, not a file's name.
  if (argument === option) return new UsageError(`Unknown option '${option}' ${hint}`);
  return new UsageError(`Unknown option '${option}' (in ${argument}); a file whose name starts with - is given as ./${argument} ${hint}`);
}

/**
 * The name of `names` that a misspelt one most likely meant (a long option, a subcommand): the nearest by edit
 * distance, when at most 2 edits away (`num-speaker`, `num_speakers`, `pipline`, `sumbit`), or else the longest
 * one it begins with (`output`: out; `out-directory`: out-dir), or the only one that begins with it (`attribut`).
 */
export function nearestName(name: string, names: readonly string[]): string | undefined {
  const scored = names.map((candidate) => ({ candidate, edits: editDistance(name, candidate) })).sort((a, b) => a.edits - b.edits);
  if (scored[0] && scored[0].edits <= 2 && scored[0].edits < name.length / 2 && scored[1]?.edits !== scored[0].edits) return scored[0].candidate;
  const within = names.filter((candidate) => name.startsWith(candidate)).sort((a, b) => b.length - a.length)[0];
  const longer = names.filter((candidate) => candidate.startsWith(name));
  return within ?? (longer.length === 1 ? longer[0] : undefined);
}

/** Levenshtein distance: insertions, deletions and substitutions that make `a` into `b`. */
function editDistance(a: string, b: string): number {
  let row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const next = [i];
    for (let j = 1; j <= b.length; j++) next.push(Math.min(row[j]! + 1, next[j - 1]! + 1, row[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1)));
    row = next;
  }
  return row[b.length]!;
}

/** The first option of `argv` that `options` lacks, as written, and the argument it is in. */
function unknownOption(argv: readonly string[], options: ParseArgsOptionsConfig): { option: string; argument: string } | undefined {
  const { tokens } = parseArgs({ args: [...argv], options, allowPositionals: true, strict: false, tokens: true });
  const token = tokens.find((t) => t.kind === "option" && !Object.hasOwn(options, t.name));
  return token?.kind === "option" ? { option: token.rawName, argument: argv[token.index]! } : undefined;
}
