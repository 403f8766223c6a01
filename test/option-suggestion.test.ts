/**
 * A misspelt long option names the option it most likely meant, not the way to give a file whose name starts
 * with - (which `--num-speaker` is not); an unknown short option still says that (`-notes.wav`). A misspelt
 * subcommand (`senko model`) that is no file names the subcommand, rather than a missing audio file.
 */
import { expect, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { nearestName, parseOptions } from "../src/cli/parse.ts";
import { SUBCOMMANDS } from "../src/cli/subcommands.ts";

const root = resolve(import.meta.dir, "..");
const options = {
  out: { type: "string", short: "o" },
  "out-dir": { type: "string" },
  format: { type: "string", short: "f" },
  "num-speakers": { type: "string" },
  "min-speakers": { type: "string" },
  "max-speakers": { type: "string" },
  pipeline: { type: "string" },
  quiet: { type: "boolean", short: "q" },
} as const;

const refusal = (...argv: string[]) => {
  try {
    parseOptions(argv, options);
  } catch (error) {
    return (error as Error).message;
  }
  return "parsed";
};

test("a misspelt long option: the one it most likely meant, or none", () => {
  expect(refusal("a.wav", "--num-speaker", "2")).toBe("Unknown option '--num-speaker'; did you mean --num-speakers? (see --help)");
  expect(refusal("a.wav", "--num_speakers=2")).toBe("Unknown option '--num_speakers'; did you mean --num-speakers? (see --help)");
  expect(refusal("a.wav", "--fromat", "srt")).toBe("Unknown option '--fromat'; did you mean --format? (see --help)");
  expect(refusal("a.wav", "--output", "r.json")).toBe("Unknown option '--output'; did you mean --out? (see --help)");
  expect(refusal("a.wav", "--out-directory", "r")).toBe("Unknown option '--out-directory'; did you mean --out-dir? (see --help)");
  // Three are as near as each other: none is named.
  expect(refusal("a.wav", "--speakers", "2")).toBe("Unknown option '--speakers' (see --help)");
  expect(refusal("a.wav", "--bogus")).toBe("Unknown option '--bogus' (see --help)");
  expect(refusal("-notes.wav")).toBe("Unknown option '-n' (in -notes.wav); a file whose name starts with - is given as ./-notes.wav (see --help)");
});

test("a short option alone (-n 2) is an option that does not exist, not a file's name: no ./-n hint", () => {
  expect(refusal("a.wav", "-n", "2")).toBe("Unknown option '-n' (see --help)");
  expect(refusal("a.wav", "-x")).toBe("Unknown option '-x' (see --help)");
  expect(refusal("-qx")).toBe("Unknown option '-x' (in -qx); a file whose name starts with - is given as ./-qx (see --help)");
});

test("senko <audio> --num-speaker 2: one line, exit 2", () => {
  const run = Bun.spawnSync([join(root, "node_modules", ".bin", "bun"), join(root, "diarize.ts"), "a.wav", "--num-speaker", "2"], { stderr: "pipe" });
  expect(run.stderr.toString()).toBe("senko: Unknown option '--num-speaker'; did you mean --num-speakers? (see --help)\n");
  expect(run.exitCode).toBe(2);
});

test("a negative number after a long option is its value (--voice-threshold -0.2), as --name=-0.2 is; anything else that starts with - is not", () => {
  const withThreshold = { ...options, "voice-threshold": { type: "string" } } as const;
  const values = (...argv: string[]) => parseOptions(argv, withThreshold).values;
  expect(values("a.wav", "--voice-threshold", "-0.2")["voice-threshold"]).toBe("-0.2");
  expect(values("a.wav", "--voice-threshold", "-.5", "--num-speakers", "-3")).toMatchObject({ "voice-threshold": "-.5", "num-speakers": "-3" });
  expect(parseOptions(["--num-speakers", "-3", "a.wav"], options).positionals).toEqual(["a.wav"]);
  // After --, or as a file's name, it stays an argument; a value that is no number is still refused as ambiguous.
  expect(parseOptions(["a.wav", "--", "--num-speakers", "-3"], options).positionals).toEqual(["a.wav", "--num-speakers", "-3"]);
  expect(refusal("a.wav", "--out", "-x.json")).toStartWith("Option '--out' argument is ambiguous.");
  expect(refusal("a.wav", "--quiet", "-1")).toStartWith("Unknown option '-1'");
});

test("a misspelt subcommand: the one it most likely meant, or none", () => {
  const near = (word: string) => nearestName(word, SUBCOMMANDS);
  expect(["model", "modles", "sumbit", "submti", "attribut", "atribute", "voiceprint", "voice-prints", "worker2", "stauts"].map(near)).toEqual([
    "models",
    "models",
    "submit",
    "submit",
    "attribute",
    "attribute",
    "voice-print",
    "voice-print",
    "worker",
    "status",
  ]);
  // Too far from any, or as near to two (s: submit and status).
  for (const word of ["talk", "meeting", "s", "help"]) expect(near(word)).toBeUndefined();
});

test("senko model / sumbit / attribut: one line naming the subcommand, exit 2; a file of that name is an input as before", () => {
  const dir = mkdtempSync(join(tmpdir(), "senko-subcommand-"));
  const senko = (...argv: string[]) => {
    const run = Bun.spawnSync([join(root, "node_modules", ".bin", "bun"), join(root, "diarize.ts"), ...argv], { cwd: dir, stdout: "pipe", stderr: "pipe" });
    return { stderr: run.stderr.toString(), stdout: run.stdout.toString(), code: run.exitCode };
  };
  const meant = (word: string, subcommand: string) => ({
    stderr: `senko: ${word}: no such file or subcommand; did you mean bun run diarize.ts ${subcommand}? (see --help)\n`,
    stdout: "",
    code: 2,
  });
  try {
    expect(senko("model")).toEqual(meant("model", "models"));
    expect(senko("model", "--offline")).toEqual(meant("model", "models"));
    // Its own options would otherwise be refused as unknown ones of senko <audio>.
    expect(senko("sumbit", "talk.wav", "--redis", "redis://127.0.0.1:1")).toEqual(meant("sumbit", "submit"));
    expect(senko("attribut", "talk.json", "talk.rttm")).toEqual(meant("attribut", "attribute"));
    // A name like a file's, or far from every subcommand: the input is missing, as before.
    expect(senko("status.wav").stderr).toBe("senko: status.wav: file not found\n");
    expect(senko("talk").stderr).toBe("senko: talk: file not found\n");
    // A file that is there is an input, whatever its name.
    writeFileSync(join(dir, "model"), "not audio");
    const input = senko("model", "-q");
    expect(input.code).toBe(2);
    expect(input.stderr).toStartWith("senko: model: ");
    expect(input.stderr).not.toContain("did you mean");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}, 30_000);
