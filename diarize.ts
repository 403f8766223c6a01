#!/usr/bin/env bun
/** `bun run diarize.ts <audio...>`: see `--help`. */
import { main, scriptCommand } from "./src/cli.ts";
import { scriptArguments } from "./src/command-line.ts";

process.exitCode = await main(scriptArguments(), scriptCommand(import.meta.path));
