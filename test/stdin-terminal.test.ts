/**
 * `senko -` (also `--live -`, `senko attribute -`) with stdin a terminal: nothing would come but what is typed,
 * and senko waited for it without a word. It says so at once: one line, exit 2. So does `--format html` with
 * stdout a terminal: a page of markup (megabytes with the audio in it) would scroll past, unreadable.
 */
import { expect, test } from "bun:test";
import { join, resolve } from "node:path";
import { skipWithout } from "./helpers/skip.ts";

const root = resolve(import.meta.dir, "..");
const bun = join(root, "node_modules", ".bin", "bun");
const script = Bun.which("script");
const noTerminal = skipWithout("stdin-terminal.test.ts", { "script(1), for a pseudo-terminal (util-linux)": script });

/** The command on a pseudo-terminal (script(1)) whose input stays open: its output and exit code, or "waiting". */
async function onTerminal(args: string): Promise<{ code: number | "waiting"; out: string }> {
  const proc = Bun.spawn([script!, "-qec", `${bun} ${join(root, "diarize.ts")} ${args}`, "/dev/null"], { stdin: "pipe", stdout: "pipe", stderr: "pipe" });
  const timer = setTimeout(() => proc.kill(), 10_000);
  const [code, out] = await Promise.all([proc.exited, new Response(proc.stdout).text()]);
  clearTimeout(timer);
  return { code: proc.signalCode ? "waiting" : code, out: out.replace(/\r\n/g, "\n") };
}

test.skipIf(noTerminal)(
  "- on a terminal: one line, exit 2, not a wait for bytes that never come",
  async () => {
    const audio = "senko: -: stdin is a terminal, not audio: pipe the audio in (ffmpeg -i talk.mp4 -f wav - | senko -)\n";
    expect(await onTerminal("- --format csv")).toEqual({ code: 2, out: audio });
    expect(await onTerminal("--live - --out x.json")).toEqual({ code: 2, out: audio });
    expect(await onTerminal("attribute - d.rttm")).toEqual({ code: 2, out: "senko: -: stdin is a terminal: pipe the file in (cat talk.json | senko attribute - talk.rttm)\n" });
  },
  40_000,
);

test.skipIf(noTerminal)(
  "--format html with stdout a terminal: one line naming --out, exit 2; redirected, the run goes on",
  async () => {
    const page = "senko: --format html writes a web page, not text for a terminal: give --out talk.html, or send stdout to a file (> talk.html)\n";
    expect(await onTerminal("talk.wav --format html")).toEqual({ code: 2, out: page });
    expect(await onTerminal("talk.wav --format html --out -")).toEqual({ code: 2, out: page });
    expect(await onTerminal("- --format html")).toEqual({ code: 2, out: "senko: -: stdin is a terminal, not audio: pipe the audio in (ffmpeg -i talk.mp4 -f wav - | senko -)\n" });
    // Other formats are text to read there; html to a file is what it is for (the missing file is then what is said).
    const missing = "senko: talk.wav: file not found\n";
    expect(await onTerminal("talk.wav --format rttm")).toEqual({ code: 2, out: missing });
    expect(await onTerminal("talk.wav --format html > /dev/null")).toEqual({ code: 2, out: missing });
    expect(await onTerminal("talk.wav --out talk.html")).toEqual({ code: 2, out: missing });
  },
  60_000,
);
