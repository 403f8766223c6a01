/**
 * @module Simulated conversations built from the LibriSpeech utterances in ../shared/fixtures/librispeech (one
 * read utterance of 2-35 s per speaker), seeded and reproducible, with an exact reference.
 *
 * - Timeline: speakers take turns of 1-10 s (log-uniform) separated by pauses of 0.1-1.2 s (sometimes 2-4 s);
 *   with probability `overlap` a turn starts 0.2-1.5 s before the previous one ends, and with probability
 *   `interruptions` a turn of 4 s or more gets a 0.3-2 s interjection (a backchannel) by another speaker
 *   inside it (at most 2 s of whole speech stretches of the interjector). A voice never overlaps itself: a
 *   turn waits for its speaker's previous piece to end, and an interjection goes only to a speaker silent then.
 *   Who speaks next is drawn by per-speaker weights from [0.5, 1.5) (never the speaker who just spoke). With
 *   `turnsPerSpeaker` (files with many speakers) every speaker gets exactly that many turns, in a shuffled order.
 *   The defaults (0.1, 0.05) overlap 2-4 % of the speech, 0.3 and 0.3 about 8 % (3-8 % and 13-20 % before
 *   session 25, self-overlap and long interjections included).
 * - Material: a turn is a run of whole speech stretches of the speaker's utterance (cut in pauses, never inside
 *   a word). The first pass walks the utterance in order, unchanged; every later use (each speaker has only
 *   ~15 s of material, so files of minutes reuse it many times) takes a random run of a varied copy: tempo
 *   0.9/0.95/1.05/1.1 (ffmpeg's atempo: speed changes, pitch does not), a room (a synthetic impulse response of
 *   RT60 0.15-0.6 s: direct sound, six early reflections, an exponentially decaying tail), gain +-6 dB and noise
 *   at 15-35 dB SNR. The whole file also carries a faint noise floor (-60 dBFS).
 * - Reference: only speech inside each utterance is marked. An energy detector on the dry (tempo-changed)
 *   material: 25 ms frames every 10 ms are speech when their energy is within 35 dB of the utterance's loudest
 *   frames (99th percentile) and at least 12 dB above its noise floor (10th percentile; that step capped at a
 *   third of the way from floor to peak; bench/speech-marking.ts measures this rule against the 35 dB one
 *   alone); runs are widened by a 0.1 s margin on each side and gaps under 0.3 s are closed.
 *   Pieces are cut in pauses between runs (gaps of 80 ms or more), so they hold whole words.
 *   The reverberant tail of a room is not marked (as a human annotator would not).
 *
 * Audio stays in memory; `bun run bench/simulate.ts` writes <name>.wav and <name>.rttm to a cache directory (never
 * into the repository; --out DIR to choose):
 *   bun run bench/simulate.ts --speakers N (--minutes M | --turns T) [--seed S] [--overlap P] [--interruptions P] [--plain] [--out DIR]
 * Read speech placed on a timeline is easier than a real meeting: report its DER as
 * "simulated", apart from real recordings.
 */
