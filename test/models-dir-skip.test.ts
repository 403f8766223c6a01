/**
 * A model file in a models directory that does not verify (a wrong or damaged download) is passed over for the
 * next place, as before, but said: it was skipped without a word, and the user's file silently not used.
 */
import { afterAll, expect, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { resolveModel } from "../models/fetch.ts";
import { modelSpec } from "../models/manifest.ts";

const dir = mkdtempSync(join(tmpdir(), "senko-models-dir-"));
afterAll(() => rmSync(dir, { recursive: true }));

test("a models directory's file that fails its check: one log line, then the next place", async () => {
  const file = join(dir, modelSpec("silero-vad").file);
  writeFileSync(file, "not a model");
  const lines: string[] = [];
  const found = await resolveModel("silero-vad", { modelsDir: dir, offline: true, log: (line) => lines.push(line) }).catch((error: Error) => error);
  expect(lines).toHaveLength(1);
  expect(lines[0]).toStartWith(`silero-vad: ${file} is not used: SHA-256 mismatch: 11 bytes with SHA-256 `);
  // The cache's copy (npm run setup), or, without one, the error that lists the file with the same reason.
  if (found instanceof Error) expect(found.message).toContain(`${file}: SHA-256 mismatch`);
  else expect(found.origin).toBe("cache");
});
