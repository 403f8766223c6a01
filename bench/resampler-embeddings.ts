/**
 * How far reaching 16 kHz from a 48 kHz recording moves CAM++ embeddings: the longest LibriSpeech utterances
 * (16 kHz, full band to 8 kHz) are made 48 kHz recordings by a near-transparent upsampler (ffmpeg swr, 512
 * taps, cutoff 99.5%), then brought back to 16 kHz each way below; every 1.5 s window (0.75 s apart) is embedded
 * and compared with the same window of the original. 1 - cosine is how far each way moves a voice. The "+ ... above
 * 8 kHz" ways first add content above 8 kHz, which a resampler must remove without folding it back below 8 kHz:
 * "mirrored", the speech's spectrum mirrored about 8 kHz (x cos(2 pi 16000 t): as if it went on smoothly past
 * 8 kHz); "shifted", the speech shifted up by 8 kHz at -20 dB (its voiced 0-240 Hz at 8-8.24 kHz: a stress case).
 *   bun run bench/resampler-embeddings.ts [--utterances 12]
 * Needs ffmpeg; the files go to a temporary folder, removed at the end.
 */
import { mkdtempSync, readdirSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { readAudio } from "../src/audio/index.ts";
import { embed } from "../src/pipeline/embed.ts";
import { speakerSimilarity } from "../src/pipeline/segments.ts";
import { EMBEDDING_DIM } from "../src/models/campplus.ts";
import { benchArgs, toNumber } from "./args.ts";
import { LIBRISPEECH_DIR } from "./fixtures.ts";

const { values } = benchArgs(import.meta.path, { utterances: { type: "string", default: "12" } });
const count = toNumber(values.utterances, "utterances");
const dir = mkdtempSync(join(tmpdir(), "senko-bench-resampler-"));

function ffmpeg(args: string[]): Uint8Array {
  const run = Bun.spawnSync(["ffmpeg", "-v", "error", "-y", ...args]);
  if (run.exitCode !== 0) throw new Error(`ffmpeg ${args.join(" ")}: ${run.stderr.toString()}`);
  return run.stdout;
}
/** ffmpeg's 16 kHz mono float output of `input` through `filter`. */
const ffmpeg16k = (input: string, filter: string) => new Float32Array(ffmpeg(["-i", input, "-ac", "1", "-af", filter, "-f", "f32le", "-"]).slice().buffer);

const HIGH_BANDS = { mirrored: "aeval=val(0)*cos(2*PI*16000*t)", shifted: "afreqshift=shift=8000,volume=0.1" };
/** `wav48` with one of HIGH_BANDS added. */
function withHighBand(wav48: string, band: keyof typeof HIGH_BANDS): string {
  const out = wav48.replace(/\.wav$/, `-${band}.wav`);
  const graph = `[0]asplit[a][b];[b]${HIGH_BANDS[band]}[h];[a][h]amix=inputs=2:normalize=0`;
  ffmpeg(["-i", wav48, "-filter_complex", graph, "-c:a", "pcm_f32le", out]);
  return out;
}

const WAYS: Record<string, (wav48: string) => Promise<Float32Array>> = {
  "senko's resampler (a 48 kHz WAV, readAudio)": async (wav48) => (await readAudio(wav48)).samples,
  "senko's resampler, + mirrored above 8 kHz": async (wav48) => (await readAudio(withHighBand(wav48, "mirrored"))).samples,
  "senko's resampler, + shifted above 8 kHz": async (wav48) => (await readAudio(withHighBand(wav48, "shifted"))).samples,
  "ffmpeg swr, its defaults (-ar 16000)": async (wav48) => ffmpeg16k(wav48, "aresample=16000"),
  "ffmpeg swr, its defaults, + mirrored above 8 kHz": async (wav48) => ffmpeg16k(withHighBand(wav48, "mirrored"), "aresample=16000"),
  "ffmpeg swr, its defaults, + shifted above 8 kHz": async (wav48) => ffmpeg16k(withHighBand(wav48, "shifted"), "aresample=16000"),
  "ffmpeg soxr, precision 28": async (wav48) => ffmpeg16k(wav48, "aresample=16000:resampler=soxr:precision=28"),
  "48 kHz AAC 128k of it, readAudio (ffmpeg swr)": async (wav48) => {
    const m4a = wav48.replace(/\.wav$/, ".m4a");
    ffmpeg(["-i", wav48, "-c:a", "aac", "-b:a", "128k", m4a]);
    return (await readAudio(m4a)).samples;
  },
};

const files = readdirSync(LIBRISPEECH_DIR)
  .filter((f) => f.endsWith(".flac"))
  .sort((a, b) => statSync(join(LIBRISPEECH_DIR, b)).size - statSync(join(LIBRISPEECH_DIR, a)).size)
  .slice(0, count);
const similarities = new Map(Object.keys(WAYS).map((way) => [way, [] as number[]]));
try {
  for (const file of files) {
    const source = join(LIBRISPEECH_DIR, file);
    const wav48 = join(dir, file.replace(/\.flac$/, ".wav"));
    ffmpeg(["-i", source, "-af", "aresample=48000:filter_size=512:cutoff=0.995:phase_shift=20", "-c:a", "pcm_f32le", wav48]);
    const original = (await readAudio(source)).samples;
    const segments = [];
    for (let start = 0; start + 1.5 <= original.length / 16000; start += 0.75) segments.push({ start, end: start + 1.5 });
    const reference = await embed({ samples: original, segments });
    for (const [way, to16k] of Object.entries(WAYS)) {
      const embedded = await embed({ samples: (await to16k(wav48)).subarray(0, original.length), segments });
      const row = (e: Float32Array, i: number) => e.subarray(i * EMBEDDING_DIM, (i + 1) * EMBEDDING_DIM);
      for (let i = 0; i < segments.length; i++) similarities.get(way)!.push(speakerSimilarity(row(reference.data, i), row(embedded.data, i)));
    }
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
console.log(`${files.length} LibriSpeech utterances, ${similarities.values().next().value!.length} windows of 1.5 s; cosine with the 16 kHz original's embedding:`);
for (const [way, values] of similarities) {
  const sorted = [...values].sort((a, b) => a - b);
  const mean = sorted.reduce((sum, v) => sum + v, 0) / sorted.length;
  const fifth = sorted[Math.floor(sorted.length * 0.05)]!;
  console.log(`${way.padEnd(50)} 1 - mean ${(1 - mean).toExponential(2)}  5th percentile ${fifth.toFixed(4)}  min ${sorted[0]!.toFixed(4)}`);
}