import { existsSync, mkdirSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { findFfmpeg } from "../src/audio/ffmpeg.ts";
import { writeRttm, type Turn } from "../src/eval/index.ts";
import type { TimeSpan } from "../src/types.ts";
import { gaussian, uniform } from "../test/helpers/synthetic-speakers.ts";
import { benchArgs, toNumber } from "./args.ts";
import { LIBRISPEECH_DIR } from "./fixtures.ts";
import { wavFloat } from "../test/helpers/wav.ts";

/**
 * Versioned: v2 is the simulator of session 25 (speech marked above each recording's noise floor, no voice over
 * itself, interjections of at most 2 s). Files written by an earlier simulator are never read as these.
 */
export const SIM_CACHE_DIR = join(process.env.SENKO_SIM_DIR ?? join(homedir(), ".cache", "senko", "simulated"), "v2");
/** The longest interjection (backchannel), seconds. */
export const INTERJECTION_MAX_SEC = 2;
const RATE = 16000;
const FRAME = 400;
const HOP = 160;

export interface SimulationOptions {
  /** Number of speakers (1 to the number of utterances). */
  speakers: number;
  /** Length in minutes (ignored with `turnsPerSpeaker`: the turns decide the length). */
  minutes?: number;
  /** Every speaker gets exactly this many turns (files with many speakers). */
  turnsPerSpeaker?: number;
  seed?: number;
  /** Probability that a turn starts before the previous one ends (default 0.1). */
  overlap?: number;
  /** Probability that a turn of 4 s or more gets a short interjection by another speaker (default 0.05). */
  interruptions?: number;
  /** Reused material is varied in tempo, room, gain and noise (default true; false repeats it unchanged). */
  variation?: boolean;
  /** Where the utterances are (default LIBRISPEECH_DIR). */
  dir?: string;
  /** Also return each speaker's own signal (`SimulatedConversation.tracks`; default false: a file's length each). */
  tracks?: boolean;
}

/** The sets of bench:accuracy:sim (--set): lengths and speaker counts, each drawn with every --seeds. */
export const SIMULATION_SETS: Record<string, Omit<SimulationOptions, "seed">[]> = {
  default: [
    ...[1, 5, 20].flatMap((minutes) => [1, 2, 4, 8].map((speakers) => ({ speakers, minutes }))),
    ...[10, 20, 40].map((speakers) => ({ speakers, turnsPerSpeaker: 3 })),
  ],
  long: [60, 180].flatMap((minutes) => [1, 4, 8].map((speakers) => ({ speakers, minutes }))),
  many: [10, 20, 40].map((speakers) => ({ speakers, turnsPerSpeaker: 3 })),
};

export interface SimulatedConversation {
  /** e.g. "sim-4spk-5min-s1": speakers, length, seed (and the overlap when not the default). */
  name: string;
  samples: Float32Array;
  sampleRate: number;
  durationSec: number;
  /** The speech inside each placed utterance piece, speaker ids "spk<LibriSpeech id>". */
  reference: Turn[];
  speakers: string[];
  /** Seconds of reference speech / seconds of source utterance used, averaged over speakers. */
  reuse: number;
  /** Every placed piece of audio in the order drawn, seconds: a turn, or an interjection inside another's turn. */
  pieces: { speaker: string; start: number; end: number; interjection: boolean }[];
  /** Seconds with two or more reference speakers at once. */
  overlapSec: number;
  /** The scored region: the whole file. */
  uem: TimeSpan[];
  /**
   * With `tracks`: each speaker's own signal as it is in the mix (gain, room and the mix's scaling; without the
   * noise, the noise floor and the other speakers), in `speakers` order: what a VAD hears of that speaker alone.
   */
  tracks?: Float32Array[];
}

/** One speaker's source: the decoded utterance (by tempo) and the speech stretches in it. */
interface Source {
  id: string;
  file: string;
  /** tempo -> samples; 1 is the original */
  tempo: Map<number, Float32Array>;
  /** tempo -> speech stretches [start, end) in samples */
  stretches: Map<number, [number, number][]>;
  /** `${tempo}/${room}` -> the reverberant copy */
  rooms: Map<string, Float32Array>;
  /** next stretch of the first, unvaried pass; -1 once the utterance has been used up */
  cursor: number;
  /** seconds of the original utterance */
  seconds: number;
  speechSec: number;
}

const TEMPOS = [0.9, 0.95, 1.05, 1.1] as const;
const ROOMS = 4;

/** An utterance decoded to 16 kHz mono, its tempo changed by ffmpeg's atempo (1: unchanged). */
export async function decode(file: string, tempo: number): Promise<Float32Array> {
  const ffmpeg = findFfmpeg();
  if (!ffmpeg) throw new Error("simulated conversations need ffmpeg (npm run setup installs it)");
  const filter = tempo === 1 ? [] : ["-af", `atempo=${tempo}`];
  const proc = Bun.spawn([ffmpeg, "-v", "error", "-i", file, ...filter, "-f", "f32le", "-ac", "1", "-ar", String(RATE), "pipe:1"], {
    stdout: "pipe",
    stderr: "pipe",
  });
  const [bytes, err, code] = await Promise.all([new Response(proc.stdout).arrayBuffer(), new Response(proc.stderr).text(), proc.exited]);
  if (code !== 0) throw new Error(`ffmpeg could not decode ${file}: ${err.trim()}`);
  return new Float32Array(bytes);
}

/** Energy in dB of 25 ms frames every 10 ms (the speech detector's frames). */
export function frameEnergiesDb(samples: Float32Array): Float32Array {
  const count = samples.length >= FRAME ? Math.floor((samples.length - FRAME) / HOP) + 1 : 0;
  const energies = new Float32Array(count);
  for (let f = 0; f < count; f++) {
    let e = 0;
    for (let i = f * HOP; i < f * HOP + FRAME; i++) e += samples[i]! * samples[i]!;
    energies[f] = 10 * Math.log10(e / FRAME + 1e-12);
  }
  return energies;
}

/**
 * The level (dB) above which a frame is speech: within 35 dB of the 99th-percentile frame (the peak), and at
 * least 12 dB above the 10th-percentile frame (the recording's noise floor: an utterance has pauses). That step
 * is capped at a third of the way from floor to peak, so a recording whose floor is near its speech (few pauses,
 * or noise as loud as soft speech) keeps its softer speech. On recordings with a quiet floor (most of
 * LibriSpeech) the 35 dB rule decides alone. Chosen against Silero on the clean recordings (BENCHMARKS.md,
 * session 25): of the rules tried, the fewest seconds marked in pauses plus speech left unmarked.
 */
export function speechLevels(energies: Float32Array): { peak: number; floor: number; threshold: number } {
  const sorted = Float32Array.from(energies).sort();
  const at = (q: number) => sorted[Math.floor(q * (sorted.length - 1))]!;
  const peak = at(0.99);
  const floor = at(0.1);
  return { peak, floor, threshold: Math.max(peak - 35, Math.min(floor + 12, floor + (peak - floor) / 3)) };
}

/**
 * Runs of frames at or above `threshold` dB (gaps under 80 ms closed), in samples: a piece is cut between runs,
 * and its reference is `referenceSpeech` of the runs it holds.
 */
export function runsAbove(energies: Float32Array, threshold: number): [number, number][] {
  const runs: [number, number][] = [];
  for (let f = 0; f < energies.length; f++) {
    if (energies[f]! < threshold) continue;
    const start = f * HOP;
    const end = f * HOP + FRAME;
    const last = runs[runs.length - 1];
    if (last && start - last[1] < 0.08 * RATE) last[1] = end;
    else runs.push([start, end]);
  }
  return runs;
}

/** Speech in a clean utterance by frame energy (`speechLevels`), as runs in samples. */
function speechRuns(samples: Float32Array): [number, number][] {
  const energies = frameEnergiesDb(samples);
  if (energies.length === 0) return [];
  return runsAbove(energies, speechLevels(energies).threshold);
}

/** The reference of a piece [from, to): its runs widened by a 0.1 s margin each side, gaps under 0.3 s closed. */
export function referenceSpeech(runs: readonly [number, number][], from: number, to: number): [number, number][] {
  const out: [number, number][] = [];
  for (const [a, b] of runs) {
    const start = Math.max(from, a - 0.1 * RATE);
    const end = Math.min(to, b + 0.1 * RATE);
    if (end <= start) continue;
    const last = out[out.length - 1];
    if (last && start - last[1] < 0.3 * RATE) last[1] = Math.max(last[1], end);
    else out.push([start, end]);
  }
  return out;
}

/** A synthetic room impulse response (sparse taps): direct sound, early reflections, a decaying tail. */
function roomResponse(random: () => number): { delays: Int32Array; gains: Float32Array } {
  const g = gaussian(random);
  const rt60 = 0.15 + 0.45 * random();
  const tail = 0.3 + 0.4 * random();
  const delays = [0];
  const gains = [1];
  for (let i = 0; i < 6; i++) {
    delays.push(Math.round((0.003 + 0.027 * random()) * RATE));
    gains.push((random() < 0.5 ? -1 : 1) * (0.2 + 0.4 * random()));
  }
  // Late reverberation: one tap every 1-3 ms, amplitude falling 60 dB over rt60.
  for (let t = 0.03; t < rt60; t += 0.001 + 0.002 * random()) {
    delays.push(Math.round(t * RATE));
    gains.push(tail * 0.1 * g() * Math.exp((-6.9 * t) / rt60));
  }
  return { delays: Int32Array.from(delays), gains: Float32Array.from(gains) };
}

function convolve(samples: Float32Array, rir: { delays: Int32Array; gains: Float32Array }): Float32Array {
  const out = new Float32Array(samples.length);
  for (let t = 0; t < rir.delays.length; t++) {
    const d = rir.delays[t]!;
    const gain = rir.gains[t]!;
    for (let i = d; i < samples.length; i++) out[i]! += gain * samples[i - d]!;
  }
  return out;
}

/** Utterance files, sorted: those of 120 kB (about 7 s) or more when there are enough of them. */
function utteranceFiles(dir: string, wanted: number): string[] {
  if (!existsSync(dir)) throw new Error(`no LibriSpeech utterances in ${dir} (set SENKO_FIXTURES or SENKO_LIBRISPEECH)`);
  const all = readdirSync(dir).filter((f) => f.endsWith(".flac")).sort();
  const long = all.filter((f) => statSync(join(dir, f)).size >= 120_000);
  const pool = long.length >= wanted ? long : all;
  if (pool.length < wanted) throw new Error(`${wanted} speakers asked, ${dir} holds ${pool.length}`);
  return pool.map((f) => join(dir, f));
}

function shuffled<T>(items: readonly T[], random: () => number): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

/** Placed audio: samples of one source copy from `from` to `to`, at `at` seconds, with gain and noise. */
interface Placement {
  speaker: number;
  at: number;
  samples: Float32Array;
  /** speech stretches relative to the piece start, in samples */
  speech: [number, number][];
  gain: number;
  snrDb: number | null;
  interjection: boolean;
}

class Material {
  readonly sources: Source[];
  readonly #random: () => number;
  readonly #variation: boolean;

  constructor(sources: Source[], random: () => number, variation: boolean) {
    this.sources = sources;
    this.#random = random;
    this.#variation = variation;
  }

  static async load(files: string[], random: () => number, variation: boolean): Promise<Material> {
    const sources = await Promise.all(
      files.map(async (file): Promise<Source> => {
        const samples = await decode(file, 1);
        const stretches = speechRuns(samples);
        const id = `spk${file.split("/").pop()!.split("-")[0]}`;
        return {
          id,
          file,
          tempo: new Map([[1, samples]]),
          stretches: new Map([[1, stretches]]),
          rooms: new Map(),
          cursor: 0,
          seconds: samples.length / RATE,
          speechSec: stretches.reduce((s, [a, b]) => s + b - a, 0) / RATE,
        };
      }),
    );
    return new Material(sources, random, variation);
  }

  /**
   * A piece of about `seconds` of speaker `s`: whole speech stretches, from the first pass or a varied copy; at
   * most `maxSeconds` long when given (null when no stretch of the speaker is that short).
   */
  async piece(s: number, seconds: number, maxSeconds = Infinity): Promise<Omit<Placement, "at" | "speaker" | "interjection"> | null> {
    const src = this.sources[s]!;
    const random = this.#random;
    const fits = (list: readonly [number, number][], first: number, last: number, length: number) => {
      const [from, to] = cutPoints(list, first, last, length);
      return to - from <= maxSeconds * RATE;
    };
    const fresh = src.cursor >= 0 && fits(src.stretches.get(1)!, src.cursor, src.cursor, src.tempo.get(1)!.length);
    const tempo = fresh || !this.#variation ? 1 : TEMPOS[Math.floor(random() * TEMPOS.length)]!;
    if (!src.tempo.has(tempo)) {
      const samples = await decode(src.file, tempo);
      src.tempo.set(tempo, samples);
      src.stretches.set(tempo, speechRuns(samples));
    }
    const dry = src.tempo.get(tempo)!;
    const stretches = src.stretches.get(tempo)!;
    if (stretches.length === 0) throw new Error(`no speech found in ${src.file}`);
    let first: number;
    if (fresh) {
      first = src.cursor;
    } else {
      const short = stretches.flatMap((_, i) => (fits(stretches, i, i, dry.length) ? [i] : []));
      if (short.length === 0) return null;
      first = short[Math.floor(random() * short.length)]!;
    }
    let last = first;
    while (
      last + 1 < stretches.length &&
      (stretches[last]![1] - stretches[first]![0]) / RATE < seconds &&
      fits(stretches, first, last + 1, dry.length)
    ) {
      last++;
    }
    if (fresh) src.cursor = last + 1 < stretches.length ? last + 1 : -1;
    const [from, to] = cutPoints(stretches, first, last, dry.length);
    let audio = dry;
    let snrDb: number | null = null;
    let gain = 1;
    if (!fresh && this.#variation) {
      const room = Math.floor(random() * ROOMS);
      if (room > 0) {
        const key = `${tempo}/${room}`;
        let wet = src.rooms.get(key);
        if (!wet) {
          // The same room for a speaker whatever the tempo: seeded by speaker and room only.
          wet = convolve(dry, roomResponse(uniform(hashString(`${src.id}/${room}`))));
          src.rooms.set(key, wet);
        }
        audio = wet;
      }
      gain = 10 ** ((12 * random() - 6) / 20);
      snrDb = 15 + 20 * random();
    }
    const speech = referenceSpeech(stretches.slice(first, last + 1), from, to).map(([a, b]): [number, number] => [a - from, b - from]);
    return { samples: audio.subarray(from, to), speech, gain, snrDb };
  }
}

/** Where a piece of stretches first..last is cut: halfway into the pauses around it, at most 0.15 s from the speech. */
function cutPoints(stretches: readonly [number, number][], first: number, last: number, length: number): [number, number] {
  const before = first > 0 ? stretches[first - 1]![1] : 0;
  const after = last + 1 < stretches.length ? stretches[last + 1]![0] : length;
  const from = Math.max(Math.round((before + stretches[first]![0]) / 2), stretches[first]![0] - 0.15 * RATE);
  const to = Math.min(Math.round((stretches[last]![1] + after) / 2), stretches[last]![1] + 0.15 * RATE);
  return [from, to];
}

function hashString(text: string): number {
  let h = 2166136261;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619);
  return h >>> 0;
}

