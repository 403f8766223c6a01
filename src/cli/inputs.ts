/** @module The inputs of `senko <audio...>`: patterns expanded, then every input checked before the models load. */
import { existsSync } from "node:fs";
import { isAbsolute, resolve } from "node:path";
import { probeAudio } from "../audio/index.ts";
import { URL_STRING } from "../audio/encoded-input.ts";
import { probeEach } from "../audio/probe-each.ts";
import { fileKind } from "../audio/file-kind.ts";
import { readAudioPipe, readAudioStream, type StreamAudio } from "../audio/read-stream.ts";
import type { ComputeContext } from "../compute-context.ts";
import { AudioFormatError, UsageError } from "../errors.ts";
import { EMBED_AUDIO_MAX_BYTES } from "../output/html.ts";

/** The input that is stdin. */
export const STDIN = "-";

/** Characters that make an argument a glob (local paths and s3:// URLs alike). */
export const GLOB_CHARS = /[*?[{]/;

/** The files `pattern` matches under `cwd`; a UsageError naming a folder on the way that cannot be read (`arg`: the pattern as given). */
function globMatches(pattern: string, cwd: string, arg: string): string[] {
  try {
    return [...new Bun.Glob(pattern).scanSync({ cwd, onlyFiles: true, dot: false })];
  } catch (error) {
    const { code, path } = error as NodeJS.ErrnoException;
    if (path === undefined) throw error;
    const folder = cwd === "/" ? `/${path}` : path;
    throw new UsageError(`${arg}: the folder ${folder} cannot be read (${code === "EACCES" ? "permission denied" : code}): give a pattern that leaves it out`);
  }
}

/**
 * Positional arguments to input paths: existing paths as given, patterns expanded (sorted), - kept. A URL is
 * kept too, whatever its `?`: reading it says that senko reads files, where a pattern would match nothing.
 */
export function expandInputs(args: readonly string[], cwd = process.cwd()): string[] {
  const inputs: string[] = [];
  // A file named twice (by its name and by a pattern, say) would be diarized twice, its results clashing.
  const givenBy = new Map<string, string>();
  const add = (input: string, arg: string) => {
    const key = input === STDIN || URL_STRING.test(input) ? undefined : resolve(cwd, input);
    const first = key === undefined ? undefined : givenBy.get(key);
    if (first !== undefined) throw new UsageError(`${input} is given twice (${first === arg ? `by ${arg} twice` : `by ${first} and by ${arg}`}): give each file once`);
    if (key !== undefined) givenBy.set(key, arg);
    inputs.push(input);
  };
  for (const arg of args) {
    if (arg === STDIN || !GLOB_CHARS.test(arg) || existsSync(arg) || URL_STRING.test(arg)) {
      add(arg, arg);
      continue;
    }
    const absolute = isAbsolute(arg);
    const matches = globMatches(absolute ? arg.slice(1) : arg, absolute ? "/" : cwd, arg)
      .map((m) => (absolute ? `/${m}` : m))
      .sort();
    if (matches.length === 0) throw new UsageError(`no file matches ${arg}`);
    for (const match of matches) add(match, arg);
  }
  if (inputs.filter((i) => i === STDIN).length > 1) throw new UsageError("- (stdin) can be given only once");
  return inputs;
}

/**
 * Each input's problem found by `probeAudio` (undefined: none), in input order, and the audio of each input
 * that is a stream: stdin, and pipes given by path (a FIFO, or `<(command)`'s /dev/fd/N). A stream is read
 * now, to its end, so that it is checked with the files (it cannot be read twice); a problem its first bytes
 * show is found before the rest is waited for.
 */
export async function probeInputs(inputs: readonly string[], context: ComputeContext): Promise<{ problems: (AudioFormatError | undefined)[]; streams: Map<string, StreamAudio> }> {
  const streams = new Map<string, StreamAudio>();
  const problems = await probeEach(inputs, async (input) => {
    const options = { name: input, keepBytes: EMBED_AUDIO_MAX_BYTES, context };
    if (input === STDIN) streams.set(input, await readAudioStream(Bun.stdin.stream(), options));
    else if (fileKind(input) === "pipe") streams.set(input, await readAudioPipe(input, options));
    else await probeAudio(input, { name: input });
  });
  return { problems, streams };
}
