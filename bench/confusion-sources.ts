/**
 * Where the overlap-aware pipeline's confusion comes from, per model frame (16.9 ms), against the reference. The
 * default's stages are run again on a file's cached segmentation and embeddings (constrained clustering, votes,
 * borrowed votes, duration rules), the clusters mapped one-to-one onto the reference voices (Hungarian on frames
 * together, as the DER maps them), and each confused speaker-frame (a reference voice in a frame whose turns
 * give another) put in several breakdowns:
 * - how far the frame lies from the nearest reference boundary (any voice's turn starting or ending);
 * - overlapped reference or one voice; the length of the voice's floor turn (its reference turns joined across
 *   gaps in which no other voice speaks);
 * - the pair of voices (the one speaking, the one given);
 * - the stage that gave the wrong voice: a window's local speaker labelled with it whose embedded frames are
 *   mostly another voice (the per-window assignment), one whose embedded frames are that voice but which is
 *   active here, where another voice speaks (segmentation: the local speaker spills over a change or holds two
 *   voices), a borrowed vote, or a speaker's silence under 0.5 s filled.
 * Beside it: the confusion when every local speaker takes the cluster of the voice its embedded frames are
 * mostly (the assignment made right, the rest as it is), and the exclusive view's. Used by
 * bench/overlap-clustering.ts --confusion (BENCHMARKS.md, "Where the confusion comes from").
 */
import type { Turn } from "../src/eval/index.ts";
import { maxWeightAssignment } from "../src/eval/hungarian.ts";
import { constrainedClustering } from "../src/pipeline/overlap/constrained-clustering.ts";
import type { LocalEmbeddings } from "../src/pipeline/overlap/local-embeddings.ts";
import { FRAME_SPAN_SAMPLES, FRAME_STEP_SAMPLES, FRAMES_PER_WINDOW, LOCAL_SPEAKERS, usedFrames, type LocalSegmentation } from "../src/pipeline/overlap/local-segmentation.ts";
import { DEFAULT_MIN_DURATIONS, windowFrames } from "../src/pipeline/overlap/overlap-diarization.ts";
import * as reconstruction from "../src/pipeline/overlap/reconstruction.ts";
import { SAMPLE_RATE, type TimeSpan } from "../src/types.ts";

const FRAME_SEC = FRAME_STEP_SAMPLES / SAMPLE_RATE;
const centreSec = (t: number) => (t * FRAME_STEP_SAMPLES + FRAME_SPAN_SAMPLES / 2) / SAMPLE_RATE;

const DISTANCE_BINS = [0.125, 0.25, 0.5, 1, 2, Infinity];
const TURN_BINS = [1, 2, 4, 8, Infinity];
const VOTES = ["the right voice had no vote here", "the right voice had fewer votes", "a tie, gone to the lower cluster index", "the right voice had more votes (the count or the duration rules)"] as const;
const SOURCES = ["assignment", "segmentation, local speaker mixes two voices", "segmentation, local speaker of one voice", "borrowed vote", "silence filled"] as const;

/** Seconds of scored reference speaker-time and of confusion in one cell of a breakdown. */
export interface Cell {
  reference: number;
  confusion: number;
}

export interface ConfusionSources {
  /** scored reference speaker-seconds, and the confused ones (merged turns) */
  reference: number;
  confusion: number;
  /** by distance from the nearest reference boundary (DISTANCE_BINS upper edges, seconds) */
  byDistance: Cell[];
  /** one reference voice / two or more */
  byOverlap: [Cell, Cell];
  /** by the length of the voice's floor turn (TURN_BINS upper edges, seconds) */
  byTurn: Cell[];
  /** confused seconds by pair "speaking -> given" */
  byPair: Map<string, number>;
  /** confused seconds by the stage that gave the wrong voice (SOURCES order) */
  bySource: number[];
  /** confused seconds by how the votes of the frame stood between the given cluster and the right voice's (VOTES order) */
  byVote: number[];
  /** of the segmentation ones: the given voice has a reference turn within 1 s (its turn overhangs the change) */
  segmentationNearGiven: number;
  /**
   * frames where a voice has two reference turns at once (the simulator placed its material twice there): reference
   * speaker-seconds counted as the DER counts them (that voice twice), and the confusion the DER finds there, which
   * the breakdowns above (each voice once) leave out
   */
  selfOverlap: Cell;
  /** confused seconds when each local speaker takes its embedded voice's cluster */
  confusionRightAssignment: number;
  /** the exclusive view: scored reference speaker-seconds and confused ones */
  exclusive: Cell;
  /** local speakers with an embedding whose label is not their embedded voice's cluster, and all of them */
  wrongLabels: number;
  labelled: number;
}

