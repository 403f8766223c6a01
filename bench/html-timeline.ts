/**
 * @module `bun run bench/html-timeline.ts [--runs 5] [--compare <git rev>[,<git rev>...]]`: how the HTML timeline
 * (`--format html`) holds up in headless Chromium. A 3-hour result of thousands of turns: page load to
 * first drawing, drawing the whole recording, drawing while scrolling zoomed in, and the number of
 * elements the page keeps. Then who said what: 10- and 24-hour results with a transcript line per turn,
 * the page's main-thread work to load (Chromium's TaskDuration, from navigation until two frames after
 * the first drawing) and its element count, beside the same page without the transcript; with `--compare`, the same pages made with those commits'
 * timeline.html too, loads interleaved. The turns and words are made up (deterministic), not diarized:
 * the page's work depends on them alone.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { DiarizationResult } from "../src/diarizer.ts";
import { toHtml } from "../src/output/html.ts";
import type { AttributedTranscript } from "../src/transcript/attribute.ts";
import type { Segment } from "../src/pipeline/segments.ts";
import { Browser, findChromium, type Page } from "../test/helpers/chromium.ts";
import { resultOf } from "../test/helpers/results.ts";
import { benchArgs, toNumber } from "./args.ts";
import { runInfo } from "./run-info.ts";
import { median } from "./measure.ts";

/**
 * `hours` of 4 speakers, turns of 0.5-6 s with short overlaps every ninth turn: about 1040 turns an hour.
 * As in merged turns, a speaker's own turns never touch (the next turn is always someone else's).
 */
function meetingResult(hours: number): DiarizationResult {
  const turns: Segment[] = [];
  let t = 0.4;
  let speaker = 0;
  for (let i = 0; t < hours * 3600 - 15; i++) {
    const length = 0.5 + ((i * 7919) % 56) / 10;
    speaker = (speaker + 1 + ((i * 7) % 3)) % 4;
    turns.push({ start: t, end: t + length, speaker: `SPEAKER_0${1 + speaker}` });
    t += length + (i % 9 === 0 ? -0.4 : ((i * 13) % 7) / 10);
  }
  return resultOf(turns, { durationSec: hours * 3600 });
}

/** 3 hours: about 3100 turns. */
export const threeHourResult = () => meetingResult(3);

const VOCABULARY = "so the remote control should be cheap and I think we can do that with a simple design okay yeah".split(" ");

/** Who said what for a result: a line per turn, 2.5 words a second of it (1-15 words). */
function transcriptOf(result: DiarizationResult): AttributedTranscript {
  let n = 0;
  const turns = result.mergedSegments.map((s) => {
    const words = Array.from({ length: Math.min(15, Math.max(1, Math.round((s.end - s.start) * 2.5))) }, () => VOCABULARY[n++ % VOCABULARY.length]);
    return { speaker: s.speaker, start: s.start, end: s.end, text: words.join(" "), words: [] };
  });
  return { format: "whisper-json", estimated: 0, turns };
}

/** Two animation frames: whatever a scroll or zoom scheduled has been drawn. */
export const settle = (page: Page) => page.evaluate(`new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)))`);

const drawMs = (page: Page) => page.evaluate<number>(`+document.getElementById("canvas").dataset.drawMs`);

export interface TimelineTimes {
  /** navigation to the first drawing, ms */
  loadMs: number;
  /** the first drawing of the whole recording (creates the elements), ms of script */
  firstDrawMs: number;
  /** elements in the whole-recording view */
  elements: number;
  /** drawings after jumps while zoomed in, ms of script each */
  scrollDrawMs: number[];
  /** the whole recording again (elements reused), ms of script */
  refitDrawMs: number;
}

