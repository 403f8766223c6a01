/**
 * Loading a model: the lines it logs (`quiet: false`, as the CLI runs) are information, written plainly to
 * stderr, not through console.error, which Bun draws in red on a terminal, as if something had failed; a
 * device that cannot run here is said first, not after the model was looked for or downloaded.
 */
import { expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ConfigError } from "../src/errors.ts";
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

test("a device that cannot run here is refused before the model is looked for (not after a download)", async () => {
  const cacheDir = mkdtempSync(join(tmpdir(), "senko-no-models-"));
  const device = process.platform === "darwin" ? "directml" : "coreml";
  const load = createSession("silero-vad", { device, cacheDir, modelsDir: cacheDir, offline: true, quiet: true }, 1);
  await expect(load).rejects.toThrow(`device "${device}" was asked for, but`);
  await expect(load).rejects.toBeInstanceOf(ConfigError);
  rmSync(cacheDir, { recursive: true });
});