/** Per frame and voice (in `names` order): how many turns of that voice cover the frame's centre (the simulator's reference can hold two at once). */
function frameCounts(turns: readonly Turn[], names: readonly string[], frames: number): Uint8Array {
  const mask = new Uint8Array(frames * names.length);
  for (const turn of turns) {
    const k = names.indexOf(turn.speaker);
    for (let t = Math.max(0, Math.floor(turn.start / FRAME_SEC) - 1); t < frames && centreSec(t) < turn.end; t++) {
      if (centreSec(t) >= turn.start) mask[t * names.length + k]!++;
    }
  }
  return mask;
}

/** Per frame: seconds from its centre to the nearest reference boundary. */
function boundaryDistance(reference: readonly Turn[], frames: number): Float32Array {
  const bounds = reference.flatMap((t) => [t.start, t.end]).sort((a, b) => a - b);
  const out = new Float32Array(frames);
  let i = 0;
  for (let t = 0; t < frames; t++) {
    const c = centreSec(t);
    while (i + 1 < bounds.length && bounds[i + 1]! <= c) i++;
    out[t] = Math.min(Math.abs(c - (bounds[i] ?? Infinity)), Math.abs((bounds[i + 1] ?? Infinity) - c));
  }
  return out;
}

/**
 * Per frame and voice: the length (seconds) of the voice's floor turn there, 0 where it is silent. A floor turn runs
 * from a voice's first frame on through its silences as long as no other voice speaks in them.
 */
function floorTurns(reference: Uint8Array, voices: number, frames: number): Float32Array {
  const out = new Float32Array(frames * voices);
  const others = (t: number, v: number) => reference.subarray(t * voices, (t + 1) * voices).some((a, u) => a && u !== v);
  for (let v = 0; v < voices; v++) {
    const close = (from: number, last: number) => {
      for (let u = from; u <= last; u++) if (reference[u * voices + v]) out[u * voices + v] = (last + 1 - from) * FRAME_SEC;
    };
    let [from, last] = [-1, -1];
    for (let t = 0; t < frames; t++) {
      if (reference[t * voices + v]) {
        if (from < 0) from = t;
        last = t;
      } else if (from >= 0 && others(t, v)) {
        close(from, last);
        from = -1;
      }
    }
    if (from >= 0) close(from, last);
  }
  return out;
}

/** Per (window, local speaker): the reference voice of most of its active frames in the window's embedded centre (-1: none), and that share. */
function embeddedVoices(seg: LocalSegmentation, reference: Uint8Array, voices: number, centerFrames: number): { voice: Int32Array; purity: Float32Array } {
  const frames = reconstruction.frameCountOf(seg.sampleCount);
  const voice = new Int32Array(seg.windowCount * LOCAL_SPEAKERS).fill(-1);
  const purity = new Float32Array(seg.windowCount * LOCAL_SPEAKERS);
  const [lo, hi] = [(FRAMES_PER_WINDOW - centerFrames) >> 1, ((FRAMES_PER_WINDOW - centerFrames) >> 1) + centerFrames];
  for (let w = 0; w < seg.windowCount; w++) {
    for (let k = 0; k < LOCAL_SPEAKERS; k++) {
      const counts = new Float64Array(voices);
      let active = 0;
      for (let f = lo; f < hi && w * seg.stepFrames + f < frames; f++) {
        if (!((seg.activity[w * FRAMES_PER_WINDOW + f]! >> k) & 1)) continue;
        active++;
        const t = w * seg.stepFrames + f;
        for (let v = 0; v < voices; v++) counts[v]! += reference[t * voices + v]!;
      }
      const best = counts.reduce((b, c, v) => (c > counts[b]! ? v : b), 0);
      if (active > 0 && counts[best]! > 0) {
        voice[w * LOCAL_SPEAKERS + k] = best;
        purity[w * LOCAL_SPEAKERS + k] = counts[best]! / active;
      }
    }
  }
  return { voice, purity };
}