/** Loads the page and measures it; zoomed in by 2^10 from the whole recording. */
export async function measureTimeline(browser: Browser, file: string): Promise<TimelineTimes> {
  const page = await browser.newPage(1280, 700);
  const began = performance.now();
  await page.goto(`file://${file}`);
  for (let i = 0; i < 500 && !(await page.evaluate<number>(`+document.getElementById("canvas").dataset.draws || 0`)); i++) await Bun.sleep(10);
  const loadMs = performance.now() - began;
  const firstDrawMs = await drawMs(page);
  const elements = await page.evaluate<number>(`+document.getElementById("canvas").dataset.turnElements`);
  for (let i = 0; i < 10; i++) await page.evaluate(`document.getElementById("zoom-in").click()`);
  await settle(page);
  const scrollDrawMs: number[] = [];
  for (const at of [0.1, 0.37, 0.5, 0.62, 0.88, 0.99]) {
    await page.evaluate(`(() => { const s = document.getElementById("scroller"); s.scrollLeft = ${at} * (s.scrollWidth - s.clientWidth); })()`);
    await settle(page);
    scrollDrawMs.push(await drawMs(page));
  }
  await page.evaluate(`document.getElementById("zoom-fit").click()`);
  await settle(page);
  const refitDrawMs = await drawMs(page);
  await page.send("Page.close").catch(() => {});
  return { loadMs, firstDrawMs, elements, scrollDrawMs, refitDrawMs };
}

interface LoadWork {
  /** main-thread work from navigation until two frames after the first drawing (TaskDuration), ms */
  taskMs: number;
  /** of which script, and style + layout, ms */
  scriptMs: number;
  layoutMs: number;
  /** elements in the page then */
  elements: number;
}

/** Loads a page in a new tab and reads Chromium's own account of the work it took. */
async function measureLoad(browser: Browser, file: string): Promise<LoadWork> {
  const page = await browser.newPage(1280, 700);
  await page.send("Performance.enable", { timeDomain: "threadTicks" });
  await page.goto(`file://${file}`);
  for (let i = 0; i < 3000 && !(await page.evaluate<number>(`+document.getElementById("canvas").dataset.draws || 0`)); i++) await Bun.sleep(10);
  await settle(page);
  const { metrics } = await page.send<{ metrics: { name: string; value: number }[] }>("Performance.getMetrics");
  const metric = (name: string) => 1000 * (metrics.find((m) => m.name === name)?.value ?? NaN);
  const elements = await page.evaluate<number>(`document.getElementsByTagName("*").length`);
  await page.send("Page.close").catch(() => {});
  return { taskMs: metric("TaskDuration"), scriptMs: metric("ScriptDuration"), layoutMs: metric("LayoutDuration") + metric("RecalcStyleDuration"), elements };
}

/** The page of `html` (made by toHtml) rebuilt from another timeline.html: the same title and data. */
function withTemplate(html: string, template: string): string {
  const data = /<script type="application\/json" id="senko-data">(.*?)<\/script>/s.exec(html)![1]!;
  const title = /<title>(.*?) · speakers<\/title>/.exec(html)![1]!;
  const fill: Record<string, string> = { __SENKO_TITLE__: title, __SENKO_DATA__: data };
  return template.replace(/__SENKO_(?:TITLE|DATA)__/g, (slot) => fill[slot]!);
}

