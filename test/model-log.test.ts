/**
 * The lines a model load logs (`quiet: false`, as the CLI runs) are information, written plainly to stderr:
 * not through console.error, which Bun draws in red on a terminal, as if something had failed.
 */
import { expect, test } from "bun:test";
import { createSession } from "../src/models/session.ts";

test("a model load logs what runs where through process.stderr, one plain line each", async () => {
  const lines: string[] = [];
  const write = process.stderr.write;
  process.stderr.write = ((chunk: string | Uint8Array) => lines.push(String(chunk)) > 0) as typeof process.stderr.write;
  try {
    const { session } = await createSession("silero-vad", { device: "cpu", quiet: false }, 1);
    await session.release();
  } finally {
    process.stderr.write = write;
  }
  expect(lines).toEqual(["senko: silero-vad runs on the CPU (1 thread)\n"]);
});