/** The name a conversation gets from its options. */
export function simulationName(o: SimulationOptions): string {
  const length = o.turnsPerSpeaker !== undefined ? `${o.turnsPerSpeaker}turns` : `${o.minutes}min`;
  const overlap = o.overlap !== undefined && o.overlap !== 0.1 ? `-ov${o.overlap}` : "";
  const plain = o.variation === false ? "-plain" : "";
  return `sim-${o.speakers}spk-${length}-s${o.seed ?? 1}${overlap}${plain}`;
}

/** A file the options ask for cannot be drawn (more speakers than its minutes give turns to). */
export class NotDrawable extends Error {}

/**
 * Builds one simulated conversation (see the module comment). The same options give the same samples. Every
 * speaker asked for is heard: when the weighted draw leaves one without a turn (many speakers in a short file),
 * the conversation is drawn again with the next turn going to a speaker not heard yet while there is one.
 * Only then, so that every other file stays the one its figures were measured on.
 */
export async function simulateConversation(options: SimulationOptions): Promise<SimulatedConversation> {
  const given = Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined));
  const o = { seed: 1, overlap: 0.1, interruptions: 0.05, variation: true, dir: LIBRISPEECH_DIR, ...given } as Required<SimulationOptions>;
  if (!(Number.isInteger(o.speakers) && o.speakers >= 1)) throw new Error(`speakers must be a whole number >= 1, got ${o.speakers}`);
  if (o.turnsPerSpeaker === undefined && !(o.minutes !== undefined && o.minutes > 0)) throw new Error("give minutes or turnsPerSpeaker");
  const heardBy = (c: SimulatedConversation) => new Set(c.reference.map((t) => t.speaker)).size;
  const drawn = await conversation(o, false);
  if (heardBy(drawn) === o.speakers) return drawn;
  const everyone = await conversation(o, true);
  if (heardBy(everyone) < o.speakers) throw new NotDrawable(`${o.speakers} speakers do not all get a turn in ${o.minutes} min`);
  return everyone;
}

