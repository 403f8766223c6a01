#!/usr/bin/env bun
/** `bun run diarize.ts <audio...>`: see `--help`. */
import { scriptArguments } from "./src/command-line.ts";

/** Where Bun's single-file executables keep their own modules (Linux and macOS, Windows). */
const compiled = /^(\/\$bunfs\/|[A-Z]:[\\/]~BUN[\\/])/.test(import.meta.path);

// Loaded here rather than imported above, so that a native library that cannot load is one line, not the
// loader's stack: a plain `bun build --compile diarize.ts` carries neither onnxruntime's library nor libsenko.
const cli = await import("./src/cli.ts").catch((error: unknown) => {
  const reason = (error instanceof Error ? error.message : String(error)).split("\n")[0];
  const hint = compiled ? " (a plain bun build --compile leaves out onnxruntime's library and libsenko: npm run build:exe makes executables that carry them)" : "";
  process.stderr.write(`senko: cannot start: ${reason}${hint}\n`);
  if (process.env.SENKO_DEBUG) console.error(error);
  return undefined;
});

process.exitCode = cli === undefined ? 1 : await cli.main(scriptArguments(), cli.scriptCommand(import.meta.path));
