/**
 * Transcripts with a known answer, in the formats `senko attribute` reads, written the way the tools
 * write them (whisper.cpp examples/cli `output_json` with -ojf, openai-whisper `transcribe` +
 * `WriteJSON`, faster-whisper's Segment/Word NamedTuples through `json.dumps`, SubRip, WebVTT with cue
 * timestamps). Words are placed inside the stretches of a reference RTTM where exactly one speaker
 * talks, so the right speaker of every word is known.
 */
import type { Turn } from "../../src/eval/rttm.ts";

export interface KnownWord {
  /** with its leading space, as whisper writes words */
  text: string;
  start: number;
  end: number;
  speaker: string;
}

/** Stretches where exactly one reference speaker is active. */
export function soloStretches(turns: readonly Turn[]): Turn[] {
  const bounds = [...new Set(turns.flatMap((t) => [t.start, t.end]))].sort((a, b) => a - b);
  const out: Turn[] = [];
  for (let i = 0; i + 1 < bounds.length; i++) {
    const [from, to] = [bounds[i]!, bounds[i + 1]!];
    const active = new Set(turns.filter((t) => t.start <= from && t.end >= to).map((t) => t.speaker));
    if (active.size !== 1) continue;
    const speaker = [...active][0]!;
    const last = out.at(-1);
    if (last && last.speaker === speaker && last.end === from) last.end = to;
    else out.push({ start: from, end: to, speaker });
  }
  return out;
}

const VOCABULARY = ["so", "the", "remote", "control", "café,", "should", "be", "naïve", "and", "cheap.", "Yeah", "I", "think", "we", "can", "do", "that?", "über", "design", "okay"];

/** Words 0.2-0.45 s long, 0.08 s apart, at least 0.06 s inside every solo stretch long enough. */
export function wordsInside(stretches: readonly Turn[]): KnownWord[] {
  const words: KnownWord[] = [];
  let n = 0;
  for (const s of stretches) {
    let t = s.start + 0.06;
    for (;;) {
      const length = 0.2 + ((n * 37) % 26) / 100;
      if (t + length > s.end - 0.06) break;
      words.push({ text: ` ${VOCABULARY[n % VOCABULARY.length]}`, start: t, end: t + length, speaker: s.speaker });
      n++;
      t += length + 0.08;
    }
  }
  return words;
}

/** Runs of words of one speaker, at most `size` long: the segments a recogniser would emit. */
function segmentsOf(words: readonly KnownWord[], size = 6): KnownWord[][] {
  const out: KnownWord[][] = [];
  for (const w of words) {
    const last = out.at(-1);
    if (last && last.length < size && last[0]!.speaker === w.speaker && w.start - last.at(-1)!.end < 0.5) last.push(w);
    else out.push([w]);
  }
  return out;
}

const text = (segment: readonly KnownWord[]) => segment.map((w) => w.text).join("");
const round2 = (t: number) => Math.round(t * 100) / 100;

/** whisper.cpp's `-ojf` file: BPE-ish tokens (a leading space starts a word), `[_BEG_]` and `[_TT_n]`
 * special tokens, and a character split between two tokens as raw bytes (so the file is not valid UTF-8). */