async function conversation(o: Required<SimulationOptions>, unheardFirst: boolean): Promise<SimulatedConversation> {
  const random = uniform(hashString(simulationName(o)));
  const files = shuffled(utteranceFiles(o.dir, o.speakers), random).slice(0, o.speakers);
  const material = await Material.load(files, random, o.variation);
  const weights = files.map(() => 0.5 + random());
  const targetSec = o.turnsPerSpeaker !== undefined ? Infinity : o.minutes! * 60;

  // Who speaks in which turn.
  let order: number[] | null = null;
  if (o.turnsPerSpeaker !== undefined) {
    const turns = files.flatMap((_, s) => Array<number>(o.turnsPerSpeaker!).fill(s));
    order = shuffled(turns, random);
    // No speaker twice in a row where a swap with a later turn can avoid it.
    for (let i = 1; i < order.length; i++) {
      if (order[i] !== order[i - 1]) continue;
      const j = order.findIndex((s, k) => k > i && s !== order![i - 1]);
      if (j > 0) [order[i], order[j]] = [order[j]!, order[i]!];
    }
  }
  const spoken = new Set<number>();
  const nextSpeaker = (previous: number): number => {
    if (o.speakers === 1) return 0;
    const waiting = unheardFirst && spoken.size < o.speakers;
    const candidate = (s: number) => s !== previous && !(waiting && spoken.has(s));
    let total = 0;
    for (let s = 0; s < o.speakers; s++) if (candidate(s)) total += weights[s]!;
    let pick = random() * total;
    for (let s = 0; s < o.speakers; s++) {
      if (!candidate(s)) continue;
      pick -= weights[s]!;
      if (pick < 0) return s;
    }
    return previous === 0 ? 1 : 0;
  };

  const placements: Placement[] = [];
  // When each speaker's last piece ends (seconds): a voice never overlaps itself.
  const busyUntil = files.map(() => 0);
  const place = (placement: Placement) => {
    placements.push(placement);
    busyUntil[placement.speaker] = placement.at + placement.samples.length / RATE;
    spoken.add(placement.speaker);
  };
  let now = 0.5 + random();
  let previous = -1;
  for (let turn = 0; order ? turn < order.length : now < targetSec; turn++) {
    const speaker = order ? order[turn]! : nextSpeaker(previous);
    const length = Math.exp(Math.log(1) + random() * (Math.log(10) - Math.log(1)));
    const piece = (await material.piece(speaker, length))!;
    const seconds = piece.samples.length / RATE;
    now = Math.max(now, busyUntil[speaker]!);
    place({ speaker, at: now, interjection: false, ...piece });
    if (o.speakers > 1 && seconds >= 4 && random() < o.interruptions) {
      const other = nextSpeaker(speaker);
      const at = now + (0.3 + 0.4 * random()) * seconds;
      const short = busyUntil[other]! <= at ? await material.piece(other, 0.3 + 1.7 * random(), INTERJECTION_MAX_SEC) : null;
      if (short) place({ speaker: other, at, interjection: true, ...short });
    }
    const end = now + seconds;
    if (o.speakers > 1 && random() < o.overlap) {
      now = Math.max(now + 0.3 * seconds, end - (0.2 + 1.3 * random()));
    } else {
      now = end + (random() < 0.1 ? 2 + 2 * random() : 0.1 + 1.1 * random());
    }
    previous = speaker;
  }
  const durationSec = Number.isFinite(targetSec) ? targetSec : Math.max(...placements.map((p) => p.at + p.samples.length / RATE)) + 0.5;
  const { samples, scale } = mix(placements, durationSec, random);

  const reference: Turn[] = [];
  for (const p of placements) {
    for (const [a, b] of p.speech) {
      const start = p.at + a / RATE;
      const end = Math.min(p.at + b / RATE, durationSec);
      if (end > start) reference.push({ start, end, speaker: material.sources[p.speaker]!.id });
    }
  }
  reference.sort((x, y) => x.start - y.start || x.end - y.end);
  const reuse = material.sources.reduce((sum, src) => {
    const spoken = reference.filter((t) => t.speaker === src.id).reduce((s, t) => s + t.end - t.start, 0);
    return sum + spoken / src.speechSec;
  }, 0) / material.sources.length;
  return {
    name: simulationName(o),
    samples,
    sampleRate: RATE,
    durationSec,
    reference,
    speakers: material.sources.map((s) => s.id),
    reuse,
    pieces: placements.map((p) => ({
      speaker: material.sources[p.speaker]!.id,
      start: p.at,
      end: p.at + p.samples.length / RATE,
      interjection: p.interjection,
    })),
    overlapSec: overlapSeconds(reference),
    uem: [{ start: 0, end: durationSec }],
    tracks: o.tracks ? material.sources.map((_, s) => speakerTrack(placements, s, samples.length, scale)) : undefined,
  };
}

