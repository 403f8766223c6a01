/**
 * Diarize one file from a script and print who spoke when.
 *   bun run examples/diarize-file.ts meeting.wav
 */
import { Diarizer, toRttm } from "../src/index.ts";

const file = process.argv[2];
if (!file) {
  console.error("usage: bun run examples/diarize-file.ts <audio file>");
  process.exit(2);
}

const diarizer = new Diarizer({ colors: true });
const result = await diarizer.diarize(file);
await diarizer.close(); // releases the models, worker lanes and native threads

console.log(`${result.mergedSpeakersDetected} speakers in ${result.durationSec.toFixed(1)} s of audio`);
for (const s of result.mergedSegments) {
  console.log(`${s.start.toFixed(2).padStart(8)} ${s.end.toFixed(2).padStart(8)}  ${s.speaker}`);
}
console.log(`\ntook ${result.timingStats.total.toFixed(2)} s; as RTTM:\n`);
console.log(toRttm(result, "meeting"));
