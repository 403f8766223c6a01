/**
 * @module Voice prints: one known speaker's mean CAM++ embedding, taken as the pipelines take a speaker's
 * centroid, so that it compares with a result's `speakerCentroids`. Saved as a small JSON that names the
 * embedding model, its file's SHA-256 and the pipeline: a print made by another model is refused, not compared,
 * and so is one of the other pipeline (vad-windows embeds after a ReLU, overlap-aware does not: the two spaces
 * differ, BENCHMARKS.md, "Naming known voices").
 */
import { readFileSync } from "node:fs";
import { modelSpec } from "../../models/manifest.ts";
import { ConfigError } from "../errors.ts";
import { writeFileAtomic } from "../output/writers.ts";
import { EMBEDDING_DIM } from "../models/campplus.ts";

/** A speaker's voice, to name them in results (`voices`): made by `diarizer.voicePrint(clip)`, saved as JSON. */
export interface VoicePrint {
  /** the embedding model's id in models/manifest.json */
  model: string;
  /** SHA-256 of the model file: another version of a model embeds into another space */
  modelSha256: string;
  /** the pipeline whose embeddings it averages */
  pipeline: string;
  /** the mean embedding of the speaker's speech (EMBEDDING_DIM floats) */
  vector: Float32Array;
  /** seconds of the speaker's turns the print was taken from */
  speechSec: number;
}

/** What a saved print's `format` field says (and what tells a print's JSON from a result's). */
const FORMAT = "senko-voice-print/1";

/** The model prints are made with: the one every pipeline embeds with. */
function embeddingModel(): { model: string; modelSha256: string } {
  const spec = modelSpec("campplus");
  return { model: spec.id, modelSha256: spec.sha256 };
}

/** A print as `voicePrint` makes it, from a speaker's centroid in a result of `pipeline`. */
export function printOf(pipeline: string, vector: Float32Array, speechSec: number): VoicePrint {
  return { ...embeddingModel(), pipeline, vector: Float32Array.from(vector), speechSec };
}

/**
 * Another speaker in a voice's clip must talk less than this share of the main speaker's time. One half: a clean clip
 * of one reader can come out as two speakers, the second a quarter as long (1 of the 30 LibriSpeech clips of
 * BENCHMARKS.md, "Naming known voices"), and a meeting one voice fills (dev00.wav, 0.22) makes a fair print.
 */
const CLIP_OTHER_SPEAKER_SHARE_MAX = 0.5;

/**
 * The speaker of a voice's clip, from the seconds each speaker heard in it talks: the one heard most. A ConfigError
 * when none is heard, or when another talks half as long or more (a dialogue, a meeting): the print would
 * be of whoever talks most, named as the voice meant, which may be someone else.
 */
export function clipSpeaker(talk: ReadonlyMap<string, number>, clip: string): [speaker: string, speechSec: number] {
  const [main, ...others] = [...talk].sort((a, b) => b[1] - a[1]);
  if (main === undefined) throw new ConfigError(`${clip}: no speech heard, so no voice print: give a clip of the speaker talking`);
  if (others.length > 0 && others[0]![1] >= main[1] * CLIP_OTHER_SPEAKER_SHARE_MAX) {
    const seconds = [main, ...others].map(([, sec]) => sec.toFixed(1)).join(", ");
    throw new ConfigError(
      `${clip}: not a clip of one speaker: ${others.length + 1} speakers heard (${seconds} s of speech), and the print would be of whoever talks most: give a clip of the speaker alone`,
    );
  }
  return main;
}

/** The print as saved: JSON with its vector as a plain array. */
export function voicePrintJson(print: VoicePrint): string {
  const { model, modelSha256, pipeline, speechSec, vector } = print;
  return `${JSON.stringify({ format: FORMAT, model, modelSha256, pipeline, speechSec: +speechSec.toFixed(2), vector: Array.from(vector, (x) => +x.toPrecision(7)) })}\n`;
}

/** Writes `print` to `path` whole or not at all (a ConfigError, and no file, for a print that is not one). */
export function saveVoicePrint(path: string, print: VoicePrint): void {
  checkVoicePrint(print, path);
  writeFileAtomic(path, voicePrintJson(print));
}

/** The print saved at `path`; a ConfigError naming the file when it is not one, or is another model's. */
export function loadVoicePrint(path: string, pipeline?: string): VoicePrint {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    throw new ConfigError(`${path}: cannot read the voice print (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new ConfigError(`${path}: not a voice print (not JSON)`);
  }
  const saved = parsed as Record<string, unknown>;
  if (typeof saved !== "object" || saved === null || saved.format !== FORMAT) throw new ConfigError(`${path}: not a voice print (no "format": "${FORMAT}")`);
  const { model, modelSha256, vector, speechSec } = saved;
  if (!Array.isArray(vector) || !vector.every((x) => typeof x === "number")) throw new ConfigError(`${path}: a voice print's "vector" is an array of numbers`);
  const print = { model: String(model), modelSha256: String(modelSha256), pipeline: String(saved.pipeline), vector: Float32Array.from(vector as number[]), speechSec: Number(speechSec) };
  checkVoicePrint(print, path, pipeline);
  return print;
}

/**
 * A ConfigError when `print` was made by another embedding model than this senko's, or by another pipeline than
 * `pipeline` (when given), or is not a print.
 */
export function checkVoicePrint(print: VoicePrint, name: string, pipeline?: string): void {
  const own = embeddingModel();
  if (print.model !== own.model || print.modelSha256 !== own.modelSha256) {
    throw new ConfigError(
      `${name}: a voice print of model ${print.model} (sha256 ${print.modelSha256.slice(0, 12)}), but this senko embeds with ${own.model} ` +
        `(sha256 ${own.modelSha256.slice(0, 12)}): embeddings of two models do not compare; make the print again from the speaker's audio`,
    );
  }
  if (pipeline !== undefined && print.pipeline !== pipeline) {
    throw new ConfigError(
      `${name}: a voice print of the ${print.pipeline} pipeline, but this Diarizer runs ${pipeline}, whose embeddings are not comparable: make the print with ${pipeline}`,
    );
  }
  if (!(print.vector instanceof Float32Array) || print.vector.length !== EMBEDDING_DIM || !print.vector.every(Number.isFinite)) {
    throw new ConfigError(`${name}: a voice print's vector is ${EMBEDDING_DIM} finite numbers`);
  }
}
