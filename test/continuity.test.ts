/**
 * Continuity across overlapping windows (src/pipeline/overlap/continuity.ts) on synthetic segmentation: which local
 * speakers continue one another, and the fold of a cluster that is another's fragments by that evidence.
 */
import { describe, expect, test } from "bun:test";
import { constrainedClustering, type ConstrainedClusteringOptions } from "../src/pipeline/overlap/constrained-clustering.ts";
import { continuity, continuityLinks, foldContinued } from "../src/pipeline/overlap/continuity.ts";
import type { LocalEmbeddings } from "../src/pipeline/overlap/local-embeddings.ts";
import { FRAMES_PER_WINDOW } from "../src/pipeline/overlap/local-segmentation.ts";
import { splitVoicePoints } from "./helpers/synthetic-speakers.ts";

const STEP = 177;

/** Segmentation of `windows` windows every STEP frames with local speaker k of window w active on frames [from, to). */
function segmentation(windows: number, spans: readonly { w: number; k: number; from: number; to: number }[]) {
  const activity = new Uint8Array(windows * FRAMES_PER_WINDOW);
  for (const { w, k, from, to } of spans) for (let f = from; f < to; f++) activity[w * FRAMES_PER_WINDOW + f]! |= 1 << k;
  return { windowCount: windows, stepFrames: STEP, activity, sampleCount: 0 };
}

describe("continuity links", () => {
  test("a local speaker active on the same frames where two windows overlap continues one active elsewhere does not", () => {
    // Window 0, speaker 0 talks over global frames 300-560; window 1 sees that at 123-383 as its speaker 1, while its
    // speaker 0 talks over 400-589 (global 577-766), after the first stopped. Window 2 (global 354-943) hears the
    // second voice again as its speaker 2 (frames 223-412), and a 20-frame blip as speaker 0: too short to match.
    const seg = segmentation(3, [
      { w: 0, k: 0, from: 300, to: 560 },
      { w: 1, k: 1, from: 123, to: 383 },
      { w: 1, k: 0, from: 400, to: 589 },
      { w: 2, k: 2, from: 223, to: 412 },
      { w: 2, k: 0, from: 300, to: 320 },
    ]);
    const window = Uint32Array.of(0, 1, 1, 2, 2);
    const speaker = Uint8Array.of(0, 0, 1, 0, 2);
    const links = continuityLinks(seg, window, speaker, [0, 1, 2, 3, 4]).map((l) => [...l].sort());
    // Row 0 (w0 k0) -> row 2 (w1 k1); row 1 (w1 k0) -> row 4 (w2 k2); the blip (row 3) links to nothing.
    expect(links).toEqual([[2], [4], [0], [], [1]]);
    // Rows are positions in the list given: only the rows asked about are linked.
    expect(continuityLinks(seg, window, speaker, [0, 1]).map((l) => [...l])).toEqual([[], []]);
    expect(() => continuityLinks(seg, window, speaker, [2, 0])).toThrow("window order");
    // Window 0 holds one local speaker; windows 1 and 2 two each.
    expect(continuity(seg, window, speaker, [0, 1, 2, 3, 4]).inCompany).toEqual([false, true, true, true, true]);
  });

  test("two windows ahead still overlap and are looked at; three are not", () => {
    // Window 0's frames 400-589 are window 2's 46-235 and window 3's 0-58.
    const seg = segmentation(4, [
      { w: 0, k: 0, from: 400, to: 589 },
      { w: 2, k: 0, from: 46, to: 235 },
      { w: 3, k: 1, from: 0, to: 58 },
    ]);
    expect(continuityLinks(seg, Uint32Array.of(0, 2), new Uint8Array(2), [0, 1])).toEqual([[1], [0]]);
    expect(continuityLinks(seg, Uint32Array.of(0, 3), Uint8Array.of(0, 1), [0, 1])).toEqual([[], []]);
  });
});