/** Cluster -> voice, one-to-one, most frames together over the scored frames (-1: none). */
function mapClusters(activity: reconstruction.FrameActivity, reference: Uint8Array, voices: number, scored: Uint8Array): Int32Array {
  const { frameCount, speakers, active } = activity;
  const weights = Array.from({ length: speakers }, () => new Array<number>(voices).fill(0));
  for (let t = 0; t < frameCount; t++) {
    if (!scored[t]) continue;
    for (let s = 0; s < speakers; s++) for (let v = 0; v < voices; v++) weights[s]![v]! += active[t * speakers + s]! & reference[t * voices + v]!;
  }
  return maxWeightAssignment(weights);
}

/** Confused speaker-frames of frame t: pairs (voice speaking, cluster given) not matched by the mapping. */
function confusedAt(activity: reconstruction.FrameActivity, t: number, reference: Uint8Array, voices: number, voiceOf: Int32Array): [number, number][] {
  const { speakers, active } = activity;
  const given = Array.from({ length: speakers }, (_, s) => s).filter((s) => active[t * speakers + s]);
  const speaking = Array.from({ length: voices }, (_, v) => v).filter((v) => reference[t * voices + v]);
  const wrong = given.filter((s) => !speaking.includes(voiceOf[s]!));
  const unmatched = speaking.filter((v) => !given.some((s) => voiceOf[s] === v));
  return wrong.slice(0, unmatched.length).map((s, i) => [unmatched[i]!, s]);
}

const binOf = (edges: readonly number[], x: number) => edges.findIndex((e) => x < e);