/** The placements of speaker `s` alone, with their gain, scaled as the mix was. */
function speakerTrack(placements: readonly Placement[], s: number, length: number, scale: number): Float32Array {
  const out = new Float32Array(length);
  for (const p of placements) {
    if (p.speaker !== s) continue;
    const at = Math.round(p.at * RATE);
    for (let i = 0; i < Math.min(p.samples.length, length - at); i++) out[at + i]! += scale * p.gain * p.samples[i]!;
  }
  return out;
}

/** Adds the placements (with gain and noise) over a -60 dBFS noise floor; scales down (by `scale`) if it would clip. */
function mix(placements: Placement[], durationSec: number, random: () => number): { samples: Float32Array; scale: number } {
  const out = new Float32Array(Math.round(durationSec * RATE));
  const g = gaussian(random);
  for (let i = 0; i < out.length; i++) out[i] = 0.001 * g();
  for (const p of placements) {
    const at = Math.round(p.at * RATE);
    const n = Math.min(p.samples.length, out.length - at);
    if (n <= 0) continue;
    let noise = 0;
    if (p.snrDb !== null) {
      let power = 0;
      for (let i = 0; i < n; i++) power += p.samples[i]! * p.samples[i]!;
      noise = p.gain * Math.sqrt(power / n) * 10 ** (-p.snrDb / 20);
    }
    for (let i = 0; i < n; i++) out[at + i]! += p.gain * p.samples[i]! + (noise > 0 ? noise * g() : 0);
  }
  let peak = 0;
  for (const x of out) peak = Math.max(peak, Math.abs(x));
  const scale = peak > 0.99 ? 0.99 / peak : 1;
  if (scale < 1) for (let i = 0; i < out.length; i++) out[i]! *= scale;
  return { samples: out, scale };
}