describe("fold of continued clusters", () => {
  // Rows 0-9 one cluster, 10-13 another; row 10 + j continues row j unless said otherwise.
  const groups = [Array.from({ length: 10 }, (_, i) => i), [10, 11, 12, 13]];
  /** Links of these pairs; every row's window holds another local speaker unless `alone`. */
  const linked = (pairs: [number, number][], alone = false) => {
    const links: number[][] = Array.from({ length: 14 }, () => []);
    for (const [a, b] of pairs) links[a]!.push(b), links[b]!.push(a);
    return { links, inCompany: links.map(() => !alone) };
  };
  const rows = (links: number[][]) => ({ links, inCompany: links.map(() => true) });
  const near = () => 0.3;

  test("a cluster most of whose members continue a larger one's, and not their own, folds into it", () => {
    const links = linked([[10, 0], [11, 1], [12, 2]]);
    expect(foldContinued(groups, links, near, 0.7)).toEqual([[...groups[0]!, 10, 11, 12, 13]]);
    // Two of four continued in windows with another local speaker are enough; alone in their windows, or with every
    // member counted (continuedInCompany: false, which needs three), they are not.
    expect(foldContinued(groups, linked([[10, 0], [11, 1]]), near, 0.7)).toHaveLength(1);
    expect(foldContinued(groups, linked([[10, 0], [11, 1]], true), near, 0.7)).toEqual(groups);
    expect(foldContinued(groups, linked([[10, 0], [11, 1]]), near, 0.7, { continuedInCompany: false })).toEqual(groups);
    expect(foldContinued(groups, links, near, 0.7, { continuedInCompany: false })).toHaveLength(1);
    // Only one continued, or the members continuing their own too, or too far apart: two clusters.
    expect(foldContinued(groups, linked([[10, 0]]), near, 0.7)).toEqual(groups);
    expect(foldContinued(groups, linked([[10, 0], [11, 1], [12, 2], [10, 11], [12, 13]]), near, 0.7)).toEqual(groups);
    expect(foldContinued(groups, links, () => 0.75, 0.7)).toEqual(groups);
    // The shares are options; above 1, the fold is off.
    expect(foldContinued(groups, links, near, 0.7, { continuedShare: 0.8 })).toEqual(groups);
    // Two of four continuing their own (10 and 11): too many by default, not with a share of 0.5 allowed.
    const ownToo = linked([[10, 0], [11, 1], [12, 2], [10, 11]]);
    expect(foldContinued(groups, ownToo, near, 0.7)).toEqual(groups);
    expect(foldContinued(groups, ownToo, near, 0.7, { continuedOwnShare: 0.5 })).toHaveLength(1);
    expect(foldContinued(groups, links, near, 0.7, { continuedShare: Infinity })).toEqual(groups);
  });

  test("a larger cluster never folds into a smaller one; a single member folds only in a window with another voice", () => {
    // Every member of the small cluster continues the large one, and 3 of the large one's continue the small one.
    expect(foldContinued([[0, 1, 2], [3, 4, 5, 6]], rows([[3], [4], [5], [0], [1], [2], []]), near, 0.7)).toEqual([[3, 4, 5, 6, 0, 1, 2]]);
    // One member, continued in a window with another local speaker: a voice's stray window, folded (session 25).
    // Alone in its window, or with every member counted (three needed), it stays.
    const single = [[0], [1, 2, 3]];
    expect(foldContinued(single, rows([[1], [0], [], []]), near, 0.7)).toEqual([[1, 2, 3, 0]]);
    expect(foldContinued(single, { links: [[1], [0], [], []], inCompany: [false, false, false, false] }, near, 0.7)).toEqual(single);
    expect(foldContinued(single, rows([[1], [0], [], []]), near, 0.7, { continuedInCompany: false })).toEqual(single);
  });
});