export function whisperCppJson(words: readonly KnownWord[]): Uint8Array {
  const cs = (t: number) => Math.round(t * 100); // whisper.cpp times are in 10 ms units
  const stamp = (c: number) => {
    const ms = c * 10;
    const p = (n: number, w = 2) => String(n).padStart(w, "0");
    return `${p(Math.floor(ms / 3_600_000))}:${p(Math.floor(ms / 60_000) % 60)}:${p(Math.floor(ms / 1000) % 60)},${p(ms % 1000, 3)}`;
  };
  const times = (t0: number, t1: number) => ({ timestamps: { from: stamp(t0), to: stamp(t1) }, offsets: { from: t0 * 10, to: t1 * 10 } });
  // Strings hold bytes, one char each: the whole file is written as Latin-1.
  const bytes = (s: string) => String.fromCharCode(...new TextEncoder().encode(s));
  const transcription = segmentsOf(words).map((segment) => {
    const t0 = cs(segment[0]!.start);
    const t1 = cs(segment.at(-1)!.end);
    const tokens = [{ text: "[_BEG_]", ...times(t0, t0), id: 50364, p: 0.9, t_dtw: -1 }];
    for (const w of segment) {
      const raw = bytes(w.text);
      // Split in three pieces by bytes: a multi-byte character is cut in two like whisper's byte-level BPE does.
      const cuts = [0, Math.ceil(raw.length / 3), Math.ceil((2 * raw.length) / 3), raw.length];
      for (let k = 0; k < 3; k++) {
        const piece = raw.slice(cuts[k], cuts[k + 1]);
        if (!piece) continue;
        const a = cs(w.start + ((w.end - w.start) * cuts[k]!) / raw.length);
        const b = cs(w.start + ((w.end - w.start) * cuts[k + 1]!) / raw.length);
        tokens.push({ text: piece, ...times(a, b), id: 1000 + k, p: 0.8, t_dtw: -1 });
      }
    }
    tokens.push({ text: `[_TT_${t1 - t0}]`, ...times(t1, t1), id: 50365 + t1 - t0, p: 0.5, t_dtw: -1 });
    return { ...times(t0, t1), text: bytes(text(segment)), tokens };
  });
  const file = {
    systeminfo: "AVX = 1 | AVX2 = 1",
    model: { type: "base", multilingual: true, vocab: 51865, audio: { ctx: 1500, state: 512, head: 8, layer: 6 }, text: { ctx: 448, state: 512, head: 8, layer: 6 }, mels: 80, ftype: 1 },
    params: { model: "models/ggml-base.bin", language: "en", translate: false },
    result: { language: "en" },
    transcription,
  };
  return Uint8Array.from(JSON.stringify(file, null, "\t"), (c) => c.charCodeAt(0));
}

/** openai-whisper's `--output_format json --word_timestamps True` file (times rounded to 10 ms as it rounds them). */
export function openaiWhisperJson(words: readonly KnownWord[]): string {
  const segments = segmentsOf(words).map((segment, id) => ({
    id,
    seek: 0,
    start: round2(segment[0]!.start),
    end: round2(segment.at(-1)!.end),
    text: text(segment),
    tokens: [50364, 1000, 50414],
    temperature: 0,
    avg_logprob: -0.3,
    compression_ratio: 1.2,
    no_speech_prob: 0.01,
    words: segment.map((w) => ({ word: w.text, start: round2(w.start), end: round2(w.end), probability: 0.9 })),
  }));
  return JSON.stringify({ text: words.map((w) => w.text).join(""), segments, language: "en" });
}

/** `json.dumps(list(segments))` of faster-whisper: Segment and Word NamedTuples become arrays in field order. */
export function fasterWhisperJson(words: readonly KnownWord[]): string {
  const segments = segmentsOf(words).map((segment, id) => [
    id,
    0,
    segment[0]!.start,
    segment.at(-1)!.end,
    text(segment),
    [50364, 1000],
    -0.3,
    1.2,
    0.01,
    segment.map((w) => [w.start, w.end, w.text, 0.9]),
    0,
  ]);
  return JSON.stringify(segments);
}

function srtTime(t: number): string {
  const ms = Math.round(t * 1000);
  const p = (n: number, w = 2) => String(n).padStart(w, "0");
  return `${p(Math.floor(ms / 3_600_000))}:${p(Math.floor(ms / 60_000) % 60)}:${p(Math.floor(ms / 1000) % 60)},${p(ms % 1000, 3)}`;
}

