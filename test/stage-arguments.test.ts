/**
 * The stage functions called from JavaScript, where no type is checked: samples that are not a Float32Array,
 * options that are not theirs (`sampleRate`: the stages take 16 kHz only) or not an object are ConfigErrors
 * naming what they take, before any model loads; they gave no speech, or the wrong speech, without a word.
 */
import { expect, test } from "bun:test";
import { cluster, ConfigError, detectSpeech, embed, extractFbank } from "../src/index.ts";

const SAMPLES = new Float32Array(16000);
const EMBEDDINGS = { data: new Float32Array(192), count: 1, dim: 192 };

/** The error a call rejects with (or throws), as `Class: message`. */
async function refusal(call: () => unknown): Promise<string> {
  try {
    await call();
    return "accepted";
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return `${(error as Error).name}: ${(error as Error).message}`;
  }
}

test("samples that are not a Float32Array", async () => {
  const takes = "takes 16 kHz mono samples as a Float32Array (readAudio gives them), got";
  expect(await refusal(() => detectSpeech([0, 0.5] as never))).toBe(`ConfigError: detectSpeech ${takes} an array`);
  expect(await refusal(() => detectSpeech(new Float64Array(16000) as never))).toBe(`ConfigError: detectSpeech ${takes} Float64Array`);
  expect(await refusal(() => extractFbank(null as never, [{ start: 0, end: 1 }]))).toBe(`ConfigError: extractFbank ${takes} null`);
  expect(await refusal(() => embed({ samples: new Int16Array(16000), segments: [] } as never))).toBe(`ConfigError: embed ${takes} Int16Array`);
  expect(await refusal(() => embed({ data: new Float32Array(80) } as never))).toBe("ConfigError: embed takes extractFbank's features or { samples, segments }");
});

test("options a stage does not read, or that are not an object", async () => {
  expect(await refusal(() => detectSpeech(SAMPLES, { sampleRate: 44100 } as never))).toBe("ConfigError: unknown option sampleRate (see DetectSpeechOptions)");
  expect(await refusal(() => extractFbank(SAMPLES, [{ start: 0, end: 1 }], { meanNormalise: false } as never))).toBe(
    "ConfigError: unknown option meanNormalise (see FbankOptions)",
  );
  expect(await refusal(() => embed({ samples: SAMPLES, segments: [] }, { batch: 8 } as never))).toBe("ConfigError: unknown option batch (see EmbedOptions)");
  expect(await refusal(() => cluster(EMBEDDINGS, { audioDurationSec: 1, speakers: 2 } as never))).toBe("ConfigError: unknown option speakers (see ClusterOptions)");
  expect(await refusal(() => cluster(EMBEDDINGS, undefined as never))).toBe("ConfigError: the options are an object (ClusterOptions), got undefined");
  expect(await refusal(() => detectSpeech(SAMPLES, "silero" as never))).toBe("ConfigError: the options are an object (DetectSpeechOptions), got string");
  // Options left undefined are no options at all, as the Diarizer takes them.
  expect(await refusal(() => cluster(EMBEDDINGS, { audioDurationSec: 1, numSpeakers: undefined }))).toBe("accepted");
});