describe("constrained clustering with the segmentation", () => {
  // A voice of 30 noisy embeddings and another of 15 that the average-linkage cut at 0.7 splits in two (the data of
  // overlap-stages' "a voice split by the cut"), with the merge of near centroids off so that only continuity can join.
  const { data, truth, dim } = splitVoicePoints();
  const options: ConstrainedClusteringOptions = { threshold: 0.7, mergeCosine: Infinity };

  /** The embeddings of `order` in windows `windowOf` (ascending); those of `heard` heard alone 2 s, the rest 1 s. */
  const embeddingsIn = (order: readonly number[], windowOf: readonly number[], heard: readonly number[] = []): LocalEmbeddings => ({
    count: order.length,
    window: Uint32Array.from(windowOf),
    speaker: new Uint8Array(order.length),
    cleanFrames: Uint32Array.from(order, (i) => (heard.includes(i) ? 200 : 100)),
    indices: new Uint32Array(0),
    offsets: new Uint32Array(order.length),
    lengths: new Uint32Array(order.length),
    data: Float32Array.from(order.flatMap((i) => [...data.subarray(i * dim, (i + 1) * dim)])),
    dim,
  });
  const everyone = [...truth.keys()];
  const split = constrainedClustering(embeddingsIn(everyone, everyone.map((i) => 2 * i)), options);
  const parts = [0, 1, 2].map((c) => everyone.filter((i) => split.labels[i] === c));
  const [small, large] = parts.filter((p) => truth[p[0]!] === 1).sort((p, q) => p.length - q.length);
  const other = parts.find((p) => truth[p[0]!] === 0)!;

  /**
   * The voices of each cluster when `members` of the small part each sit in the window right after a member of `host`,
   * active on the same frames where the windows overlap (host's frames 400-589 are the next window's 223-412), the
   * rest of the small part left out; everything else alone in its window. With `company`, a second local speaker
   * (no embedding) talks at the start of the members' windows. `heard`: members heard alone 2 s.
   */
  const continuing = (host: number[], members: number[], company: boolean, heard: number[] = [], extra: ConstrainedClusteringOptions = {}) => {
    const rest = everyone.filter((i) => !small!.includes(i) && !host.slice(0, members.length).includes(i));
    const pairs = members.flatMap((s, j) => [host[j]!, s]);
    const all = [...pairs, ...rest];
    const windowOf = all.map((_, i) => 2 * i - (i < pairs.length ? i % 2 : 0));
    const spans = all.flatMap((_, i) => {
      const w = windowOf[i]!;
      if (i >= pairs.length) return [{ w, k: 0, from: 250, to: 350 }];
      if (i % 2 === 0) return [{ w, k: 0, from: 400, to: 589 }];
      return [{ w, k: 0, from: 223, to: 500 }, ...(company ? [{ w, k: 1, from: 0, to: 100 }] : [])];
    });
    const result = constrainedClustering(embeddingsIn(all, windowOf, heard), { ...options, ...extra }, segmentation(windowOf.at(-1)! + 1, spans));
    return Array.from({ length: result.clusterCount }, (_, c) => [...new Set(all.filter((_, i) => result.labels[i] === c).map((i) => truth[i]!))].sort().join("+")).sort();
  };

  test("a voice's split-off cluster whose windows continue the voice's own folds; with another voice's, it stays", () => {
    expect(split.clusterCount).toBe(3);
    expect(small!.length).toBeGreaterThanOrEqual(3);
    expect(continuing(large!, small!, true)).toEqual(["0", "1"]);
    // Continuing the other voice's windows: its centroid is further than the cut, so it stays.
    expect(continuing(other, small!, true)).toEqual(["0", "1", "1"]);
    // Every member alone in its window: segmentation carrying one local speaker across two voices' turns looks so.
    expect(continuing(large!, small!, false)).toEqual(["0", "1", "1"]);
    expect(continuing(large!, small!, false, [], { continuedInCompany: false })).toEqual(["0", "1"]);
  });

  test("two members of a split-off part fold when their windows hold another voice; alone in them (AMI dev01's pattern), they stay", () => {
    // Two members of the small part, heard alone 2 s each so that the small-cluster rule keeps them as a speaker: the
    // first two that the cut, without the rest of their part, keeps as a cluster of their own (the case the fold is for).
    const ownCluster = (two: number[]) => {
      const without = everyone.filter((i) => !small!.includes(i) || two.includes(i));
      const { labels, clusterCount } = constrainedClustering(embeddingsIn(without, without.map((i) => 2 * i), two), options);
      const [a, b] = two.map((i) => labels[without.indexOf(i)]);
      return clusterCount === 3 && a === b && without.every((i) => two.includes(i) || labels[without.indexOf(i)] !== a);
    };
    const two = small!.flatMap((a, j) => small!.slice(j + 1).map((b) => [a, b])).find(ownCluster)!;
    expect(two).toBeDefined();
    expect(continuing(large!, two, true, two)).toEqual(["0", "1"]);
    expect(continuing(large!, two, false, two)).toEqual(["0", "1", "1"]);
    // Counting every member and needing three (continuedInCompany: false), two never fold.
    expect(continuing(large!, two, true, two, { continuedInCompany: false })).toEqual(["0", "1", "1"]);
  });
});
