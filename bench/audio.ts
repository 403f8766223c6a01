/**
 * Audio decode throughput: one hour of 48 kHz stereo 16-bit WAV -> 16 kHz mono, natively on 1 and 2
 * threads, beside a plain TypeScript decode+downmix loop (no resampling, so a lower bound for any JS
 * path) and ffmpeg doing the same conversion from the same file.
 *   bun run bench/audio.ts [minutes=60]
 */
import { rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { readAudio } from "../src/audio/index.ts";
import { toMono16k } from "../src/audio/convert.ts";
import { ComputeContext } from "../src/compute-context.ts";
import { benchArgs, toNumber } from "./args.ts";

const { positionals: args } = benchArgs(import.meta.path, {}, { positionals: true });
const minutes = toNumber(args[0] ?? "60", "minutes");
const rate = 48000;
const frames = Math.round(minutes * 60 * rate);

/** A 48 kHz stereo s16 WAV: speech-band tones plus noise, different in each channel. */
function makeWav(): Uint8Array {
  const bytes = new Uint8Array(44 + frames * 4);
  const view = new DataView(bytes.buffer);
  const text = (at: number, s: string) => [...s].forEach((c, i) => (bytes[at + i] = c.charCodeAt(0)));
  text(0, "RIFF");
  view.setUint32(4, 36 + frames * 4, true);
  text(8, "WAVEfmt ");
  view.setUint32(16, 16, true);
  view.setUint16(20, 1, true);
  view.setUint16(22, 2, true);
  view.setUint32(24, rate, true);
  view.setUint32(28, rate * 4, true);
  view.setUint16(32, 4, true);
  view.setUint16(34, 16, true);
  text(36, "data");
  view.setUint32(40, frames * 4, true);
  const pcm = new Int16Array(bytes.buffer, 44, frames * 2);
  let seed = 1;
  for (let i = 0; i < frames; i++) {
    seed = (seed * 1103515245 + 12345) >>> 0;
    const noise = (seed / 2 ** 32 - 0.5) * 2000;
    pcm[2 * i] = Math.round(8000 * Math.sin((2 * Math.PI * 220 * i) / rate) + noise);
    pcm[2 * i + 1] = Math.round(6000 * Math.sin((2 * Math.PI * 1330 * i) / rate) - noise);
  }
  return bytes;
}

/** Times `run` after a full collection, so no collector work runs beside it. */
function time<T>(run: () => T): { value: T; sec: number } {
  Bun.gc(true);
  const t0 = performance.now();
  const value = run();
  return { value, sec: (performance.now() - t0) / 1000 };
}

function report(label: string, sec: number): void {
  const audioSec = frames / rate;
  console.log(`${label.padEnd(44)} ${sec.toFixed(3).padStart(8)} s   ${(audioSec / sec).toFixed(0).padStart(7)}x real time`);
}

const wav = makeWav();
const data = wav.subarray(44);
console.log(`${minutes} min of 48 kHz stereo 16-bit (${(wav.length / 1e6).toFixed(0)} MB) -> 16 kHz mono`);

let reference: Float32Array | undefined;
for (const threads of [1, 2]) {
  const context = new ComputeContext({ threads });
  toMono16k(data.subarray(0, 4 * rate * 4), "pcm_s16", 2, rate, rate, context); // warm-up: page in the code
  const best = [0, 1, 2].map(() => time(() => toMono16k(data, "pcm_s16", 2, frames, rate, context))).sort((a, b) => a.sec - b.sec)[0]!;
  await context.close();
  report(`native decode+downmix+resample, ${threads} thread(s)`, best.sec);
  if (reference && !reference.every((v, i) => v === best.value[i])) throw new Error("thread counts disagree");
  reference = best.value;
}

// Plain TypeScript: decode and average only.
const js = time(() => {
  const pcm = new Int16Array(data.buffer, data.byteOffset, frames * 2);
  const mono = new Float32Array(frames);
  for (let i = 0; i < frames; i++) mono[i] = (pcm[2 * i]! + pcm[2 * i + 1]!) / 65536;
  return mono;
});
report("TypeScript decode+downmix (no resampling)", js.sec);

const path = join(tmpdir(), `senko-bench-audio-${process.pid}.wav`);
await Bun.write(path, wav);
try {
  Bun.gc(true);
  const rss0 = process.memoryUsage().rss;
  const t0 = performance.now();
  const audio = await readAudio(path);
  report("readAudio(path) incl. file read, all threads", (performance.now() - t0) / 1000);
  const mb = (n: number) => `${(n / 2 ** 20).toFixed(0)} MiB`;
  console.log(`  RSS growth ${mb(process.memoryUsage().rss - rss0)} (output ${mb(audio.samples.byteLength)}; the file is read in 32 MiB pieces)`);
  if (audio.samples.length !== reference!.length) throw new Error("length mismatch");

  const ffmpeg = Bun.which("ffmpeg");
  if (ffmpeg) {
    const t1 = performance.now();
    const proc = Bun.spawn([ffmpeg, "-v", "error", "-i", path, "-f", "f32le", "-ac", "1", "-ar", "16000", "-"], { stdout: "pipe" });
    const out = await new Response(proc.stdout).arrayBuffer();
    await proc.exited;
    report("ffmpeg -f f32le -ac 1 -ar 16000 (same file)", (performance.now() - t1) / 1000);
    if (out.byteLength / 4 < reference!.length - 16) throw new Error("ffmpeg output too short");
  }
} finally {
  rmSync(path, { force: true });
}
