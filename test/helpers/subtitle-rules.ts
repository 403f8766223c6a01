/**
 * Checkers written from the formats' rules, to hold senko's subtitles to them: WebVTT from the W3C
 * syntax (file body, cue timings, caption cue text with its spans and character references), SubRip
 * from its de-facto definition (counter from 1, `HH:MM:SS,mmm --> HH:MM:SS,mmm` with more hour digits
 * past 99 h, text, blank line).
 * Each returns the problems found (empty when the file conforms) and the cues read.
 */

export interface CheckedCue {
  start: number;
  end: number;
  /** the payload lines as written */
  lines: string[];
}

export interface Checked {
  problems: string[];
  cues: CheckedCue[];
}

const VTT_TIME = String.raw`(?:(\d{2,}):)?([0-5]\d):([0-5]\d)\.(\d{3})`;
const VTT_TIMING = new RegExp(String.raw`^${VTT_TIME}[ \t]+-->[ \t]+${VTT_TIME}(?:[ \t]+.*)?$`);

function seconds(h: string | undefined, m: string, s: string, frac: string): number {
  return Number(h ?? 0) * 3600 + Number(m) * 60 + Number(s) + Number(frac) / 1000;
}

/** Caption cue text: `&` only in character references, `<` only in known tags, spans balanced. */
function checkVttPayload(text: string, where: string, problems: string[]): void {
  if (text.includes("-->")) problems.push(`${where}: payload contains "-->"`);
  const open: string[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (c === "&") {
      const ref = /^&(?:[a-zA-Z][a-zA-Z0-9]*|#\d+|#[xX][0-9a-fA-F]+);/.exec(text.slice(i));
      if (!ref) problems.push(`${where}: "&" outside a character reference at ${i}`);
      i += ref ? ref[0].length : 1;
    } else if (c === "<") {
      const tag = /^<(\/?)([a-z]+|\d[\d:.]*)((?:\.[^\s.&<>]+)*)(?:[ \t]([^>\n\r&]*(?:&[^;\s]+;[^>\n\r&]*)*))?>/.exec(text.slice(i));
      if (!tag) {
        problems.push(`${where}: "<" does not start a tag at ${i}`);
        i++;
        continue;
      }
      const [whole, close, name, , annotation] = tag;
      const isTimestamp = /^\d/.test(name!);
      if (!isTimestamp && !["c", "i", "b", "u", "ruby", "rt", "v", "lang"].includes(name!)) problems.push(`${where}: unknown tag <${name}>`);
      if ((name === "v" || name === "lang") && !close && !(annotation ?? "").trim()) problems.push(`${where}: <${name}> needs an annotation`);
      if (!isTimestamp && close) {
        if (open.pop() !== name) problems.push(`${where}: </${name}> closes nothing open`);
      } else if (!isTimestamp) open.push(name!);
      i += whole.length;
    } else i++;
  }
  // The spec lets a lone voice span omit its end tag; senko always closes it, so anything left open is a fault here.
  if (open.length) problems.push(`${where}: unclosed <${open.join(">, <")}>`);
}

/** A WebVTT file holding caption or subtitle cues, checked against the W3C WebVTT syntax. */
export function checkVtt(file: string): Checked {
  const problems: string[] = [];
  const cues: CheckedCue[] = [];
  if (!/^\uFEFF?WEBVTT(?:[ \t][^\n\r]*)?(?:\n|$)/.test(file)) problems.push("the file does not start with the WEBVTT line");
  if (!/^\uFEFF?WEBVTT[^\n]*\n\n/.test(file) && file.replace(/^\uFEFF?WEBVTT[^\n]*\n?/, "") !== "") problems.push("no blank line after the header");
  if (file.includes("\r")) problems.push("carriage returns (senko writes LF only)");
  const blocks = file.split(/\n{2,}/).slice(1).filter((b) => b.trim() !== "");
  const ids = new Set<string>();
  let lastStart = -1;
  blocks.forEach((block, b) => {
    const lines = block.replace(/\n$/, "").split("\n");
    if (/^NOTE(?:$|[ \t])/.test(lines[0]!)) return;
    let k = 0;
    if (!lines[0]!.includes("-->")) {
      if (ids.has(lines[0]!)) problems.push(`cue ${b + 1}: identifier ${lines[0]} repeats`);
      ids.add(lines[0]!);
      k = 1;
    }
    const m = VTT_TIMING.exec(lines[k] ?? "");
    if (!m) {
      problems.push(`cue ${b + 1}: bad timing line "${lines[k]}"`);
      return;
    }
    const start = seconds(m[1], m[2]!, m[3]!, m[4]!);
    const end = seconds(m[5], m[6]!, m[7]!, m[8]!);
    if (!(end > start)) problems.push(`cue ${b + 1}: end ${end} is not after start ${start}`);
    if (start < lastStart) problems.push(`cue ${b + 1}: starts at ${start}, before the previous cue (${lastStart})`);
    lastStart = start;
    const payload = lines.slice(k + 1);
    if (payload.length === 0 || payload.some((l) => l.trim() === "")) problems.push(`cue ${b + 1}: empty payload line`);
    checkVttPayload(payload.join("\n"), `cue ${b + 1}`, problems);
    cues.push({ start, end, lines: payload });
  });
  return { problems, cues };
}

// Hours in two digits, more from 100 h on (as ffmpeg writes and reads them; SubRip has no other way to say them).
const SRT_TIME = String.raw`(\d{2,}):([0-5]\d):([0-5]\d),(\d{3})`;
const SRT_TIMING = new RegExp(String.raw`^${SRT_TIME} --> ${SRT_TIME}$`);

/** A SubRip file: numbered cues from 1, HH:MM:SS,mmm timings, non-empty text, one blank line between cues. */
export function checkSrt(file: string): Checked {
  const problems: string[] = [];
  const cues: CheckedCue[] = [];
  if (file === "") return { problems, cues };
  if (!file.endsWith("\n")) problems.push("the file does not end with a newline");
  if (file.includes("\r")) problems.push("carriage returns (senko writes LF only)");
  if (/\n\n\n/.test(file)) problems.push("more than one blank line between cues");
  file
    .trimEnd()
    .split("\n\n")
    .forEach((block, b) => {
      const lines = block.split("\n");
      if (lines[0] !== String(b + 1)) problems.push(`cue ${b + 1}: counter is "${lines[0]}"`);
      const m = SRT_TIMING.exec(lines[1] ?? "");
      if (!m) {
        problems.push(`cue ${b + 1}: bad timing line "${lines[1]}"`);
        return;
      }
      const start = seconds(m[1], m[2]!, m[3]!, m[4]!);
      const end = seconds(m[5], m[6]!, m[7]!, m[8]!);
      if (!(end > start)) problems.push(`cue ${b + 1}: end ${end} is not after start ${start}`);
      const text = lines.slice(2);
      if (text.length === 0 || text.some((l) => l.trim() === "")) problems.push(`cue ${b + 1}: empty text line`);
      if (text.some((l) => l.includes("-->"))) problems.push(`cue ${b + 1}: text contains "-->"`);
      cues.push({ start, end, lines: text });
    });
  return { problems, cues };
}
