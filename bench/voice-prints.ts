/**
 * Same-speaker and different-speaker cosine similarity between a voice print and a result's speaker centroids,
 * which sets VOICE_MATCH_THRESHOLD (src/voices/name-speakers.ts; BENCHMARKS.md, "Naming known voices").
 * Simulated: LibriSpeech utterances cut in two (test/helpers/voice-halves.ts), the first half enrolled with
 * `voicePrint`, the second halves of three speakers alternating in a conversation that each pipeline diarizes.
 * "Same": a print against the centroid of the speaker the result gives its turns to; "different": every print
 * against every other speaker's centroid (the conversation's others and speakers of other conversations).
 *   bun run bench/voice-prints.ts [--conversations N]
 */
import { Diarizer } from "../src/diarizer.ts";
import { pipelineNames } from "../src/pipeline/registry.ts";
import { speakerSimilarity } from "../src/pipeline/segments.ts";
import { SAMPLE_RATE } from "../src/types.ts";
import { matchVoices, VOICE_MATCH_THRESHOLDS } from "../src/voices/name-speakers.ts";
import { conversation, longUtterances, referenceOf, voiceHalves } from "../test/helpers/voice-halves.ts";
import { benchArgs, toNumber } from "./args.ts";
import { runInfo } from "./run-info.ts";

const { values } = benchArgs("voice-prints.ts", { conversations: { type: "string" }, pipeline: { type: "string" } });
const count = values.conversations === undefined ? 10 : toNumber(values.conversations, "conversations");
const files = longUtterances().slice(0, 3 * count);
const voices = await Promise.all(files.map(voiceHalves));
const quantiles = (v: number[]) => {
  const s = [...v].sort((a, b) => a - b);
  const q = (p: number) => s[Math.min(s.length - 1, Math.floor(p * s.length))]!.toFixed(3);
  return `n ${s.length}, min ${s[0]!.toFixed(3)}, 5 % ${q(0.05)}, median ${q(0.5)}, 95 % ${q(0.95)}, max ${s.at(-1)!.toFixed(3)}`;
};

console.log(runInfo());
const enrollSec = voices.map((v) => v.enrollment.length / SAMPLE_RATE);
console.log(`${voices.length} speakers, enrollment halves ${Math.min(...enrollSec).toFixed(1)}-${Math.max(...enrollSec).toFixed(1)} s; ${count} conversations of 3`);
for (const pipeline of pipelineNames().filter((name) => values.pipeline === undefined || name === values.pipeline)) {
  const diarizer = new Diarizer({ pipeline, quiet: true });
  const prints = new Map<string, Float32Array>();
  for (const v of voices) prints.set(v.speaker, (await diarizer.voicePrint({ samples: v.enrollment, sampleRate: SAMPLE_RATE })).vector);
  const same: number[] = [];
  const different: number[] = [];
  const outcome = { right: 0, wrong: 0, unnamed: 0, strangers: 0 };
  const crossings: string[] = [];
  for (let c = 0; c < count; c++) {
    const group = voices.slice(3 * c, 3 * c + 3);
    const { samples, reference } = conversation(group);
    const result = await diarizer.diarize({ samples, sampleRate: SAMPLE_RATE });
    const truth = referenceOf(result.mergedSegments, reference);
    const threshold = VOICE_MATCH_THRESHOLDS[pipeline];
    for (const [label, centroid] of Object.entries(result.speakerCentroids)) {
      for (const [speaker, print] of prints) {
        const similarity = speakerSimilarity(print, centroid);
        const isSame = truth.get(label) === speaker;
        (isSame ? same : different).push(similarity);
        if (isSame !== similarity > threshold) crossings.push(`conversation ${c + 1} (${result.mergedSpeakersDetected} speakers found): ${label} (${truth.get(label)}) vs print of ${speaker}: ${similarity.toFixed(3)}`);
      }
    }
    // Naming with the group's own prints, and with three prints of speakers not in the audio.
    const own = new Map(group.map((v) => [v.speaker, prints.get(v.speaker)!]));
    for (const [label, m] of matchVoices(result.speakerCentroids, own, VOICE_MATCH_THRESHOLDS[pipeline])) {
      if (m.voice === null) outcome.unnamed++;
      else if (m.voice === truth.get(label)) outcome.right++;
      else outcome.wrong++;
    }
    const others = voices.slice(3 * ((c + 1) % count), 3 * ((c + 1) % count) + 3);
    for (const m of matchVoices(result.speakerCentroids, new Map(others.map((v) => [v.speaker, prints.get(v.speaker)!])), VOICE_MATCH_THRESHOLDS[pipeline]).values()) {
      if (m.voice !== null) outcome.strangers++;
    }
  }
  await diarizer.close();
  console.log(`\n${pipeline}`);
  console.log(`  same speaker:      ${quantiles(same)}`);
  console.log(`  different speaker: ${quantiles(different)}`);
  console.log(
    `  at threshold ${VOICE_MATCH_THRESHOLDS[pipeline]}: ${outcome.right} speakers named right, ${outcome.wrong} wrong, ${outcome.unnamed} unnamed; ` +
      `voices not in the audio named ${outcome.strangers} speakers`,
  );
  for (const line of crossings) console.log(`  on the wrong side: ${line}`);
}
