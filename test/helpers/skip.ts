/**
 * @module A test that needs a tool or data this machine lacks is skipped, never passed quietly: the
 * condition for `test.skipIf` / `describe.skipIf` comes from `skipWithout`, which prints what is missing.
 */

/** True (skip) when any of `needs` is falsy, after printing one line that names the missing ones. */
export function skipWithout(file: string, needs: Record<string, unknown>): boolean {
  const missing = Object.entries(needs)
    .filter(([, have]) => !have)
    .map(([what]) => what);
  if (missing.length > 0) console.warn(`[${file}] skipping tests: ${missing.join(", ")} missing`);
  return missing.length > 0;
}
