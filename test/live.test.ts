/**
 * Live sessions on the AMI fixtures: the result of `close()` is the result of `diarize()` on the whole
 * audio (every field but the timing), pushed in 1 s chunks or cut anywhere at another rate with two
 * channels; final turns never change in later snapshots; names stay; the audio held stays bounded. The
 * vad-windows pipeline (test/live-overlap.test.ts has overlap-aware, the default). The batch results are also the
 * Silero VAD's end-to-end results, checked here (test/helpers/ami-end-to-end.ts) rather than computed again.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadAmi, uriOf } from "../bench/ami-eval.ts";
import { readAudio } from "../src/audio/index.ts";
import { Diarizer, type DiarizationResult } from "../src/diarizer.ts";
import { LiveDiarization, type LiveSnapshot } from "../src/index.ts";
import { describeAmiEndToEnd } from "./helpers/ami-end-to-end.ts";
import { pushAll, withoutTiming } from "./helpers/live.ts";
import { withoutAmi } from "./helpers/fixtures.ts";
import { uniform } from "./helpers/synthetic-speakers.ts";

const set = loadAmi();

describe.skipIf(withoutAmi("live.test.ts"))("live session == batch on the AMI fixtures", () => {
  let diarizer: Diarizer;
  beforeAll(async () => {
    diarizer = new Diarizer({ pipeline: "vad-windows", vad: "silero", quiet: true });
    await diarizer.ready();
  });
  afterAll(() => diarizer.close());
  /** Each fixture's batch result, by file id. */
  const batches = new Map<string, DiarizationResult>();

  test("the package entry exports the session's class and types", async () => {
    const session: LiveDiarization = diarizer.live({ sampleRate: 16000 });
    expect(session).toBeInstanceOf(LiveDiarization);
    const snapshot: LiveSnapshot = session.last;
    expect(snapshot.turns).toEqual([]);
    await session.abort();
  });

  // Half the fixtures in 1 s chunks, half in chunks of 2-15 s (several windows of different lengths per push).
  // The fixtures at once: a session's result does not depend on what else the Diarizer runs.
  test.concurrent.each(set.files.map((f, i) => [uriOf(f), i % 2 === 0 ? "1 s" : "2-15 s", f]))("%s in %s chunks", async (uri, sizes, file) => {
    const { samples } = await readAudio(file);
    const batch = await diarizer.diarize(samples, { sampleRate: 16000 });
    batches.set(uri, batch);
    const session = diarizer.live({ sampleRate: 16000 });
    const next = uniform(file.length);
    const pieces: Float32Array[] = [];
    for (let at = 0; at < samples.length; ) {
      const size = sizes === "1 s" ? 16000 : Math.round(16000 * (2 + 13 * next()));
      pieces.push(samples.subarray(at, at + size));
      at += size;
    }
    await pushAll(session, pieces);
    const live = await session.close();
    expect(withoutTiming(live)).toEqual(withoutTiming(batch));
    expect(live.timingStats.total).toBeGreaterThan(0);
    // Every speaker of the result is named after a live speaker (the one it shares most time with).
    const names = Object.keys(session.resultNames);
    expect(names.every((n) => live.mergedSegments.some((s) => s.speaker === n))).toBe(true);
  });

  test("44.1 kHz stereo cut at random byte offsets, from one reused buffer, pushes not awaited: the batch result of the same samples", async () => {
    const { samples } = await readAudio(set.files[0]!);
    // A 44.1 kHz stereo signal: linear interpolation of the fixture, the right channel quieter.
    const rate = 44100;
    const frames = Math.floor((samples.length * rate) / 16000);
    const stereo = new Float32Array(2 * frames);
    for (let f = 0; f < frames; f++) {
      const x = (f * 16000) / rate;
      const i = Math.floor(x);
      const v = samples[i]! + (x - i) * ((samples[i + 1] ?? 0) - samples[i]!);
      stereo[2 * f] = v;
      stereo[2 * f + 1] = 0.7 * v;
    }
    const batch = await diarizer.diarize(stereo, { sampleRate: rate, channels: 2 });
    const session = diarizer.live({ sampleRate: rate, channels: 2 });
    const bytes = new Uint8Array(stereo.buffer);
    const next = uniform(11);
    // An audio callback hands over the same buffer each time and does not wait: push takes the audio at the call.
    const reused = new Uint8Array(200000);
    const pushes: Promise<unknown>[] = [];
    for (let at = 0; at < bytes.length; ) {
      const piece = bytes.subarray(at, at + 1 + Math.floor(next() * 200000));
      reused.set(piece);
      pushes.push(session.push(reused.subarray(0, piece.length)));
      at += piece.length;
    }
    await Promise.all(pushes);
    expect(withoutTiming(await session.close())).toEqual(withoutTiming(batch));
  });

  test("a session without audio ends like an empty file; close() again gives the same result; misuse is refused with one clear error", async () => {
    const empty = diarizer.live({ sampleRate: 8000 });
    const closing = empty.close();
    // A second close(), while the first runs and after it: the same result, as closing a stream twice does no harm.
    expect(empty.close()).toBe(closing);
    const result = await closing;
    expect(await empty.close()).toBe(result);
    expect(withoutTiming(result)).toEqual(withoutTiming(await diarizer.diarize(new Float32Array(0), { sampleRate: 8000 })));
    await expect(empty.push(new Float32Array(10))).rejects.toThrow("used after close()");

    const bytes = diarizer.live({ sampleRate: 16000, encoding: "pcm_s16" });
    await expect(bytes.push(new Float32Array(10))).rejects.toThrow("takes pcm_s16 bytes");
    await bytes.abort();
    await expect(bytes.push(new Uint8Array(4))).rejects.toThrow("live diarization used after abort()");
    await expect(bytes.close()).rejects.toThrow("live diarization used after abort()");
    expect(() => diarizer.live({ sampleRate: 5 })).toThrow("sampleRate must be");
    // The CLI's --raw-format names (s16le) are not the API's; nor is anything an object has by inheritance.
    for (const encoding of ["s16le", "toString"]) {
      expect(() => diarizer.live({ sampleRate: 16000, encoding: encoding as never })).toThrow(`unknown sample encoding "${encoding}": use pcm_u8, pcm_s16, pcm_s24, pcm_s32, float32 or float64`);
    }
  });

  // After the sessions above, which computed every fixture's batch result.
  describeAmiEndToEnd("silero", set, async () => {
    const results = new Map(set.files.map(uriOf).filter((uri) => batches.has(uri)).map((uri) => [uri, batches.get(uri)!]));
    return { results, hypotheses: new Map([...results].map(([uri, r]) => [uri, r.mergedSegments.map(({ start, end, speaker }) => ({ start, end, speaker }))])) };
  });
});

test("live needs the Silero VAD run in one pass: refused before any model loads", async () => {
  // No models where it looks, and no download: a model load would fail with another error.
  const noModels = { modelsDir: join(tmpdir(), "senko-no-models"), offline: true, quiet: true };
  await using stretches = new Diarizer({ pipeline: "vad-windows", vad: "silero", sileroStretches: true, ...noModels });
  await expect(stretches.live({ sampleRate: 16000 }).push(new Float32Array(16000))).rejects.toThrow("sileroStretches cannot run live");
  await using pyannote = new Diarizer({ pipeline: "vad-windows", vad: "pyannote", ...noModels });
  await expect(pyannote.live({ sampleRate: 16000 }).push(new Float32Array(16000))).rejects.toThrow('live diarization runs the Silero VAD only (vad "pyannote"): use vad "silero"');
});
