/**
 * The CLI prints every error after "senko: " (src/cli/report.ts), so a message that starts with "senko " would
 * read "senko: senko attribute takes ...": the command is named once, by the prefix.
 */
import { expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";

test("no error message names senko again after the prefix", () => {
  const root = join(import.meta.dir, "..");
  const files = [...new Bun.Glob("{src,models}/**/*.ts").scanSync({ cwd: root }), "diarize.ts"];
  expect(files.length).toBeGreaterThan(50);
  const doubled = files.flatMap((file) =>
    [...readFileSync(join(root, file), "utf8").matchAll(/Error\(\s*[`"']senko [^`"']*/g)].map((m) => `${file}: ${m[0]}`),
  );
  expect(doubled).toEqual([]);
});
