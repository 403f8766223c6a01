/**
 * A misspelt option of readAudio / diarize (`channel: 2`) or of a live session is a ConfigError
 * that names it, as a Diarizer's are: it was dropped, and stereo samples were read as mono of twice the length.
 */
import { expect, test } from "bun:test";
import { readAudio } from "../src/audio/index.ts";
import { Diarizer } from "../src/diarizer.ts";
import { ConfigError } from "../src/errors.ts";

const stereo = new Float32Array(3200);

const refusal = async (work: () => unknown) => {
  try {
    await work();
    return "accepted";
  } catch (error) {
    return `${(error as Error).constructor.name}: ${(error as Error).message}`;
  }
};

test("readAudio and diarize: an option they do not read", async () => {
  expect(await refusal(() => readAudio(stereo, { sampleRate: 16000, channel: 2 } as never))).toBe("ConfigError: unknown option channel (see ReadAudioOptions)");
  // readAudio's result is raw audio for diarize (its durationSec, source and warnings are not options).
  const read = await readAudio(stereo, { sampleRate: 16000 });
  expect((await readAudio(read)).durationSec).toBe(0.2);
  expect((await readAudio(stereo, { sampleRate: 16000, channels: 2, name: "s" })).durationSec).toBe(0.1);
  await using diarizer = new Diarizer({ warmup: false });
  expect(await refusal(() => diarizer.diarize(stereo, { sampleRate: 16000, channel: 2 } as never))).toBe("ConfigError: unknown option channel (see DiarizeOptions)");
});

test("live: an option a session does not read", async () => {
  await using diarizer = new Diarizer({ warmup: false });
  expect(await refusal(() => diarizer.live({ sampleRate: 48000, channel: 2 } as never))).toBe("ConfigError: unknown option channel (see LiveOptions)");
  expect(() => diarizer.live({ sampleRate: 48000, channels: 2, encoding: "pcm_s16", rate: 1 } as never)).toThrow(ConfigError);
  diarizer.live({ sampleRate: 48000, channels: 2, encoding: "pcm_s16" }).abort();
});

test("a rate or channel count given as a string is quoted in the message (48000 read as if it were the number)", async () => {
  await using diarizer = new Diarizer({ warmup: false });
  expect(await refusal(() => diarizer.live({ sampleRate: "48000" } as never))).toBe('ConfigError: sampleRate must be a whole number of Hz from 1000 to 1000000, got "48000"');
  expect(await refusal(() => diarizer.live({ sampleRate: 16000, channels: "2" } as never))).toBe('ConfigError: channels must be a whole number from 1 to 65535, got "2"');
  expect(await refusal(() => readAudio(stereo, { sampleRate: "16000" } as never))).toBe('AudioFormatError: <samples>: sampleRate must be a whole number of Hz from 1000 to 1000000, got "16000"');
});

test("a rate or channel count of NaN or Infinity is named as such, not as null", async () => {
  await using diarizer = new Diarizer({ warmup: false });
  expect(await refusal(() => diarizer.live({ sampleRate: NaN }))).toBe("ConfigError: sampleRate must be a whole number of Hz from 1000 to 1000000, got NaN");
  expect(await refusal(() => diarizer.live({ sampleRate: 16000, channels: Infinity }))).toBe("ConfigError: channels must be a whole number from 1 to 65535, got Infinity");
  expect(await refusal(() => readAudio(stereo, { sampleRate: Infinity }))).toBe("AudioFormatError: <samples>: sampleRate must be a whole number of Hz from 1000 to 1000000, got Infinity");
  expect(await refusal(() => readAudio({ samples: stereo, sampleRate: 16000, channels: NaN }))).toBe("AudioFormatError: <samples>: channels must be a whole number from 1 to 65535, got NaN");
});
