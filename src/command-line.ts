/**
 * @module The arguments the user typed after the script. Bun drops a `--` that comes first
 * (`senko -- -notes.wav` reaches the script as `-notes.wav`, an option: oven-sh/bun#13984); where the
 * process's own command line can be read (Linux's /proc/self/cmdline), the `--` is put back.
 */
import { readFileSync } from "node:fs";

/** The process's command line as the kernel holds it, or undefined where it cannot be read. */
function kernelCommandLine(): string[] | undefined {
  try {
    return readFileSync("/proc/self/cmdline", "utf8").split("\0").slice(0, -1);
  } catch {
    return undefined;
  }
}

/**
 * `argv` without the runtime and the script (process.argv.slice(2)), with the `--` Bun dropped put back:
 * when the command line ends with `--` followed by exactly these arguments (a runtime that keeps it, as the
 * single-file executable does, has its own name there instead).
 */
export function scriptArguments(argv: readonly string[] = process.argv, commandLine = kernelCommandLine()): string[] {
  const args = argv.slice(2);
  if (commandLine === undefined) return args;
  const tail = commandLine.slice(commandLine.length - args.length - 1);
  const dropped = tail.length === args.length + 1 && tail[0] === "--" && args.every((a, i) => tail[i + 1] === a);
  return dropped ? ["--", ...args] : args;
}
