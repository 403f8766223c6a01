/**
 * The HTML timeline (`--format html`): its data and escaping without a browser, then in headless
 * Chromium (driven over the DevTools protocol, test/helpers/chromium.ts): lanes and turns in the DOM
 * match the result (a real diarization of an AMI excerpt, a hand-made one with overlaps), a click on a
 * turn moves the player there (embedded and linked audio), a 3-hour result with thousands of turns
 * stays fast, and Chromium's own WebVTT parser reads senko's subtitles. Screenshots go to test-output/.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { readAudio } from "../src/audio/index.ts";
import type { DiarizationResult } from "../src/diarizer.ts";
import { audioMime, audioSource, EMBED_AUDIO_MAX_BYTES, timelineData, toHtml } from "../src/output/html.ts";
import { overlapSpans } from "../src/pipeline/segments.ts";
import { attributeTranscript } from "../src/transcript/attribute.ts";
import { measureTimeline, settle, threeHourResult } from "../bench/html-timeline.ts";
import { Browser, findChromium, type Page } from "./helpers/chromium.ts";
import { resultOf, seg } from "./helpers/results.ts";
import { wav16 } from "./helpers/wav.ts";
import { AMI_DIR, hasAmi, withoutAmi } from "./helpers/fixtures.ts";

const root = resolve(import.meta.dir, "..");
const bun = join(root, "node_modules", ".bin", "bun");
const fixtures = AMI_DIR;
const hasFixtures = hasAmi;
const chromium = findChromium();
if (!chromium) console.warn("html.test.ts: no Chromium found (tools/setup.sh installs Debian's chromium): the browser tests are skipped");
const screenshots = join(root, "test-output");

/** A-B overlap 4-5 s, B inside A, C over the end of B, a three-way moment at 13.5 s. */
const overlapping = resultOf(
  [seg(0.5, 10, "SPEAKER_01"), seg(4, 5, "SPEAKER_02"), seg(9, 14, "SPEAKER_02"), seg(13, 16, "SPEAKER_03"), seg(13.2, 13.8, "SPEAKER_01"), seg(17, 19, "SPEAKER_01")],
  { durationSec: 20 },
);

