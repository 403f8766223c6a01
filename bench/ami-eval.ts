/**
 * @module The AMI fixtures as an accuracy set: their reference turns and UEM, and a diarizer's
 * hypotheses for every file, scored with src/eval. Shared by bench/accuracy.ts and the end-to-end test.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { basename, join } from "node:path";
import type { DiarizationResult, Diarizer } from "../src/diarizer.ts";
import { readRttm, readUem, scoreFiles, type DerReport, type Turn } from "../src/eval/index.ts";
import type { TimeSpan } from "../src/types.ts";
import { AMI_DIR } from "./fixtures.ts";

export interface AmiSet {
  files: string[];
  reference: Map<string, Turn[]>;
  uem: Map<string, TimeSpan[]>;
}

/** The fixtures in `dir`, their reference turns and scored regions; an empty set where they are missing (tests skip on that). */
export function loadAmi(dir: string = AMI_DIR): AmiSet {
  if (!existsSync(dir)) return { files: [], reference: new Map(), uem: new Map() };
  const names = readdirSync(dir);
  const reference = new Map<string, Turn[]>();
  const uem = new Map<string, TimeSpan[]>();
  for (const f of names.filter((n) => n.endsWith(".rttm")).sort()) {
    for (const [uri, turns] of readRttm(readFileSync(join(dir, f), "utf8"), f)) reference.set(uri, turns);
  }
  for (const f of names.filter((n) => n.endsWith(".uem")).sort()) {
    for (const [uri, spans] of readUem(readFileSync(join(dir, f), "utf8"), f)) uem.set(uri, spans);
  }
  const files = names.filter((n) => n.endsWith(".wav")).sort().map((n) => join(dir, n));
  return { files, reference, uem };
}

export const uriOf = (file: string) => basename(file).replace(/\.wav$/, "");

export interface AmiRun {
  results: Map<string, DiarizationResult>;
  hypotheses: Map<string, Turn[]>;
}

/** Diarizes every fixture; hypotheses are the merged segments, as a user gets them. */
export async function diarizeAmi(diarizer: Diarizer, set: AmiSet = loadAmi()): Promise<AmiRun> {
  const results = new Map<string, DiarizationResult>();
  const hypotheses = new Map<string, Turn[]>();
  for (const file of set.files) {
    const result = await diarizer.diarize(file);
    results.set(uriOf(file), result);
    hypotheses.set(uriOf(file), result.mergedSegments.map((s) => ({ start: s.start, end: s.end, speaker: s.speaker })));
  }
  return { results, hypotheses };
}

export function scoreAmi(run: AmiRun, collar: number, set: AmiSet = loadAmi()): DerReport {
  return scoreHypotheses(run.hypotheses, collar, set);
}

/** Scores any system's turns (a peer's too); a fixture it gave nothing for is scored as all missed. */
export function scoreHypotheses(hypotheses: Map<string, Turn[]>, collar: number, set: AmiSet = loadAmi()): DerReport {
  const complete = new Map([...set.reference.keys()].map((uri) => [uri, hypotheses.get(uri) ?? []]));
  return scoreFiles(set.reference, complete, { collar, uem: set.uem });
}
