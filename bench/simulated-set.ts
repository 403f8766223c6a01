/**
 * @module The simulated-conversation accuracy set of bench:accuracy: eight conversations of 2-8 speakers and
 * 3-15 minutes built by bench/simulate.ts (seeded, exact reference; two with more overlap and backchannels),
 * 69 minutes in all. Read speech placed on a timeline: its figures are reported apart from the AMI fixtures
 * and never as a figure for real conversations.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import type { Turn } from "../src/eval/index.ts";
import type { TimeSpan } from "../src/types.ts";
import { SIM_CACHE_DIR, simulateConversation, simulationName, writeConversation, type SimulationOptions } from "./simulate.ts";

export const SIMULATED_SET: readonly SimulationOptions[] = [
  { speakers: 2, minutes: 3, seed: 1 },
  { speakers: 3, minutes: 5, seed: 2 },
  { speakers: 4, minutes: 8, seed: 3 },
  { speakers: 5, minutes: 10, seed: 4 },
  { speakers: 6, minutes: 12, seed: 5 },
  { speakers: 8, minutes: 15, seed: 6 },
  { speakers: 2, minutes: 10, seed: 7, overlap: 0.3, interruptions: 0.3 },
  { speakers: 4, minutes: 6, seed: 8, overlap: 0.3, interruptions: 0.3 },
];

export interface SimulatedFile {
  name: string;
  /** a 16 kHz float WAV of it (peers read files) */
  wav: string;
  reference: Turn[];
  uem: TimeSpan[];
  overlapSec: number;
  durationSec: number;
}

/** Builds every conversation of the set (the same bytes each time) and writes it as WAV into `dir`. */
export async function buildSimulatedSet(dir: string = join(SIM_CACHE_DIR, "accuracy-set")): Promise<SimulatedFile[]> {
  const files: SimulatedFile[] = [];
  for (const options of SIMULATED_SET) {
    const c = await simulateConversation(options);
    const { wav } = writeConversation(c, dir);
    if (!existsSync(wav) || c.name !== simulationName(options)) throw new Error(`simulated conversation ${c.name} was not written`);
    files.push({ name: c.name, wav, reference: c.reference, uem: c.uem, overlapSec: c.overlapSec, durationSec: c.durationSec });
  }
  return files;
}