/** The breakdowns of one file's confusion (see the module comment). */
export function confusionSources(
  seg: LocalSegmentation,
  emb: LocalEmbeddings,
  reference: readonly Turn[],
  uem: readonly TimeSpan[],
  collar = 0.25,
): ConfusionSources {
  const frames = reconstruction.frameCountOf(seg.sampleCount);
  const names = [...new Set(reference.map((t) => t.speaker))];
  const V = names.length;
  const counts = frameCounts(reference, names, frames);
  const ref = counts.map((n) => Math.min(1, n));
  const distance = boundaryDistance(reference, frames);
  const scored = new Uint8Array(frames);
  for (let t = 0; t < frames; t++) scored[t] = Number(distance[t]! >= collar / 2 && uem.some((u) => centreSec(t) >= u.start && centreSec(t) < u.end));
  const turnSec = floorTurns(ref, V, frames);

  const clustering = constrainedClustering(emb, {}, seg);
  const K = clustering.clusterCount;
  const labels = new Int32Array(seg.windowCount * LOCAL_SPEAKERS).fill(-1);
  for (let i = 0; i < emb.count; i++) labels[emb.window[i]! * LOCAL_SPEAKERS + emb.speaker[i]!] = clustering.labels[i]!;
  const { centerFrames, voteFrames, countFrames } = windowFrames({});
  const options = { centerFrames: voteFrames, countFrames };
  const activities = (localLabels: Int32Array) => {
    const voted = reconstruction.reconstructActivity(seg, localLabels, K, options);
    const borrowed = reconstruction.withBorrowedVotes(voted, {});
    return { voted, borrowed, merged: reconstruction.withMinDurations(borrowed, DEFAULT_MIN_DURATIONS) };
  };
  const { voted, borrowed, merged } = activities(labels);
  const voiceOf = mapClusters(merged, ref, V, scored);
  const clusterOfVoice = new Int32Array(V).fill(-1);
  voiceOf.forEach((v, s) => v >= 0 && (clusterOfVoice[v] = s));
  const embedded = embeddedVoices(seg, ref, V, centerFrames);

  const out: ConfusionSources = {
    reference: 0,
    confusion: 0,
    byDistance: DISTANCE_BINS.map(() => ({ reference: 0, confusion: 0 })),
    byOverlap: [
      { reference: 0, confusion: 0 },
      { reference: 0, confusion: 0 },
    ],
    byTurn: TURN_BINS.map(() => ({ reference: 0, confusion: 0 })),
    byPair: new Map(),
    bySource: SOURCES.map(() => 0),
    byVote: VOTES.map(() => 0),
    segmentationNearGiven: 0,
    confusionRightAssignment: 0,
    exclusive: { reference: 0, confusion: 0 },
    selfOverlap: { reference: 0, confusion: 0 },
    wrongLabels: 0,
    labelled: 0,
  };
  for (let i = 0; i < labels.length; i++) {
    if (labels[i]! < 0 || embedded.voice[i]! < 0) continue;
    out.labelled++;
    if (voiceOf[labels[i]!] !== embedded.voice[i]) out.wrongLabels++;
  }
  // Whether voice v has a reference frame within 1 s of frame t.
  const near = (t: number, v: number) => {
    const reach = Math.round(1 / FRAME_SEC);
    for (let d = 0; d <= reach; d++) if ((t - d >= 0 && ref[(t - d) * V + v]) || (t + d < frames && ref[(t + d) * V + v])) return true;
    return false;
  };
  for (let t = 0; t < frames; t++) {
    if (!scored[t]) continue;
    const nref = ref.subarray(t * V, (t + 1) * V).reduce((a, b) => a + b, 0);
    if (nref === 0) continue;
    if (counts.subarray(t * V, (t + 1) * V).some((n) => n > 1)) {
      const given = new Uint8Array(V);
      for (let s = 0; s < K; s++) if (merged.active[t * K + s] && voiceOf[s]! >= 0) given[voiceOf[s]!]!++;
      const [all, hyp] = [counts.subarray(t * V, (t + 1) * V).reduce((a, b) => a + b, 0), merged.active.subarray(t * K, (t + 1) * K).reduce((a, b) => a + b, 0)];
      out.selfOverlap.reference += all * FRAME_SEC;
      out.selfOverlap.confusion += (Math.min(all, hyp) - given.reduce((a, g, v) => a + Math.min(g, counts[t * V + v]!), 0)) * FRAME_SEC;
    }
    const sec = nref * FRAME_SEC;
    out.reference += sec;
    const cells = [out.byDistance[binOf(DISTANCE_BINS, distance[t]!)]!, out.byOverlap[nref > 1 ? 1 : 0]];
    for (const c of cells) c.reference += sec;
    for (let v = 0; v < V; v++) if (ref[t * V + v]) out.byTurn[binOf(TURN_BINS, turnSec[t * V + v]!)]!.reference += FRAME_SEC;
    for (const [v, s] of confusedAt(merged, t, ref, V, voiceOf)) {
      out.confusion += FRAME_SEC;
      for (const c of cells) c.confusion += FRAME_SEC;
      out.byTurn[binOf(TURN_BINS, turnSec[t * V + v]!)]!.confusion += FRAME_SEC;
      const pair = `${names[v]} -> ${voiceOf[s]! >= 0 ? names[voiceOf[s]!] : "none"}`;
      out.byPair.set(pair, (out.byPair.get(pair) ?? 0) + FRAME_SEC);
      const [given, right] = [voted.scores[t * K + s]!, clusterOfVoice[v]! >= 0 ? voted.scores[t * K + clusterOfVoice[v]!]! : 0];
      out.byVote[right === 0 ? 0 : right < given ? 1 : right === given ? 2 : 3]! += FRAME_SEC;
      const source = sourceOf(t, s);
      out.bySource[source]! += FRAME_SEC;
      if ((source === 1 || source === 2) && voiceOf[s]! >= 0 && near(t, voiceOf[s]!)) out.segmentationNearGiven += FRAME_SEC;
    }
  }

  /** The stage that gave cluster s at frame t (index into SOURCES). */
  function sourceOf(t: number, s: number): number {
    if (!voted.active[t * K + s]) return borrowed.active[t * K + s] ? 3 : 4;
    // The local speakers that voted for s here: any whose embedded frames are another voice makes it the assignment's.
    let mixed = false;
    for (let w = Math.max(0, Math.ceil((t - FRAMES_PER_WINDOW + 1) / seg.stepFrames)); w < seg.windowCount && w * seg.stepFrames <= t; w++) {
      const f = t - w * seg.stepFrames;
      const [lo, hi] = usedFrames(seg, w, voteFrames);
      if (f < lo || f >= hi) continue;
      const mask = seg.activity[w * FRAMES_PER_WINDOW + f]!;
      for (let k = 0; k < LOCAL_SPEAKERS; k++) {
        const i = w * LOCAL_SPEAKERS + k;
        if (!((mask >> k) & 1) || labels[i] !== s) continue;
        if (embedded.voice[i]! >= 0 && embedded.voice[i] !== voiceOf[s]) return 0;
        if (embedded.purity[i]! < 0.8) mixed = true;
      }
    }
    return mixed ? 1 : 2;
  }

  // The assignment made right: each local speaker with an embedded voice takes that voice's cluster.
  const right = labels.map((l, i) => (l >= 0 && embedded.voice[i]! >= 0 && clusterOfVoice[embedded.voice[i]!]! >= 0 ? clusterOfVoice[embedded.voice[i]!]! : l));
  const fixed = activities(right).merged;
  const exclusive = reconstruction.exclusiveActivity(merged, reconstruction.minDurationFrames(DEFAULT_MIN_DURATIONS).minOn);
  const exclusiveVoiceOf = mapClusters(exclusive, ref, V, scored);
  for (let t = 0; t < frames; t++) {
    if (!scored[t]) continue;
    out.confusionRightAssignment += confusedAt(fixed, t, ref, V, voiceOf).length * FRAME_SEC;
    const nref = ref.subarray(t * V, (t + 1) * V).reduce((a, b) => a + b, 0);
    out.exclusive.reference += nref * FRAME_SEC;
    out.exclusive.confusion += confusedAt(exclusive, t, ref, V, exclusiveVoiceOf).length * FRAME_SEC;
  }
  return out;
}