if (import.meta.main) {
  const { values } = benchArgs(import.meta.path, { runs: { type: "string", default: "5" }, compare: { type: "string" } });
  const runs = toNumber(values.runs, "--runs");
  const chromium = findChromium();
  if (!chromium) throw new Error("no chromium on the PATH (tools/setup.sh installs Debian's)");
  const result = threeHourResult();
  const dir = mkdtempSync(join(tmpdir(), "senko-bench-html-"));
  const file = join(dir, "three-hours.html");
  const html = toHtml(result, { title: "three-hours.wav", audioSrc: "three-hours.wav" });
  writeFileSync(file, html);
  const version = Bun.spawnSync([chromium, "--version"]).stdout.toString().trim();
  console.log(runInfo());
  console.log(`${version}; page ${(html.length / 1024).toFixed(0)} KiB, ${result.mergedSegments.length} turns over 3 h, 4 speakers, 1280 x 700 window`);
  const browser = await Browser.launch(chromium);
  const all: TimelineTimes[] = [];
  try {
    for (let r = 0; r < runs; r++) all.push(await measureTimeline(browser, file));
  } finally {
    await browser.close();
    rmSync(dir, { recursive: true, force: true });
  }
  const row = (name: string, values: number[]) => console.log(`${name.padEnd(56)} median ${median(values).toFixed(1).padStart(7)}   min ${Math.min(...values).toFixed(1).padStart(7)}   max ${Math.max(...values).toFixed(1).padStart(7)}`);
  console.log(`runs: ${runs} (a new tab each)`);
  row("load to first drawing, ms", all.map((a) => a.loadMs));
  row("first drawing of the whole 3 h (script), ms", all.map((a) => a.firstDrawMs));
  row("elements drawn for the whole 3 h", all.map((a) => a.elements));
  row("drawing after a jump, zoomed in, ms", all.flatMap((a) => a.scrollDrawMs));
  row("whole 3 h drawn again, ms", all.map((a) => a.refitDrawMs));

  // Who said what, 10 and 24 hours: load work, this commit's page and (--compare) another's, interleaved.
  const templates = (values.compare?.split(",") ?? []).map((rev) => {
    const shown = spawnSync("git", ["-C", import.meta.dir, "show", `${rev}:src/output/timeline.html`], { encoding: "utf8" });
    if (shown.status !== 0) throw new Error(`--compare ${rev}: ${shown.stderr.trim()}`);
    return [rev, shown.stdout] as const;
  });
  const pages: [string, string][] = [];
  const tdir = mkdtempSync(join(tmpdir(), "senko-bench-html-"));
  for (const hours of [10, 24]) {
    const long = meetingResult(hours);
    const page = toHtml(long, { title: `${hours}-hours.wav`, audioSrc: `${hours}-hours.wav`, transcript: transcriptOf(long) });
    console.log(`\nwho said what, ${hours} h: ${long.mergedSegments.length} transcript lines (one per turn), page ${(page.length / 1024 / 1024).toFixed(1)} MiB`);
    writeFileSync(join(tdir, `${hours}-this.html`), page);
    pages.push([`${hours} h, this commit`, join(tdir, `${hours}-this.html`)]);
    // The same page without the transcript: what the timeline alone costs.
    writeFileSync(join(tdir, `${hours}-none.html`), toHtml(long, { title: `${hours}-hours.wav`, audioSrc: `${hours}-hours.wav` }));
    pages.push([`${hours} h, this commit, no transcript`, join(tdir, `${hours}-none.html`)]);
    for (const [rev, template] of templates) {
      writeFileSync(join(tdir, `${hours}-${rev}.html`), withTemplate(page, template));
      pages.push([`${hours} h, timeline.html of ${rev}`, join(tdir, `${hours}-${rev}.html`)]);
    }
  }
  const loads = new Map(pages.map(([name]) => [name, [] as LoadWork[]]));
  const tbrowser = await Browser.launch(chromium);
  try {
    for (let r = 0; r < runs; r++) for (const [name, file] of pages) loads.get(name)!.push(await measureLoad(tbrowser, file));
  } finally {
    await tbrowser.close();
    rmSync(tdir, { recursive: true, force: true });
  }
  console.log(`load work (Chromium Performance.getMetrics, navigation to two frames after the first drawing), ${runs} loads each, interleaved:`);
  for (const [name, work] of loads) {
    row(`${name}: main thread, ms`, work.map((w) => w.taskMs));
    row(`${name}: script, ms`, work.map((w) => w.scriptMs));
    row(`${name}: style + layout, ms`, work.map((w) => w.layoutMs));
    row(`${name}: elements`, work.map((w) => w.elements));
  }
}