/** SubRip, one cue per segment (its words spread over it), or one per word as `whisper.cpp -ml 1 -osrt` writes. */
export function srt(words: readonly KnownWord[], perWord: boolean): string {
  const cues = perWord ? words.map((w) => [w]) : segmentsOf(words);
  return cues.map((c, i) => `${i + 1}\r\n${srtTime(c[0]!.start)} --> ${srtTime(c.at(-1)!.end)}\r\n<i>${text(c).trim()}</i>\r\n`).join("\r\n");
}

/** WebVTT with a cue per segment and a cue timestamp before every word, escaped, with a NOTE and a STYLE block. */
export function vtt(words: readonly KnownWord[]): string {
  const t = (s: number) => srtTime(s).replace(",", ".");
  const cues = segmentsOf(words).map((c) => {
    const body = c.map((w) => `<${t(w.start)}><c>${w.text.replaceAll("&", "&amp;")}</c>`).join("");
    // A cue timestamp must come after the cue's start: the cue opens 30 ms before its first word.
    return `${t(c[0]!.start - 0.03)} --> ${t(c.at(-1)!.end)} align:start position:0%\n<v Someone>${body}</v>\n`;
  });
  return `WEBVTT\nKind: captions\n\nSTYLE\n::cue { color: yellow }\n\nNOTE made for the test\n\n${cues.join("\n")}`;
}

/**
 * Subtitles as openai-whisper writes them with `--word_timestamps True --highlight_words True` (WhisperX and
 * whisper-ctranslate2 share its writers): per segment, a cue per word repeating the segment's text with that
 * word in `<u>`, and a cue of the bare text over each gap between words. WebVTT times leave out zero hours.
 */
export function highlighted(words: readonly KnownWord[], format: "srt" | "vtt"): string {
  const time = (t: number) => {
    const stamp = srtTime(t);
    return format === "srt" ? stamp : stamp.replace(",", ".").replace(/^00:/, "");
  };
  const cues: string[] = [];
  for (const segment of segmentsOf(words)) {
    const line = text(segment).trim();
    let last = time(segment[0]!.start);
    segment.forEach((word, i) => {
      const [start, end] = [time(word.start), time(word.end)];
      if (last !== start) cues.push(`${last} --> ${start}\n${line}\n`);
      cues.push(`${start} --> ${end}\n${segment.map((w, j) => (j === i ? w.text.replace(/^(\s*)(.*)$/, "$1<u>$2</u>") : w.text)).join("").trim()}\n`);
      last = end;
    });
  }
  return format === "srt" ? cues.map((c, i) => `${i + 1}\n${c}`).join("\n") : `WEBVTT\n\n${cues.join("\n")}`;
}

/**
 * YouTube's automatic captions as yt-dlp saves them (WebVTT, rolling): each line of words gets a cue that
 * shows the previous line above it and the new words with a cue timestamp each (`<00:00:01.234><c> word</c>`,
 * the first word at the cue's start), then a 10 ms cue holding the line alone, then the next line's cue
 * carrying it up. The first cue's upper line is a single space (not a blank line: it does not end the cue).
 */
export function rollingVtt(words: readonly KnownWord[]): string {
  const t = (s: number) => srtTime(s).replace(",", ".");
  const cues: string[] = [];
  let above = " ";
  const lines = segmentsOf(words);
  lines.forEach((line, i) => {
    const [first, ...rest] = line;
    // Speech going on: the line stays until 10 ms before the next one, as YouTube's cues follow each other.
    const next = lines[i + 1]?.[0];
    const end = next && next.speaker === first!.speaker && next.start - line.at(-1)!.end < 0.5 ? next.start - 0.01 : line.at(-1)!.end;
    const body = first!.text.trim() + rest.map((w) => `<${t(w.start)}><c>${w.text}</c>`).join("");
    cues.push(`${t(first!.start)} --> ${t(end)} align:start position:0%\n${above}\n${body}\n`);
    above = text(line).trim();
    cues.push(`${t(end)} --> ${t(end + 0.01)} align:start position:0%\n${above}\n \n`);
  });
  return `WEBVTT\nKind: captions\nLanguage: en\n\n${cues.join("\n")}`;
}
