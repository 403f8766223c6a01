/**
 * Accuracy on the AMI fixtures: every file diarized with each VAD, DER at collar 0.25 and 0 (per file and
 * in total, with missed speech, false alarm and confusion), and the estimated vs true speaker count.
 *   bun run bench:accuracy [--vad silero,pyannote] [--threads N]
 */
import { parseArgs } from "node:util";
import { Diarizer } from "../src/diarizer.ts";
import type { DerComponents } from "../src/eval/index.ts";
import { diarizeAmi, loadAmi, scoreAmi } from "./ami-eval.ts";

const { values } = parseArgs({
  args: process.argv.slice(2),
  options: { vad: { type: "string", default: "silero,pyannote" }, threads: { type: "string", default: "0" } },
});

const set = loadAmi();
const pct = (x: number) => `${(100 * x).toFixed(1)}`.padStart(6);
const row = (name: string, c: DerComponents) =>
  `${name.padEnd(8)}${pct(c.der)}${pct(c.missed / c.total)}${pct(c.falseAlarm / c.total)}${pct(c.confusion / c.total)}`;

for (const vad of values.vad!.split(",") as ("silero" | "pyannote")[]) {
  const diarizer = new Diarizer({ vad, threads: Number(values.threads), quiet: true });
  const t0 = performance.now();
  const run = await diarizeAmi(diarizer, set);
  const seconds = (performance.now() - t0) / 1000;
  console.log(`\n## VAD ${vad}: ${set.files.length} files in ${seconds.toFixed(2)} s`);
  for (const collar of [0.25, 0]) {
    const report = scoreAmi(run, collar, set);
    console.log(`\ncollar ${collar} s          DER  miss    FA  conf  speakers (est/true)`);
    for (const f of report.files) {
      const trueCount = new Set(set.reference.get(f.uri)?.map((t) => t.speaker)).size;
      const est = run.results.get(f.uri)?.mergedSpeakersDetected ?? 0;
      console.log(`${row(f.uri, f)}  ${est}/${trueCount}`);
    }
    console.log(row("TOTAL", report.total));
  }
}
