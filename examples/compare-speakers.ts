/**
 * Does the same person speak in two recordings? Uses only three stages: readAudio, detectSpeech and embed.
 * Each recording's speech regions are embedded with CAM++; every region of the first recording is matched
 * to its most similar region of the second (cosine similarity of the 192-d embeddings).
 *   bun run examples/compare-speakers.ts a.wav b.wav
 */
import { detectSpeech, embed, readAudio, SenkoError, type Embeddings, type TimeSpan } from "senko";

const [first, second] = process.argv.slice(2);
if (!first || !second) {
  console.error("usage: bun run examples/compare-speakers.ts <first audio> <second audio>");
  process.exit(2);
}

async function speechEmbeddings(file: string): Promise<{ regions: TimeSpan[]; embeddings: Embeddings }> {
  const audio = await readAudio(file);
  // Regions under 0.5 s carry too little voice for a stable embedding.
  const regions = (await detectSpeech(audio.samples, { vad: "silero" })).filter((r) => r.end - r.start >= 0.5);
  return { regions, embeddings: await embed({ samples: audio.samples, segments: regions }) };
}

const row = (e: Embeddings, i: number) => e.data.subarray(i * e.dim, (i + 1) * e.dim);
function cosine(a: Float32Array, b: Float32Array): number {
  let dot = 0, na = 0, nb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i]! * b[i]!;
    na += a[i]! * a[i]!;
    nb += b[i]! * b[i]!;
  }
  return dot / Math.sqrt(na * nb);
}

// A missing or unreadable file is one line on stderr (its AudioFormatError's message), not a stack trace.
const both = async () => [await speechEmbeddings(first), await speechEmbeddings(second)] as const;
const [a, b] = await both().catch((error) => {
  if (!(error instanceof SenkoError)) throw error;
  console.error(error.message);
  process.exit(2);
});
if (a.regions.length === 0 || b.regions.length === 0) {
  console.log("no speech found in", a.regions.length === 0 ? first : second);
  process.exit(0);
}
console.log(`${first}: ${a.regions.length} speech regions; ${second}: ${b.regions.length}`);
for (let i = 0; i < a.regions.length; i++) {
  let best = -1, bestAt = 0;
  for (let j = 0; j < b.regions.length; j++) {
    const c = cosine(row(a.embeddings, i), row(b.embeddings, j));
    if (c > best) [best, bestAt] = [c, j];
  }
  const r = a.regions[i]!, m = b.regions[bestAt]!;
  console.log(`${r.start.toFixed(1)}-${r.end.toFixed(1)} s  best match ${m.start.toFixed(1)}-${m.end.toFixed(1)} s  cosine ${best.toFixed(3)}`);
}
