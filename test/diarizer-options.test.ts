/**
 * What a JavaScript caller (no type check) may pass a Diarizer: options that are not an object, switches that
 * are not true or false (`warmup: "no"` ran the warm-up), and a count given as a string are ConfigErrors.
 */
import { expect, test } from "bun:test";
import { Diarizer } from "../src/diarizer.ts";
import { ConfigError } from "../src/errors.ts";

const refusal = (options: unknown) => {
  try {
    void new Diarizer(options as never);
    return "accepted";
  } catch (error) {
    return `${(error as Error).constructor.name}: ${(error as Error).message}`;
  }
};

test("options that are not an object", () => {
  expect(refusal(null)).toBe("ConfigError: the options of a Diarizer are an object (DiarizerOptions), got null");
  expect(refusal(5)).toBe("ConfigError: the options of a Diarizer are an object (DiarizerOptions), got number");
  expect(refusal("vad-windows")).toBe("ConfigError: the options of a Diarizer are an object (DiarizerOptions), got string");
  expect(refusal([])).toBe("ConfigError: the options of a Diarizer are an object (DiarizerOptions), got an array");
});

test("a switch that is not true or false, and a count that is not a number", async () => {
  expect(refusal({ warmup: "no" })).toBe('ConfigError: warmup must be true or false, got "no"');
  expect(refusal({ offline: 1 })).toBe("ConfigError: offline must be true or false, got 1");
  expect(refusal({ colors: "yes" })).toBe('ConfigError: colors must be true or false, got "yes"');
  expect(refusal({ numSpeakers: "2" })).toBe('ConfigError: numSpeakers must be a whole number of at least 1, got "2"');
  const accepted = new Diarizer({ warmup: false, colors: true, quiet: true });
  expect(accepted.options.warmup).toBe(false);
  await accepted.close();
  expect(() => new Diarizer({ quiet: "false" as never })).toThrow(ConfigError);
});

test("a named choice in any case, as the command line takes it; an unknown one names those there are", async () => {
  const given = new Diarizer({ pipeline: "Vad-Windows", device: "CPU", vad: "Silero", clusterMethod: "UMAP-HDBSCAN", windows: "Accurate" } as never);
  expect(given.pipeline.name).toBe("vad-windows");
  expect(given.options).toMatchObject({ pipeline: "vad-windows", device: "cpu", vad: "silero", clusterMethod: "umap-hdbscan", windows: "accurate" });
  await given.close();
  const overlap = new Diarizer({ pipeline: "Overlap-Aware" } as never);
  expect(overlap.pipeline.name).toBe("overlap-aware");
  await overlap.close();
  expect(refusal({ pipeline: "overlap" })).toBe('ConfigError: pipeline must be one of overlap-aware, vad-windows, got "overlap"');
  expect(refusal({ device: "gpu" })).toBe('ConfigError: device must be one of auto, cpu, cuda, coreml, directml, got "gpu"');
  expect(refusal({ pipeline: "vad-windows", vad: "webrtc" })).toBe('ConfigError: vad must be one of silero, pyannote, auto, got "webrtc"');
  expect(refusal({ pipeline: "vad-windows", clusterMethod: "kmeans" })).toBe('ConfigError: clusterMethod must be one of agglomerative, auto, spectral, umap-hdbscan, got "kmeans"');
  expect(refusal({ pipeline: "vad-windows", windows: "wide" })).toBe('ConfigError: windows must be one of default, accurate, got "wide"');
  expect(refusal({ device: 1 })).toBe("ConfigError: device must be one of auto, cpu, cuda, coreml, directml, got 1");
});

test("a count of Infinity or NaN is named as such (JSON wrote both as null)", () => {
  expect(refusal({ maxSpeakers: Infinity })).toBe("ConfigError: maxSpeakers must be a whole number of at least 1, got Infinity");
  expect(refusal({ numSpeakers: NaN })).toBe("ConfigError: numSpeakers must be a whole number of at least 1, got NaN");
  expect(refusal({ pipeline: "vad-windows", embeddingBatchSize: -Infinity })).toBe("ConfigError: embeddingBatchSize must be a whole number of at least 1, got -Infinity");
});

test("a Diarizer option given to diarize() says where it goes; an unknown one names DiarizeOptions; both reject, with nothing loaded", async () => {
  const diarizer = new Diarizer({ quiet: true });
  try {
    // `.catch` sees them: a promise that rejects, not a throw before it.
    const misplaced = diarizer.diarize("meeting.wav", { numSpeakers: 2 } as never).catch((error: unknown) => error);
    expect(await misplaced).toBeInstanceOf(ConfigError);
    expect(((await misplaced) as Error).message).toBe("numSpeakers is an option of the Diarizer, not of diarize(): new Diarizer({ numSpeakers })");
    await expect(diarizer.diarize("meeting.wav", { minSpeakers: 2, vad: "silero" } as never)).rejects.toThrow(
      "minSpeakers, vad are options of the Diarizer, not of diarize(): new Diarizer({ minSpeakers, vad })",
    );
    await expect(diarizer.voicePrint("clip.wav", { rate: 8000 } as never)).rejects.toThrow("unknown option rate (see DiarizeOptions)");
    await expect(diarizer.diarize("meeting.wav", { context: diarizer.context } as never)).rejects.toThrow("unknown option context (see DiarizeOptions)");
    expect(diarizer.context.closed).toBe(false);
  } finally {
    await diarizer.close();
  }
});
