/**
 * @module Which local speakers of nearby windows are one stretch of speech, and the clusters that are a voice's
 * fragments by that evidence rather than by distance.
 *
 * Windows overlap (10 s windows every 3 s), so a voice that talks across a window boundary is a local speaker
 * of each window, active on the same frames where the two windows overlap: the second "continues" the first.
 * A cluster most of whose members continue members of one other cluster, and hardly ever one of its own, is
 * that voice heard where segmentation or the embedding saw it differently (at a window's edge, in overlap, in
 * another room): not a second voice, whose turns continue its own windows or no one's (BENCHMARKS.md, "Split
 * voices: continuity across windows"). Only members in windows with another local speaker count: alone in its
 * window, a member that continues another cluster is segmentation keeping one local speaker across two voices'
 * turns (BENCHMARKS.md, "Split voices of two members").
 */
import { FRAMES_PER_WINDOW, type LocalSegmentation } from "./local-segmentation.ts";

/** Frames where the two windows overlap that must be active in both, over those active in either. */
const MIN_CONTINUITY_IOU = 0.5;
/** Frames (0.5 s) each local speaker must be active where the windows overlap: less is too little to match. */
const MIN_CONTINUITY_FRAMES = 30;
/** Windows ahead looked at: with the default 2.99 s step, the next two overlap by 7 and 4 s. */
const CONTINUITY_WINDOWS = 2;

/**
 * Members of a cluster that must continue another before it counts as that one's fragments: one in a window with
 * another local speaker (a voice's single stray window next to its own cluster, the simulated count misses of
 * session 25; BENCHMARKS.md, "Simulated figures with the corrected simulator"), three when every member counts
 * (`continuedInCompany: false`).
 */
const MIN_CONTINUED_IN_COMPANY = 1;
const MIN_CONTINUED_MEMBERS = 3;

/** What the fold reads: each row's links (continuityLinks) and whether its window holds another local speaker. */
export interface Continuity {
  links: readonly (readonly number[])[];
  inCompany: readonly boolean[];
}

/** Continuity evidence of `rows` (indices into `window` / `speaker`, ascending by window). */
export function continuity(
  segmentation: Pick<LocalSegmentation, "activity" | "stepFrames" | "windowCount">,
  window: Uint32Array,
  speaker: Uint8Array,
  rows: readonly number[],
): Continuity {
  const links = continuityLinks(segmentation, window, speaker, rows);
  const inCompany = rows.map((i) => {
    const others = ~(1 << speaker[i]!);
    const from = window[i]! * FRAMES_PER_WINDOW;
    for (let f = from; f < from + FRAMES_PER_WINDOW; f++) if (segmentation.activity[f]! & others) return true;
    return false;
  });
  return { links, inCompany };
}

/**
 * For each of `rows` (indices into `window` / `speaker`, ascending by window), the positions in `rows` of the
 * rows that continue it or that it continues: local speakers of the next windows active on the same frames.
 */
export function continuityLinks(
  segmentation: Pick<LocalSegmentation, "activity" | "stepFrames" | "windowCount">,
  window: Uint32Array,
  speaker: Uint8Array,
  rows: readonly number[],
): number[][] {
  const { activity, stepFrames } = segmentation;
  if (activity.length !== segmentation.windowCount * FRAMES_PER_WINDOW) throw new Error("continuityLinks: activity does not match the window count");
  const byWindow = new Map<number, number[]>();
  rows.forEach((i, r) => {
    if (r > 0 && window[i]! < window[rows[r - 1]!]!) throw new Error("continuityLinks: rows must be in window order");
    const inWindow = byWindow.get(window[i]!);
    if (inWindow) inWindow.push(r);
    else byWindow.set(window[i]!, [r]);
  });
  const links = rows.map((): number[] => []);
  rows.forEach((i, r) => {
    const [w, k] = [window[i]!, speaker[i]!];
    for (let ahead = 1; ahead <= CONTINUITY_WINDOWS && ahead * stepFrames < FRAMES_PER_WINDOW; ahead++) {
      const shift = ahead * stepFrames;
      for (const q of byWindow.get(w + ahead) ?? []) {
        const k2 = speaker[rows[q]!]!;
        let [both, either, first, second] = [0, 0, 0, 0];
        for (let f = shift; f < FRAMES_PER_WINDOW; f++) {
          const p = (activity[w * FRAMES_PER_WINDOW + f]! >> k) & 1;
          const s = (activity[(w + ahead) * FRAMES_PER_WINDOW + f - shift]! >> k2) & 1;
          [both, either, first, second] = [both + (p & s), either + (p | s), first + p, second + s];
        }
        if (first >= MIN_CONTINUITY_FRAMES && second >= MIN_CONTINUITY_FRAMES && both >= MIN_CONTINUITY_IOU * either) {
          links[r]!.push(q);
          links[q]!.push(r);
        }
      }
    }
  });
  return links;
}

export interface ContinuityFoldOptions {
  /** share of a cluster's members that must continue members of one larger cluster (default 0.5; above 1: never) */
  continuedShare?: number;
  /** ... while at most this share continue members of its own cluster (default 1/3) */
  continuedOwnShare?: number;
  /**
   * only members whose window holds another local speaker count as continuing another cluster, and one suffices
   * (default true): a voice's part splits off where other voices changed how its windows were heard, while a member
   * alone in its window that continues another cluster is segmentation keeping one local speaker across two voices'
   * turns (AMI dev01). false: every member counts and three are needed.
   */
  continuedInCompany?: boolean;
}

/**
 * `groups` (rows of each cluster) with every cluster that is another's fragments by `evidence` folded into it,
 * the most continued first, one at a time (a fold changes what the merged cluster's members continue).
 * Only a cluster no larger than the one it folds into, and only into one whose centroid is nearer than
 * `maxDistance` (cosine; `distance(a, b)` of two groups).
 */
export function foldContinued(
  groups: readonly number[][],
  evidence: Continuity,
  distance: (a: readonly number[], b: readonly number[]) => number,
  maxDistance: number,
  options: ContinuityFoldOptions = {},
): number[][] {
  const { continuedShare = 0.5, continuedOwnShare = 1 / 3, continuedInCompany = true } = options;
  const { links, inCompany } = evidence;
  const [counts, floor] = continuedInCompany ? [(r: number) => inCompany[r]!, MIN_CONTINUED_IN_COMPANY] : [() => true, MIN_CONTINUED_MEMBERS];
  let out = groups.map((g) => [...g]);
  if (continuedShare > 1) return out;
  for (;;) {
    const clusterOf = new Map<number, number>();
    out.forEach((g, k) => g.forEach((r) => clusterOf.set(r, k)));
    let best: { from: number; into: number; share: number } | undefined;
    out.forEach((g, from) => {
      const own = g.filter((r) => links[r]!.some((q) => clusterOf.get(q) === from)).length;
      if (own > continuedOwnShare * g.length) return;
      out.forEach((h, into) => {
        if (into === from || h.length < g.length) return;
        const continued = g.filter((r) => counts(r) && links[r]!.some((q) => clusterOf.get(q) === into)).length;
        const share = continued / g.length;
        if (continued < floor || share < continuedShare || (best && share <= best.share)) return;
        if (distance(g, h) < maxDistance) best = { from, into, share };
      });
    });
    if (!best) return out;
    const { from, into } = best;
    out[into]!.push(...out[from]!);
    out = out.filter((_, k) => k !== from);
  }
}