/** One set's breakdowns, summed over its files, as markdown tables (seconds; % of the cell's reference, share of the confusion). */
export function confusionReport(set: string, files: readonly ConfusionSources[]): string {
  const sum = (f: (c: ConfusionSources) => number) => files.reduce((s, c) => s + f(c), 0);
  const [reference, confusion] = [sum((c) => c.reference), sum((c) => c.confusion)];
  const pct = (x: number, of: number) => `${((100 * x) / Math.max(of, 1e-9)).toFixed(2)} %`;
  const cellRows = (labels: readonly string[], pick: (c: ConfusionSources) => Cell[]) =>
    labels.map((label, i) => {
      const [r, x] = [sum((c) => pick(c)[i]!.reference), sum((c) => pick(c)[i]!.confusion)];
      return `| ${label} | ${r.toFixed(1)} | ${x.toFixed(1)} | ${pct(x, r)} | ${pct(x, confusion)} |`;
    });
  const edges = (bins: readonly number[]) => bins.map((e, i) => `${i === 0 ? 0 : bins[i - 1]}-${e === Infinity ? "" : e} s`);
  const pairs = new Map<string, number>();
  for (const c of files) for (const [p, x] of c.byPair) pairs.set(p, (pairs.get(p) ?? 0) + x);
  const lines = [
    `\n### ${set}: confusion ${confusion.toFixed(1)} s of ${reference.toFixed(1)} s scored reference (${pct(confusion, reference)}); ` +
      `with the assignment made right ${pct(sum((c) => c.confusionRightAssignment), reference)}; exclusive view ${pct(sum((c) => c.exclusive.confusion), sum((c) => c.exclusive.reference))}; ` +
      `local speakers labelled with another voice than their embedded frames' ${sum((c) => c.wrongLabels)} of ${sum((c) => c.labelled)}; ` +
      `where a voice overlaps itself in the reference, ${sum((c) => c.selfOverlap.reference).toFixed(1)} s of reference speaker-time (that voice counted twice, as the DER does) and ${sum((c) => c.selfOverlap.confusion).toFixed(1)} s of confusion by the DER's count, not in the tables`,
    "\n| from the nearest reference boundary | reference s | confusion s | % of it | share of the confusion |\n|---|---|---|---|---|",
    ...cellRows(edges(DISTANCE_BINS), (c) => c.byDistance),
    "\n| reference voices | reference s | confusion s | % of it | share |\n|---|---|---|---|---|",
    ...cellRows(["one", "two or more"], (c) => c.byOverlap),
    "\n| the voice's floor turn | reference s | confusion s | % of it | share |\n|---|---|---|---|---|",
    ...cellRows(edges(TURN_BINS), (c) => c.byTurn),
    "\n| the wrong voice came from | confusion s | share |\n|---|---|---|",
    ...SOURCES.map((label, i) => `| ${label} | ${sum((c) => c.bySource[i]!).toFixed(1)} | ${pct(sum((c) => c.bySource[i]!), confusion)} |`),
    `| of the segmentation ones, the given voice speaks within 1 s | ${sum((c) => c.segmentationNearGiven).toFixed(1)} | ${pct(sum((c) => c.segmentationNearGiven), confusion)} |`,
    "\n| the votes of the frame | confusion s | share |\n|---|---|---|",
    ...VOTES.map((label, i) => `| ${label} | ${sum((c) => c.byVote[i]!).toFixed(1)} | ${pct(sum((c) => c.byVote[i]!), confusion)} |`),
    "\n| voice speaking -> voice given | confusion s | share |\n|---|---|---|",
    ...[...pairs].sort((a, b) => b[1] - a[1]).slice(0, 8).map(([p, x]) => `| ${p} | ${x.toFixed(1)} | ${pct(x, confusion)} |`),
  ];
  return lines.join("\n");
}
