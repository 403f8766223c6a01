#!/usr/bin/env bun
/** `bun run diarize.ts <audio...>`: see `--help`. */
import { main, scriptCommand } from "./src/cli.ts";

process.exitCode = await main(process.argv.slice(2), scriptCommand(import.meta.path));
