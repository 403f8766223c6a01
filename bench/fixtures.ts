/**
 * @module Where the benches find the shared fixtures: the places test/helpers/fixtures.ts names
 * (../shared/fixtures beside the checkout, or SENKO_FIXTURES), and `needFixture`, which stops a bench with one
 * line naming the place when a file is missing.
 */
import { existsSync } from "node:fs";
import { fail } from "./args.ts";
import { AMI_DIR, AMI_FIXTURES, LIBRISPEECH_DIR } from "../test/helpers/fixtures.ts";

export { AMI_DIR, LIBRISPEECH_DIR };

/** `path`, or exit (code 2) with a line saying the AMI fixtures are missing. */
export function needFixture(path: string): string {
  if (!existsSync(path)) fail(process.argv[1] ?? "bench", `${path} not found: ${AMI_FIXTURES} are needed (SENKO_FIXTURES: the folder that holds ami/)`);
  return path;
}
