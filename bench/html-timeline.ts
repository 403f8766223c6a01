/**
 * @module `bun run bench/html-timeline.ts [--runs 5]`: how the HTML timeline (`--format html`) holds up
 * with a 3-hour result of thousands of turns, in headless Chromium: page load to first drawing, drawing
 * the whole recording, drawing while scrolling zoomed in, and the number of elements the page keeps.
 * The turns are made up (deterministic), not diarized: the page's work depends on them alone.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { DiarizationResult } from "../src/diarizer.ts";
import { toHtml } from "../src/output/html.ts";
import type { Segment } from "../src/pipeline/segments.ts";
import { Browser, findChromium, type Page } from "../test/helpers/chromium.ts";
import { resultOf } from "../test/helpers/results.ts";
import { runInfo } from "./run-info.ts";

/**
 * 3 hours, 4 speakers, turns of 0.5-6 s with short overlaps every ninth turn: about 3100 turns. As in
 * merged turns, a speaker's own turns never touch (the next turn is always someone else's).
 */
export function threeHourResult(): DiarizationResult {
  const turns: Segment[] = [];
  let t = 0.4;
  let speaker = 0;
  for (let i = 0; t < 3 * 3600 - 15; i++) {
    const length = 0.5 + ((i * 7919) % 56) / 10;
    speaker = (speaker + 1 + ((i * 7) % 3)) % 4;
    turns.push({ start: t, end: t + length, speaker: `SPEAKER_0${1 + speaker}` });
    t += length + (i % 9 === 0 ? -0.4 : ((i * 13) % 7) / 10);
  }
  return resultOf(turns, { durationSec: 3 * 3600 });
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

if (import.meta.main) {
  const runs = Number(process.argv[process.argv.indexOf("--runs") + 1] || 5);
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
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  const all: TimelineTimes[] = [];
  try {
    for (let r = 0; r < runs; r++) all.push(await measureTimeline(browser, file));
  } finally {
    await browser.close();
    rmSync(dir, { recursive: true, force: true });
  }
  const row = (name: string, values: number[]) => console.log(`${name.padEnd(44)} median ${median(values).toFixed(1).padStart(7)}   min ${Math.min(...values).toFixed(1).padStart(7)}   max ${Math.max(...values).toFixed(1).padStart(7)}`);
  console.log(`runs: ${runs} (a new tab each)`);
  row("load to first drawing, ms", all.map((a) => a.loadMs));
  row("first drawing of the whole 3 h (script), ms", all.map((a) => a.firstDrawMs));
  row("elements drawn for the whole 3 h", all.map((a) => a.elements));
  row("drawing after a jump, zoomed in, ms", all.flatMap((a) => a.scrollDrawMs));
  row("whole 3 h drawn again, ms", all.map((a) => a.refitDrawMs));
}
