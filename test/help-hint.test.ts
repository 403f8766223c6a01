/**
 * A usage error points to the --help that explains it: `(see --help)` for senko <audio>, whose errors the
 * "senko: " prefix names, and the subcommand's own help, named as the user ran it, for each subcommand.
 */
import { expect, test } from "bun:test";
import { join } from "node:path";

const diarize = join(import.meta.dir, "..", "diarize.ts");
// Run from a checkout, the command is `bun run diarize.ts` (src/cli.ts scriptCommand), not `senko`.
const program = "bun run diarize.ts";

async function run(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const proc = Bun.spawn([process.execPath, "run", diarize, ...args], { stdin: "ignore", stdout: "pipe", stderr: "pipe", timeout: 60_000 });
  const [code, stdout, stderr] = await Promise.all([proc.exited, new Response(proc.stdout).text(), new Response(proc.stderr).text()]);
  return { code, stdout, stderr };
}

test("each subcommand's usage errors name its own --help, which exists", async () => {
  const cases: [string[], string][] = [
    [["a.wav", "--bogus"], "senko: Unknown option '--bogus' (see --help)\n"],
    [["attribute", "t.json", "d.rttm", "--bogus"], `senko: Unknown option '--bogus' (see ${program} attribute --help)\n`],
    [["models", "--bogus"], `senko models: Unknown option '--bogus' (see ${program} models --help)\n`],
    [["models", "extra"], `senko models: takes no arguments, got extra (see ${program} models --help)\n`],
    [["submit", "--bogus"], `senko: Unknown option '--bogus' (see ${program} submit --help)\n`],
    [["submit", "--redis", "redis://127.0.0.1:1", "--out-dir", "out"], `senko: submit: no input file given (see ${program} submit --help)\n`],
    [["worker", "--threads", "1"], `senko: worker needs --redis <url> or SENKO_REDIS_URL (see ${program} worker --help)\n`],
    [["status", "--redis", "redis://127.0.0.1:1", "--threads", "1"], `senko: status does not take --threads (see ${program} status --help)\n`],
  ];
  const runs = await Promise.all(cases.map(([args]) => run(args)));
  expect(runs.map((r) => [r.code, r.stderr])).toEqual(cases.map(([, stderr]) => [2, stderr]));
  // The help each names is the subcommand's own.
  const helps = await Promise.all(["attribute", "models", "submit"].map((sub) => run([sub, "--help"])));
  expect(helps.map((h) => h.code)).toEqual([0, 0, 0]);
  expect(helps[0]!.stdout).toContain(`${program} attribute <transcript>`);
  expect(helps[1]!.stdout).toContain(`usage: ${program} models`);
  expect(helps[2]!.stdout).toContain(`${program} submit --redis`);
});