describe("the page's data, without a browser", () => {
  test("overlap stretches: two or more speakers at once, one speaker's own turns never count", () => {
    expect(overlapSpans(overlapping.mergedSegments)).toEqual([
      { start: 4, end: 5 },
      { start: 9, end: 10 },
      { start: 13, end: 14 },
    ]);
    expect(overlapSpans([seg(0, 5, "A"), seg(2, 3, "A"), seg(5, 6, "B")])).toEqual([]);
  });

  test("speakers by talk time with their colours, turns as [start, end, speaker], talk and speech seconds", () => {
    const data = timelineData(overlapping, { title: "t.wav" });
    expect(data.speakers.map((s) => [s.name, s.talk, s.turns])).toEqual([
      ["SPEAKER_01", 12.1, 3],
      ["SPEAKER_02", 6, 2],
      ["SPEAKER_03", 3, 1],
    ]);
    expect(data.speakers.every((s) => /^#[0-9a-f]{6}$/.test(s.color))).toBe(true);
    expect(data.turns[1]).toEqual([4, 5, 1]);
    expect([data.speechSec, data.overlapSec, data.duration, data.audio]).toEqual([17.5, 3, 20, null]);
  });

  test("turns alone, as toSegments gives them stage by stage: the timeline ends with the last turn, overlaps counted from the turns", () => {
    const turns = { mergedSegments: overlapping.mergedSegments };
    const data = timelineData(turns);
    expect([data.duration, data.overlapSec, data.speechSec]).toEqual([overlapping.mergedSegments.reduce((end, t) => Math.max(end, t.end), 0), 3, 17.5]);
    expect(data.turns).toEqual(timelineData(overlapping).turns);
    expect(toHtml(turns)).toContain('"overlapSec":3');
  });

  test("names and titles cannot break out of the page", () => {
    const html = toHtml(resultOf([seg(0, 1, "</script><script>alert(1)</script>")]), { title: "<b>x</b>.wav" });
    expect(html).toContain("<title>&#60;b&#62;x&#60;/b&#62;.wav · speakers</title>");
    expect(html.match(/<\/script>/g)!.length).toBe(2); // the data block's and the code's
    expect(html).not.toContain("alert(1)</script>");
    expect(html).not.toMatch(/https?:\/\/(?!www\.w3\.org)/); // offline: nothing fetched from anywhere
    // The page's placeholders are filled in one pass: a title naming one stays text.
    const odd = toHtml(resultOf([seg(0, 1, "A")]), { title: "__SENKO_DATA__ $&.wav" });
    expect(odd).toContain("<title>__SENKO_DATA__ $&#38;.wav · speakers</title>");
    expect(JSON.parse(/id="senko-data">(.*?)<\/script>/s.exec(odd)![1]!).title).toBe("__SENKO_DATA__ $&.wav");
  });

  test("audio: embedded up to the limit, else linked relative to the page; large stdin gets none", () => {
    const dir = mkdtempSync(join(tmpdir(), "senko-html-audio-"));
    try {
      const wav = join(dir, "a b.wav");
      writeFileSync(wav, Buffer.concat([Buffer.from("RIFF\x24\x00\x00\x00WAVEfmt "), Buffer.alloc(28)]));
      expect(audioSource({ path: wav }, join(dir, "out", "p.html"))).toStartWith("data:audio/wav;base64,UklGR");
      expect(audioSource({ path: wav }, join(dir, "out", "p.html"), 10)).toBe("../a%20b.wav");
      expect(audioSource({ bytes: new Uint8Array(11) }, undefined, 10)).toBeUndefined();
      expect(EMBED_AUDIO_MAX_BYTES).toBe(8 * 1024 * 1024);
      expect([audioMime(Buffer.from("ID3\x04")), audioMime(Buffer.from("fLaC")), audioMime(Buffer.from("\0\0\0 ftypM4A ")), audioMime(new Uint8Array(4), "x.opus")]).toEqual([
        "audio/mpeg",
        "audio/flac",
        "audio/mp4",
        "audio/ogg",
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

interface DomTurn {
  speaker: string;
  start: number;
  end: number;
  count: number;
  left: number;
  width: number;
}

/** What the page shows: lane labels, the turn elements of every lane (visible ones), the overlap row, pixels per second. */
function readDom(page: Page) {
  return page.evaluate<{ labels: string[]; lanes: string[]; turns: DomTurn[]; overlaps: [number, number][]; pps: number; talk: string[][] }>(`(() => {
    const canvas = document.getElementById("canvas");
    const box = canvas.getBoundingClientRect();
    const span = (el) => el.dataset.span.split(" ").map(Number);
    const turns = [...document.querySelectorAll(".lane[data-speaker] .turn:not([hidden])")].map((el) => {
      const r = el.getBoundingClientRect();
      const [start, end, count] = span(el);
      return { speaker: el.parentElement.dataset.speaker, start, end, count, left: r.left - box.left, width: r.width };
    });
    return {
      labels: [...document.querySelectorAll("#labels .row-label[data-speaker]")].map((el) => el.textContent),
      lanes: [...document.querySelectorAll(".lane[data-speaker]")].map((el) => el.dataset.speaker),
      turns,
      overlaps: [...document.querySelectorAll(".overlap-lane .overlap:not([hidden])")].map((el) => span(el).slice(0, 2)),
      pps: +canvas.dataset.pps,
      talk: [...document.querySelectorAll("#talk tbody tr")].map((tr) => [...tr.children].slice(0, 4).map((td) => td.textContent.trim())),
    };
  })()`);
}

/** Waits until the page has drawn `draws` times (the drawing happens on animation frames). */
async function drawn(page: Page, draws = 1): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if ((await page.evaluate<number>(`+document.getElementById("canvas").dataset.draws || 0`)) >= draws) return;
    await Bun.sleep(20);
  }
  throw new Error("the page never drew its timeline");
}

const r3 = (t: number) => Math.round(t * 1000) / 1000;

/** The value of `expression` once `done` accepts it (or after 2 s, for the assertion to show). */
async function until(page: Page, expression: string, done: (value: string) => boolean): Promise<string> {
  let value = "";
  for (let i = 0; i < 100 && !done((value = await page.evaluate<string>(expression))); i++) await Bun.sleep(20);
  return value;
}

describe.skipIf(!chromium)("in headless Chromium", () => {
  let browser: Browser;
  let dir: string;
  /** The two CLI runs the tests read, started with the browser (independent processes). */
  let diarized: Promise<number>;
  let seamed: Promise<number>;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "senko-html-test-"));
    mkdirSync(screenshots, { recursive: true });
    if (hasFixtures) {
      diarized = Bun.spawn([bun, "run", join(root, "diarize.ts"), join(fixtures, "dev00.wav"), "--out-dir", dir, "--format", "json,html,vtt", "-q"], { stdout: "ignore", stderr: "ignore" }).exited;
      const { samples } = await readAudio(join(fixtures, "dev00.wav"));
      // Two WAV files one after another on stdin: 20 s, then the rest.
      const stdin = new Blob([wav16(samples.subarray(0, 16000 * 20)), wav16(samples.subarray(16000 * 20))]);
      seamed = Bun.spawn([bun, "run", join(root, "diarize.ts"), "-", "--format", "html", "--out", join(dir, "seamed.html"), "-q"], { stdin, stdout: "ignore", stderr: "ignore" }).exited;
    }
    browser = await Browser.launch(chromium!);
  });
  afterAll(async () => {
    await browser?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function open(file: string, width = 1280, height = 700): Promise<Page> {
    const page = await browser.newPage(width, height);
    await page.goto(`file://${file}`);
    await drawn(page);
    return page;
  }

  /** Clicks the middle of a turn element and returns the player's position once it has moved there. */
  async function clickTurn(page: Page, turn: DomTurn): Promise<{ time: number; paused: boolean }> {
    const box = await page.evaluate<{ x: number; y: number }>(`(() => {
      const el = [...document.querySelectorAll('.lane[data-speaker="${turn.speaker}"] .turn:not([hidden])')].find((e) => +e.dataset.span.split(" ")[0] === ${turn.start});
      const r = el.getBoundingClientRect();
      return { x: r.left + r.width / 2, y: r.top + r.height / 2 };
    })()`);
    await page.click(box.x, box.y);
    for (let i = 0; i < 100; i++) {
      const state = await page.evaluate<{ time: number; paused: boolean; seeking: boolean }>(`({ time: player.currentTime, paused: player.paused, seeking: player.seeking })`);
      if (!state.seeking && state.time >= turn.start - 0.01) return state;
      await Bun.sleep(20);
    }
    return page.evaluate(`({ time: player.currentTime, paused: player.paused })`);
  }

  test.skipIf(withoutAmi("html.test.ts"))(
    "a real diarization (senko --format html): a lane per speaker, every turn where the result has it; a click plays the turn",
    async () => {
      expect(await diarized).toBe(0);
      const json = JSON.parse(readFileSync(join(dir, "dev00.json"), "utf8")) as DiarizationResult;
      const html = readFileSync(join(dir, "dev00.html"), "utf8");
      expect(html).toContain('"audio":"data:audio/wav;base64,'); // 30 s of audio is embedded
      const page = await open(join(dir, "dev00.html"));
      const dom = await readDom(page);
      const speakers = timelineData(json).speakers.map((s) => s.name);
      expect(speakers.length).toBeGreaterThanOrEqual(2);
      expect(dom.labels).toEqual(speakers);
      expect(dom.lanes).toEqual(speakers);
      const expected = json.mergedSegments.map((s) => ({ speaker: s.speaker, start: r3(s.start), end: r3(s.end) }));
      const sortKey = (t: { speaker: string; start: number }) => `${t.speaker} ${t.start.toFixed(3).padStart(12)}`;
      expect(dom.turns.map((t) => ({ speaker: t.speaker, start: t.start, end: t.end })).sort((a, b) => sortKey(a).localeCompare(sortKey(b)))).toEqual(
        expected.sort((a, b) => sortKey(a).localeCompare(sortKey(b))),
      );
      for (const t of dom.turns) {
        expect(t.count).toBe(1);
        expect(Math.abs(t.left - t.start * dom.pps)).toBeLessThan(1.5);
        expect(Math.abs(t.width - (t.end - t.start) * dom.pps)).toBeLessThan(1.5);
      }
      expect(dom.talk.map((row) => [row[0], row[3]])).toEqual(speakers.map((s) => [s, String(json.mergedSegments.filter((m) => m.speaker === s).length)]));

      const second = dom.turns.filter((t) => t.speaker === speakers[1]).sort((a, b) => a.start - b.start)[1] ?? dom.turns.find((t) => t.speaker === speakers[1])!;
      const played = await clickTurn(page, second);
      expect(played.time).toBeGreaterThanOrEqual(second.start - 0.01);
      expect(played.time).toBeLessThanOrEqual(second.end + 0.05);
      expect(page.errors).toEqual([]);
      await Bun.write(join(screenshots, "timeline-dev00.png"), await page.screenshot());

      // Chromium's own WebVTT parser reads senko's subtitles: one cue per turn, same times, the speaker as voice.
      const cues = await page.evaluate<{ start: number; end: number; text: string }[]>(`new Promise((done) => {
        const audio = document.createElement("audio");
        const track = document.createElement("track");
        track.src = ${JSON.stringify(`file://${join(dir, "dev00.vtt")}`)};
        track.default = true;
        track.onload = () => done([...track.track.cues].map((c) => ({ start: c.startTime, end: c.endTime, text: c.text })));
        track.onerror = () => done(null);
        audio.appendChild(track);
        document.body.appendChild(audio);
        track.track.mode = "hidden";
      })`);
      expect(cues).toEqual(json.mergedSegments.map((s) => ({ start: r3(s.start), end: r3(s.end), text: `<v ${s.speaker}>${s.speaker}</v>` })));
    },
  );

  test.skipIf(withoutAmi("html.test.ts"))(
    "WAV files one after another on stdin (senko -): the page's player plays all that was diarized, not the first file",
    async () => {
      const { samples } = await readAudio(join(fixtures, "dev00.wav"));
      const file = join(dir, "seamed.html");
      expect(await seamed).toBe(0);
      const embedded = /"audio":"data:audio\/wav;base64,([^"]*)"/.exec(readFileSync(file, "utf8"))?.[1];
      // All of it (30 s), as diarized, to senko's reader and to Chromium's player alike (the first file alone holds 20 s).
      const whole = samples.length / 16000;
      expect((await readAudio(Buffer.from(embedded ?? "", "base64"))).durationSec).toBe(whole);
      const page = await open(file);
      const duration = await until(page, "String(player.duration)", (d) => d !== "NaN");
      expect(Math.abs(Number(duration) - whole)).toBeLessThan(0.01);
      expect(page.errors).toEqual([]);
    },
  );

  test("overlapping turns: both lanes show them at once, the overlap row matches, a click on the inner turn plays it (audio linked)", async () => {
    const page1 = join(dir, "overlap", "page.html");
    mkdirSync(join(dir, "overlap"), { recursive: true });
    if (hasFixtures) copyFileSync(join(fixtures, "dev00.wav"), join(dir, "audio.wav"));
    // Linked, not embedded: the page finds the audio by a path relative to itself.
    const src = hasFixtures ? audioSource({ path: join(dir, "audio.wav") }, page1, 0) : undefined;
    expect(src ?? "../audio.wav").toBe("../audio.wav");
    writeFileSync(page1, toHtml(overlapping, { title: "overlap.wav", audioSrc: src }));
    const page = await open(page1);
    const dom = await readDom(page);
    expect(dom.labels).toEqual(["SPEAKER_01", "SPEAKER_02", "SPEAKER_03"]);
    expect(dom.turns.map((t) => [t.speaker, t.start, t.end]).sort()).toEqual(overlapping.mergedSegments.map((s) => [s.speaker, s.start, s.end]).sort());
    expect(dom.overlaps).toEqual([
      [4, 5],
      [9, 10],
      [13, 14],
    ]);
    // At 13.5 s three lanes have a turn under the same pixel column.
    const x = 13.5 * dom.pps;
    expect(new Set(dom.turns.filter((t) => t.left <= x && x <= t.left + t.width).map((t) => t.speaker)).size).toBe(3);
    if (hasFixtures) {
      const inner = dom.turns.find((t) => t.speaker === "SPEAKER_02" && t.start === 4)!;
      const played = await clickTurn(page, inner);
      expect(played.time).toBeGreaterThanOrEqual(3.99);
      expect(played.time).toBeLessThanOrEqual(5.05);
      expect(await page.evaluate<string>(`document.getElementById("audio-note").hidden ? "" : document.getElementById("audio-note").textContent`)).toBe("");
    }
    expect(page.errors).toEqual([]);
    await Bun.write(join(screenshots, "timeline-overlap.png"), await page.screenshot());
  }, 30_000);

  test("with a transcript: a line per turn under the timeline, coloured by speaker; a click on a line plays it", async () => {
    const words = [
      { text: " Let's", start: 1, end: 1.4 },
      { text: " start.", start: 1.5, end: 2 },
      { text: " Wait,", start: 4.2, end: 4.6 },
      { text: " yes.", start: 9.5, end: 9.9 },
      { text: " <b>&amp;</b>", start: 13.3, end: 13.7 },
    ];
    const transcript = attributeTranscript({ format: "whisper-json", words, estimated: 0 }, overlapping);
    const file = join(dir, "overlap", "said.html");
    writeFileSync(file, toHtml(overlapping, { title: "said.wav", transcript, audioSrc: hasFixtures ? "../audio.wav" : undefined }));
    const page = await open(file);
    const lines = await page.evaluate<{ span: string; when: string; who: string; said: string; color: string }[]>(`[...document.querySelectorAll("#lines .line")].map((l) => ({
      span: l.dataset.span, when: l.children[0].textContent, who: l.children[1].textContent, said: l.children[2].textContent, color: getComputedStyle(l.children[1]).color,
    }))`);
    expect(lines.map((l) => [l.span, l.when, l.who, l.said])).toEqual([
      ["1 2", "0:01.0", "SPEAKER_01", "Let's start."],
      ["4.2 9.9", "0:04.2", "SPEAKER_02", "Wait, yes."], // consecutive words of one speaker make one turn
      ["13.3 13.7", "0:13.3", "SPEAKER_01", "<b>&amp;</b>"],
    ]);
    const colors = timelineData(overlapping).speakers;
    const rgb = (hex: string) => `rgb(${[1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16)).join(", ")})`;
    expect(lines.map((l) => l.color)).toEqual(lines.map((l) => rgb(colors.find((c) => c.name === l.who)!.color)));
    if (hasFixtures) {
      const box = await page.evaluate<{ x: number; y: number }>(`(() => { const r = document.querySelectorAll("#lines .line")[1].getBoundingClientRect(); return { x: r.left + 20, y: r.top + r.height / 2 }; })()`);
      await page.click(box.x, box.y);
      let time = 0;
      for (let i = 0; i < 100 && time < 4.19; i++, await Bun.sleep(20)) time = await page.evaluate<number>(`player.currentTime`);
      expect(time).toBeGreaterThanOrEqual(4.19);
      expect(time).toBeLessThanOrEqual(9.95);
      expect(await until(page, `document.querySelector("#lines .line.now")?.dataset.span ?? "none"`, (span) => span === "4.2 9.9")).toBe("4.2 9.9");
    }
    expect(page.errors).toEqual([]);
    await Bun.write(join(screenshots, "timeline-transcript.png"), await page.screenshot());

    // Hours of transcript: lines are made only near the view, wherever it goes, and the right ones.
    const many = { ...transcript, turns: Array.from({ length: 5000 }, (_, i) => ({ speaker: `SPEAKER_0${1 + (i % 2)}`, start: i, end: i + 0.9, text: `line ${i}`, words: [] })) };
    const longFile = join(dir, "overlap", "many-lines.html");
    writeFileSync(longFile, toHtml(resultOf(many.turns.map((t) => seg(t.start, t.end, t.speaker)), { durationSec: 5000 }), { title: "many.wav", transcript: many }));
    const long = await open(longFile);
    // The line at the middle of the list's view, and how many line elements the page holds.
    const middle = `(() => { const box = document.getElementById("lines"), r = box.getBoundingClientRect(); const l = document.elementFromPoint(r.left + 200, r.top + r.height / 2)?.closest(".line"); return { said: l?.children[2].textContent ?? "", span: l?.dataset.span ?? "none", elements: document.querySelectorAll("#lines .line").length }; })()`;
    type Middle = { said: string; span: string; elements: number };
    const atLoad = await long.evaluate<Middle>(middle);
    expect(atLoad.said).toMatch(/^line [0-9]$/);
    expect(atLoad.elements).toBeLessThan(300);
    for (const at of [1, 0.5, 0.123, 0]) {
      await long.evaluate(`(() => { const box = document.getElementById("lines"); box.scrollTop = ${at} * (box.scrollHeight - box.clientHeight); })()`);
      const seen = JSON.parse(await until(long, `JSON.stringify(${middle})`, (v) => JSON.parse(v).said === `line ${JSON.parse(v).span.split(" ")[0]}`)) as Middle;
      expect(seen.said).toBe(`line ${seen.span.split(" ")[0]}`);
      // Where the scroll bar says: lines have the height their empty blocks held.
      expect(Math.abs(Number(seen.span.split(" ")[0]) - at * 4995)).toBeLessThan(10);
      expect(seen.elements).toBeLessThan(300);
      if (at === 1) expect(await long.evaluate<string>(`document.querySelector("#lines .line:last-child").children[2].textContent`)).toBe("line 4999");
    }
    expect(long.errors).toEqual([]);

    // Playback followed into lines not made yet: 60 half-second lines over the 30 s recording.
    if (hasFixtures) {
      const halves = { ...transcript, turns: Array.from({ length: 60 }, (_, i) => ({ speaker: `SPEAKER_0${1 + (i % 2)}`, start: i / 2, end: i / 2 + 0.5, text: `half ${i}`, words: [] })) };
      const halvesFile = join(dir, "overlap", "halves.html");
      writeFileSync(halvesFile, toHtml(resultOf(halves.turns.map((t) => seg(t.start, t.end, t.speaker)), { durationSec: 30 }), { title: "halves.wav", transcript: halves, audioSrc: "../audio.wav" }));
      const follow = await open(halvesFile);
      const line55 = `document.querySelector('#lines .line[data-span="27.5 28"]')`;
      expect(await follow.evaluate<boolean>(`${line55} === null`)).toBe(true);
      await follow.evaluate(`(() => { player.currentTime = 27.6; return player.play().then(() => true, () => false); })()`);
      expect(await until(follow, `document.querySelector("#lines .line.now")?.dataset.span ?? "none"`, (span) => span === "27.5 28")).toBe("27.5 28");
      await follow.evaluate(`player.pause()`);
      // Scrolled into the list's view.
      expect(await follow.evaluate<boolean>(`(() => { const r = ${line55}.getBoundingClientRect(), box = document.getElementById("lines").getBoundingClientRect(); return r.top >= box.top && r.bottom <= box.bottom; })()`)).toBe(true);
      expect(follow.errors).toEqual([]);
    }
  }, 30_000);

  test("no speakers (silence): the page loads, says so in numbers, and draws no turn; the whole recording fits, no scrolling", async () => {
    const file = join(dir, "silence.html");
    // 12.01 s: the ruler's last tick (12 s) sits at the right edge, its label past it.
    writeFileSync(file, toHtml(resultOf([], { durationSec: 12.01 }), { title: "silence.wav" }));
    const page = await open(file);
    const dom = await readDom(page);
    expect([dom.labels, dom.turns, dom.overlaps, dom.talk]).toEqual([[], [], [], []]);
    expect(await page.evaluate<string>(`document.getElementById("summary").textContent`)).toBe("0:12.0 of audio · 0 speaker(s) · 0 turn(s) · speech 0:00.0 · overlap 0:00.0");
    expect(await page.evaluate<number[]>(`(() => { const s = document.getElementById("scroller"); return [s.scrollWidth - s.clientWidth, document.querySelectorAll(".tick:not([hidden])").length]; })()`)).toEqual([0, 13]);
    expect(page.errors).toEqual([]);
  }, 30_000);

  test("3 hours, thousands of turns: drawn in milliseconds, a bounded number of elements, zoomed views exact", async () => {
    const long = threeHourResult();
    expect(long.mergedSegments.length).toBeGreaterThan(2500);
    const file = join(dir, "long.html");
    writeFileSync(file, toHtml(long, { title: "three-hours.wav", audioSrc: "three-hours.wav" }));
    // The timings (bench/html-timeline.ts measures them the same way, several times).
    const times = await measureTimeline(browser, file);
    console.log(`3 h timeline, ${long.mergedSegments.length} turns: ${JSON.stringify(times, (_, v) => (typeof v === "number" ? +v.toFixed(1) : v))}`);
    // Zoomed in, a drawing touches only the few turns near the view: well under a 16 ms frame (typically
    // 0.5 ms; drawing every turn would take tens of ms). The whole 3 h at once (first drawing, which also
    // creates the elements, and again after zooming) must not freeze the page even on a loaded machine.
    expect(Math.max(...times.scrollDrawMs)).toBeLessThan(16);
    expect(Math.max(times.firstDrawMs, times.refitDrawMs)).toBeLessThan(1000);
    // Whole 3 h in view: turns closer than a pixel share an element, about one per two pixels a lane.
    expect(times.elements).toBeLessThan(4 * 1200);

    const page = await open(file);
    const fit = await readDom(page);
    expect(fit.turns.reduce((n, t) => n + t.count, 0)).toBe(long.mergedSegments.length);
    // The audio is not there: the page says so instead of failing silently.
    expect(await until(page, `document.getElementById("audio-note").textContent`, (note) => note !== "")).toContain("not found at three-hours.wav");
    // Zoomed in, anywhere: exactly the turns of the drawn window, one element each.
    for (let i = 0; i < 10; i++) await page.evaluate(`document.getElementById("zoom-in").click()`);
    for (const at of [0.1, 0.5, 0.99]) {
      await page.evaluate(`(() => { const s = document.getElementById("scroller"); s.scrollLeft = ${at} * (s.scrollWidth - s.clientWidth); })()`);
      await settle(page);
      const dom = await readDom(page);
      const view = await page.evaluate<{ from: number; to: number }>(`(() => { const s = document.getElementById("scroller"); const pps = +document.getElementById("canvas").dataset.pps; return { from: (s.scrollLeft - s.clientWidth / 2) / pps, to: (s.scrollLeft + 1.5 * s.clientWidth) / pps }; })()`);
      const expected = long.mergedSegments.filter((s) => s.end > view.from && s.start < view.to).map((s) => [s.speaker, r3(s.start), r3(s.end)]);
      expect(expected.length).toBeGreaterThan(3);
      expect(dom.turns.map((t) => [t.speaker, t.start, t.end]).sort()).toEqual(expected.sort());
      expect(dom.turns.every((t) => t.count === 1)).toBe(true);
    }
    expect(page.errors).toEqual([]);
    await Bun.write(join(screenshots, "timeline-3h.png"), await page.screenshot());
  });
});
