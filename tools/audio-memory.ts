/**
 * Peak memory of readAudio on 3-hour files (issue 7): writes the test files once (in blocks, to
 * $SENKO_MEM_DIR or /tmp/senko-mem), then reads each in a fresh child process and reports its
 * peak RSS next to the size of the file and of the 16 kHz output.
 *   bun run tools/audio-memory.ts [hours=3] [--ffmpeg]
 * --ffmpeg adds a FLAC copy of the 48 kHz file read through ffmpeg (takes minutes to encode);
 * --child <file> is the child's part: read one file and print its figures as JSON.
 */
import { existsSync, mkdirSync, openSync, closeSync, writeSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import { benchArgs, fail, toNumber } from "../bench/args.ts";

const root = resolve(import.meta.dir, "..");

const args = benchArgs(import.meta.path, { ffmpeg: { type: "boolean" }, child: { type: "string" } }, { positionals: true });
if (args.positionals.length > 1) fail(import.meta.path, `takes one number of hours, got ${args.positionals.join(" ")}`);

if (args.values.child !== undefined) {
  // Child: read one file and print the figures as JSON.
  const { readAudio } = await import("../src/audio/index.ts");
  const before = process.memoryUsage().rss;
  const t0 = performance.now();
  const audio = await readAudio(args.values.child);
  const seconds = (performance.now() - t0) / 1000;
  console.log(
    JSON.stringify({
      rssBeforeMiB: before / 2 ** 20,
      peakRssMiB: process.resourceUsage().maxRSS / 1024,
      outputMiB: audio.samples.byteLength / 2 ** 20,
      durationH: audio.durationSec / 3600,
      seconds,
      decoder: audio.source.decoder,
    }),
  );
  process.exit(0);
}

const hours = toNumber(args.positionals[0] ?? "3", "hours");
const withFfmpeg = args.values.ffmpeg;
const dir = process.env.SENKO_MEM_DIR ?? "/tmp/senko-mem";
mkdirSync(dir, { recursive: true });

/** A WAV of `seconds` of a tone with noise, written a minute at a time. */
function writeWav(path: string, rate: number, channels: number, float: boolean, seconds: number): void {
  if (existsSync(path)) return;
  const bytesPer = float ? 4 : 2;
  const frames = Math.round(seconds * rate);
  const dataBytes = frames * channels * bytesPer;
  const head = new DataView(new ArrayBuffer(44));
  const ascii = (at: number, s: string) => [...s].forEach((c, i) => head.setUint8(at + i, c.charCodeAt(0)));
  ascii(0, "RIFF");
  head.setUint32(4, 36 + dataBytes, true);
  ascii(8, "WAVEfmt ");
  head.setUint32(16, 16, true);
  head.setUint16(20, float ? 3 : 1, true);
  head.setUint16(22, channels, true);
  head.setUint32(24, rate, true);
  head.setUint32(28, rate * channels * bytesPer, true);
  head.setUint16(32, channels * bytesPer, true);
  head.setUint16(34, bytesPer * 8, true);
  ascii(36, "data");
  head.setUint32(40, dataBytes, true);
  const fd = openSync(`${path}.partial`, "w");
  writeSync(fd, new Uint8Array(head.buffer));
  const block = new DataView(new ArrayBuffer(rate * 60 * channels * bytesPer));
  let seed = 1;
  for (let first = 0; first < frames; first += rate * 60) {
    const n = Math.min(rate * 60, frames - first);
    for (let i = 0; i < n; i++) {
      seed = (seed * 1103515245 + 12345) >>> 0;
      const v = 0.3 * Math.sin((2 * Math.PI * 440 * (first + i)) / rate) + 0.05 * (seed / 2 ** 32 - 0.5);
      for (let c = 0; c < channels; c++) {
        const at = (i * channels + c) * bytesPer;
        if (float) block.setFloat32(at, v, true);
        else block.setInt16(at, Math.round(v * 32767), true);
      }
    }
    writeSync(fd, new Uint8Array(block.buffer, 0, n * channels * bytesPer));
  }
  closeSync(fd);
  Bun.spawnSync(["mv", `${path}.partial`, path]);
}

const files = [
  { name: `${hours}h 48 kHz stereo 16-bit WAV`, path: join(dir, `${hours}h-48k-stereo-s16.wav`), make: (p: string) => writeWav(p, 48000, 2, false, hours * 3600) },
  { name: `${hours}h 16 kHz mono float32 WAV`, path: join(dir, `${hours}h-16k-mono-f32.wav`), make: (p: string) => writeWav(p, 16000, 1, true, hours * 3600) },
];
if (withFfmpeg) {
  files.push({
    name: `${hours}h 48 kHz stereo FLAC (ffmpeg)`,
    path: join(dir, `${hours}h-48k-stereo.flac`),
    make: (p: string) => {
      if (existsSync(p)) return;
      const r = Bun.spawnSync(["ffmpeg", "-v", "error", "-y", "-i", files[0]!.path, "-c:a", "flac", "-compression_level", "0", p]);
      if (r.exitCode !== 0) throw new Error(r.stderr.toString());
    },
  });
}

console.log(`| input | file size | 16 kHz output | peak RSS | RSS before reading | read time |`);
console.log(`|---|---|---|---|---|---|`);
for (const f of files) {
  f.make(f.path);
  const child = Bun.spawnSync([process.execPath, "run", join(root, "tools", "audio-memory.ts"), "--child", f.path], { stderr: "inherit" });
  if (child.exitCode !== 0) throw new Error(`reading ${f.path} failed`);
  const r = JSON.parse(child.stdout.toString());
  const mib = (n: number) => `${Math.round(n)} MiB`;
  console.log(
    `| ${f.name} | ${mib(statSync(f.path).size / 2 ** 20)} | ${mib(r.outputMiB)} | ${mib(r.peakRssMiB)} | ${mib(r.rssBeforeMiB)} | ${r.seconds.toFixed(1)} s |`,
  );
}