/** Seconds during which two or more of the turns are active. */
function overlapSeconds(turns: readonly Turn[]): number {
  const events = turns.flatMap((t) => [
    [t.start, 1],
    [t.end, -1],
  ]) as [number, number][];
  events.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let active = 0;
  let since = 0;
  let total = 0;
  for (const [time, delta] of events) {
    if (active >= 2) total += time - since;
    active += delta;
    since = time;
  }
  return total;
}

/** Writes `<name>.wav` and `<name>.rttm` into `dir` (created); returns the two paths. */
export function writeConversation(c: SimulatedConversation, dir: string = SIM_CACHE_DIR): { wav: string; rttm: string } {
  mkdirSync(dir, { recursive: true });
  const wav = join(dir, `${c.name}.wav`);
  const rttm = join(dir, `${c.name}.rttm`);
  writeFileSync(wav, wavFloat(c.samples));
  writeFileSync(rttm, writeRttm(c.name, c.reference));
  return { wav, rttm };
}

if (import.meta.main) {
  const { values } = benchArgs(
    import.meta.path,
    {
      speakers: { type: "string", default: "2" },
      minutes: { type: "string" },
      turns: { type: "string" },
      seed: { type: "string" },
      overlap: { type: "string" },
      interruptions: { type: "string" },
      plain: { type: "boolean", default: false },
      out: { type: "string", default: SIM_CACHE_DIR },
    },
    { helpIfNone: true },
  );
  const num = (name: "minutes" | "turns" | "seed" | "overlap" | "interruptions") =>
    values[name] === undefined ? undefined : toNumber(values[name], `--${name}`);
  const c = await simulateConversation({
    speakers: toNumber(values.speakers, "--speakers"),
    minutes: num("minutes"),
    turnsPerSpeaker: num("turns"),
    seed: num("seed"),
    overlap: num("overlap"),
    interruptions: num("interruptions"),
    variation: !values.plain,
  });
  const paths = writeConversation(c, values.out);
  const speech = c.reference.reduce((s, t) => s + t.end - t.start, 0);
  console.log(
    `${c.name}: ${c.durationSec.toFixed(1)} s, ${c.speakers.length} speakers, ${speech.toFixed(1)} s of reference speech ` +
      `(${c.overlapSec.toFixed(1)} s overlapped), material reused ${c.reuse.toFixed(1)}x\n${paths.wav}\n${paths.rttm}`,
  );
}
