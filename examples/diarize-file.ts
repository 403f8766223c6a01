/**
 * Diarize one file from a script and print who spoke when.
 *   bun run examples/diarize-file.ts meeting.wav
 */
import { basename, extname } from "node:path";
import { Diarizer, SenkoError, toRttm } from "senko";

const file = process.argv[2];
if (!file) {
  console.error("usage: bun run examples/diarize-file.ts <audio file>");
  process.exit(2);
}

const diarizer = new Diarizer();
const result = await diarizer.diarize(file).catch(async (error) => {
  await diarizer.close();
  // A missing or unreadable file (AudioFormatError), a model that cannot load...: one line, no stack.
  if (!(error instanceof SenkoError)) throw error;
  console.error(error.message);
  process.exit(2);
});
await diarizer.close(); // releases the models, worker lanes and native threads

console.log(`${result.mergedSpeakersDetected} speakers in ${result.durationSec.toFixed(1)} s of audio`);
for (const s of result.mergedSegments) {
  console.log(`${s.start.toFixed(2).padStart(8)} ${s.end.toFixed(2).padStart(8)}  ${s.speaker}`);
}
console.log(`\ntook ${result.timingStats.total.toFixed(2)} s; as RTTM:\n`);
// The RTTM file id is the recording's name, what scoring tools match on.
console.log(toRttm(result, basename(file, extname(file))));
