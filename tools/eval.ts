/** @module `bun run eval ref.rttm hyp.rttm`: per-file and total diarization error rate. */
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { SenkoError } from "../src/errors.ts";
import { DEFAULT_COLLAR, scoreFiles, type DerComponents, type DerReport } from "../src/eval/der.ts";
import { readRttm } from "../src/eval/rttm.ts";
import { readUem } from "../src/eval/uem.ts";

const HELP = `usage: bun run eval <reference.rttm> <hypothesis.rttm> [options]

  --uem <file.uem>     score only these spans (default: extent of reference and hypothesis)
  --collar <seconds>   total collar width around reference boundaries, half each side
                       (pyannote.metrics convention; default ${DEFAULT_COLLAR}, 0 for none)
  --skip-overlap       do not score regions with overlapping reference speakers
  --help
`;

class UsageError extends SenkoError {
  override readonly name = "UsageError";
}

function readText(path: string, what: string): string {
  try {
    return readFileSync(path, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason = code === "ENOENT" ? "no such file" : code === "EISDIR" ? "is a directory" : String(error);
    throw new UsageError(`cannot read ${what} '${path}': ${reason}`);
  }
}

const pct = (part: number, c: DerComponents) => (c.total > 0 ? ((100 * part) / c.total).toFixed(2) : "-");

/** The report as an aligned text table with one row per file and a TOTAL row. */
function formatReport(report: DerReport): string {
  const header = ["file", "DER %", "missed %", "false alarm %", "confusion %", "ref speech s"];
  const row = (name: string, c: DerComponents) => [
    name,
    (100 * c.der).toFixed(2),
    pct(c.missed, c),
    pct(c.falseAlarm, c),
    pct(c.confusion, c),
    c.total.toFixed(3),
  ];
  const rows = [header, ...report.files.map((f) => row(f.uri, f)), row("TOTAL", report.total)];
  const widths = header.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  const line = (r: string[]) => r.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join("  ");
  return `${rows.map(line).join("\n")}\n`;
}

function main(argv: string[]): number {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        uem: { type: "string" },
        collar: { type: "string" },
        "skip-overlap": { type: "boolean" },
        help: { type: "boolean", short: "h" },
      },
    });
  } catch (error) {
    throw new UsageError((error as Error).message.replace(/\s*\n\s*/g, " ")); // one line
  }
  const { values, positionals } = parsed;
  if (values.help) {
    process.stdout.write(HELP);
    return 0;
  }
  if (positionals.length !== 2) throw new UsageError(`expected <reference.rttm> <hypothesis.rttm>, got ${positionals.length} file(s); see --help`);
  const collar = values.collar === undefined ? DEFAULT_COLLAR : Number(values.collar);
  if (values.collar?.trim() === "" || !(Number.isFinite(collar) && collar >= 0)) {
    throw new UsageError(`--collar needs a number of seconds >= 0, got '${values.collar}'`);
  }
  const [refPath, hypPath] = positionals as [string, string];
  const reference = readRttm(readText(refPath, "reference"), refPath);
  const hypothesis = readRttm(readText(hypPath, "hypothesis"), hypPath);
  const uem = values.uem === undefined ? undefined : readUem(readText(values.uem, "UEM"), values.uem);
  if (reference.size === 0 && (uem?.size ?? 0) === 0) throw new UsageError(`reference '${refPath}' has no SPEAKER lines`);

  const report = scoreFiles(reference, hypothesis, { collar, uem, skipOverlap: values["skip-overlap"] ?? false });
  for (const uri of report.missingHypotheses) process.stderr.write(`eval: warning: no hypothesis for '${uri}', scored as all missed\n`);
  for (const uri of report.ignoredHypotheses) process.stderr.write(`eval: warning: hypothesis file '${uri}' is not in the reference, ignored\n`);
  process.stdout.write(formatReport(report));
  process.stdout.write(
    `collar ${collar} s (±${collar / 2} s)${values["skip-overlap"] ? ", overlap skipped" : ""}, ` +
      `scored: ${values.uem ? `UEM ${values.uem}` : "extent of reference and hypothesis"}\n`,
  );
  return 0;
}

if (import.meta.main) {
  try {
    process.exitCode = main(process.argv.slice(2));
  } catch (error) {
    // User errors (bad arguments, unreadable or malformed files) get one line; bugs keep their trace.
    if (!(error instanceof SenkoError)) throw error;
    process.stderr.write(`eval: ${error.message}\n`);
    process.exitCode = 2;
  }
}
