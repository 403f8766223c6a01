/**
 * @module Decoding of everything that is not PCM/float WAV (mp3, m4a, flac, ogg, opus, video, ADPCM
 * WAV...) by the `ffmpeg` program: it writes 16 kHz mono f32le to a pipe that is read straight into
 * the sample buffer, with no temporary file.
 */
import { resolve } from "node:path";
import { AudioFormatError } from "../errors.ts";

export const FFMPEG_INSTALL_HINT =
  "install ffmpeg (Debian/Ubuntu: sudo apt install ffmpeg; macOS: brew install ffmpeg; Windows: winget install ffmpeg)";

/** The ffmpeg to run: `option` when it is a path, none when it is false, else `ffmpeg` on the PATH. */
export function findFfmpeg(option?: string | false): string | undefined {
  if (option === false) return undefined;
  if (option !== undefined) return option;
  return Bun.which("ffmpeg") ?? undefined;
}

export interface FfmpegAudio {
  /** 16 kHz mono */
  samples: Float32Array;
  /** of the decoded stream, as ffmpeg reports it (0 when it does not say) */
  sampleRate: number;
  channels: number;
  /** ffmpeg's codec name, e.g. "mp3", "aac", "adpcm_ms" */
  codec: string;
}

const LAYOUT_CHANNELS: Record<string, number> = {
  mono: 1,
  stereo: 2,
  "2.1": 3,
  "3.0": 3,
  quad: 4,
  "4.0": 4,
  "4.1": 5,
  "5.0": 5,
  "5.1": 6,
  "6.0": 6,
  "6.1": 7,
  "7.0": 7,
  "7.1": 8,
};

/** The first input audio stream's codec, rate and channels from ffmpeg's log. */
export function parseStreamInfo(log: string): { codec: string; sampleRate: number; channels: number } {
  const m = /Stream #\d+:\d+\S*: Audio: ([^\s,]+)[^,\n]*, (\d+) Hz, ([^,\n]+)/.exec(log);
  if (!m) return { codec: "unknown", sampleRate: 0, channels: 0 };
  const layout = m[3]!.trim();
  const counted = /^(\d+) channels/.exec(layout);
  const channels = counted ? Number(counted[1]) : (LAYOUT_CHANNELS[layout.replace(/\(.*\)$/, "")] ?? 0);
  return { codec: m[1]!, sampleRate: Number(m[2]), channels };
}

/** The last meaningful lines of ffmpeg's log, for an error message, without ffmpeg's echo of the input name. */
function lastError(log: string, input: string): string {
  const lines = log
    .split("\n")
    .map((l) => (l.startsWith(`${input}: `) ? l.slice(input.length + 2) : l).trim())
    .filter((l) => l && !l.startsWith("Stream #") && !/^(Input|Output) #|^Metadata:|^Duration:/.test(l));
  return lines.slice(-2).join("; ") || "no error message";
}

/**
 * Decodes the first audio stream of a file (`{ path }`) or of in-memory bytes (`{ bytes }`, piped
 * to ffmpeg's stdin, where containers that need seeking may fail: prefer a path). ffmpeg does the
 * downmix (its own matrix, e.g. (L + R) / sqrt 2 for stereo) and the resampling. `why` starts the
 * error message, e.g. "not a WAV file".
 */
export async function decodeWithFfmpeg(
  source: { path: string } | { bytes: Uint8Array },
  name: string,
  ffmpeg: string,
  why: string,
): Promise<FfmpegAudio> {
  const fail = (problem: string, cause?: unknown): never => {
    throw new AudioFormatError(`${name}: ${why}, and ffmpeg could not decode it: ${problem}`, name, { cause });
  };
  // "file:" keeps ffmpeg from reading a protocol into names such as "a:b.mp3".
  const input = "path" in source ? `file:${resolve(source.path)}` : "pipe:0";
  const args = [ffmpeg, "-hide_banner", "-nostats", "-i", input, "-map", "0:a:0", "-f", "f32le", "-ac", "1", "-ar", "16000", "pipe:1"];
  let proc;
  try {
    proc = Bun.spawn(args, {
      stdin: "path" in source ? "ignore" : source.bytes,
      stdout: "pipe",
      stderr: "pipe",
    });
  } catch (cause) {
    return fail(`running ${ffmpeg} failed (${String(cause)})`, cause);
  }
  let pcm: ArrayBuffer;
  let log: string;
  let code: number;
  try {
    [pcm, log, code] = await Promise.all([new Response(proc.stdout).arrayBuffer(), new Response(proc.stderr).text(), proc.exited]);
  } catch (cause) {
    // e.g. more output than one ArrayBuffer holds (4 GiB, about 18 hours at 16 kHz)
    proc.kill();
    return fail(`reading its output failed (${String(cause)})`, cause);
  }
  if (code !== 0) {
    if (/matches no streams/.test(log)) fail("it has no audio stream");
    fail(lastError(log, input));
  }
  const info = parseStreamInfo(log);
  const samples = new Float32Array(pcm, 0, Math.floor(pcm.byteLength / 4));
  if (samples.length === 0) fail("it decoded to no audio samples");
  return { samples, ...info };
}
