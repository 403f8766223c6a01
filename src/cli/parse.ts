/** @module The one way senko's commands read their arguments: node:util parseArgs, its errors as one line. */
import { parseArgs, type ParseArgsOptionsConfig } from "node:util";
import { oneLine, UsageError } from "../errors.ts";

/**
 * `argv` read against `options` (positionals allowed, unknown options refused): a UsageError of one line for
 * anything parseArgs refuses, and for a value attached to a short option.
 */
export function parseOptions<O extends ParseArgsOptionsConfig>(argv: string[], options: O) {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, allowPositionals: true, strict: true, options, tokens: true });
  } catch (error) {
    throw argumentError(error, argv, options);
  }
  refuseAttachedValues(argv, parsed.tokens);
  return parsed;
}

/**
 * A value attached to a short option (`-output.wav` is -o utput.wav, `-o=x` is -o =x) is refused: it is most
 * often a file whose name starts with -, and would otherwise be read silently as an option.
 */
function refuseAttachedValues(argv: readonly string[], tokens: readonly { kind: string; rawName?: string; value?: string; inlineValue?: boolean; index: number }[]): void {
  const attached = tokens.find((t) => t.kind === "option" && t.inlineValue === true && !t.rawName!.startsWith("--"));
  if (attached === undefined) return;
  const argument = argv[attached.index]!;
  const apart = `${attached.rawName} ${attached.value}`;
  throw new UsageError(`${argument} reads as ${apart}: give an option's value apart (${apart}), and a file whose name starts with - as ./${argument} (see --help)`);
}

/**
 * A parseArgs error as one line. Node's messages run over several lines: all are kept (an ambiguous value such as
 * `--threads -1` is explained only by the later ones), but not the hint about positionals after `--`, which names
 * the letter rather than the argument, nor the attached form of an ambiguous short option's value (`-o-x.json`),
 * which refuseAttachedValues refuses. An unknown option of `argv` says instead how to give a file whose name
 * starts with - (`-notes.wav` reads as -n and -o tes.wav): as ./-notes.wav. Not `senko -- -notes.wav`: Bun drops
 * a `--` that comes first (oven-sh/bun#13984), so the CLI would see what it refused.
 */
function argumentError(error: unknown, argv: readonly string[], options: ParseArgsOptionsConfig): UsageError {
  const message = oneLine((error as Error).message.replace(/\. To specify a positional argument.*$/s, "").replace(/ or '-\w-XYZ'\.$/, "."));
  const unknown = (error as { code?: string }).code === "ERR_PARSE_ARGS_UNKNOWN_OPTION" ? unknownOption(argv, options) : undefined;
  if (unknown === undefined) return new UsageError(`${message} (see --help)`);
  const { option, argument } = unknown;
  const from = argument === option ? "" : ` (in ${argument})`;
  return new UsageError(`Unknown option '${option}'${from}; a file whose name starts with - is given as ./${argument} (see --help)`);
}

/** The first option of `argv` that `options` lacks, as written, and the argument it is in. */
function unknownOption(argv: readonly string[], options: ParseArgsOptionsConfig): { option: string; argument: string } | undefined {
  const { tokens } = parseArgs({ args: [...argv], options, allowPositionals: true, strict: false, tokens: true });
  const token = tokens.find((t) => t.kind === "option" && !Object.hasOwn(options, t.name));
  return token?.kind === "option" ? { option: token.rawName, argument: argv[token.index]! } : undefined;
}
