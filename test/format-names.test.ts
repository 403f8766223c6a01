/** Format and other value names are taken in any case where a user types them (`--format=RTTM`); an unknown one keeps its message. */
import { expect, test } from "bun:test";
import { oneOf, secondsOrOff } from "../src/cli/flag-values.ts";
import { formatList, planOutputs } from "../src/cli/output-plan.ts";
import type { DiarizationResult } from "../src/diarizer.ts";
import { ConfigError } from "../src/errors.ts";
import { rawLayout } from "../src/live/cli.ts";
import { DEVICES } from "../src/models/execution-provider.ts";
import { formatResult, type OutputFormat } from "../src/output/writers.ts";
import { submitFiles } from "../src/queue/submit.ts";
import { formatTranscript, type TranscriptOutputFormat } from "../src/transcript/write.ts";

const message = (run: () => unknown) => {
  try {
    run();
    return "no error";
  } catch (error) {
    return `${(error as Error).constructor.name}: ${(error as Error).message}`;
  }
};

test("CLI flags: --format, --device, --raw-format in any case; an unknown value refused as before", () => {
  expect(formatList("RTTM")).toEqual(["rttm"]);
  expect(formatList("Json, TEXT")).toEqual(["json", "text"]);
  expect(message(() => formatList("rttm,RTTM"))).toBe("UsageError: --format lists a format twice: rttm,RTTM");
  expect(message(() => formatList("xml"))).toBe('UsageError: --format must be one of json, rttm, csv, text, srt, vtt, html, got "xml"');
  expect(planOutputs({ format: "SRT", out: "talk.SRT" }, ["talk.wav"]).formats).toEqual(["srt"]);
  // .htm is a page too; an extension of no format gives JSON, as --help says.
  expect(planOutputs({ out: "talk.HTM" }, ["talk.wav"]).formats).toEqual(["html"]);
  expect(planOutputs({ out: "talk.xml" }, ["talk.wav"]).formats).toEqual(["json"]);
  expect(oneOf("device", "CPU", DEVICES)).toBe("cpu");
  expect(secondsOrOff("min-cluster-speech", "OFF")).toBe(Infinity);
  const usage = (text: string) => new Error(text);
  expect(rawLayout({ rate: 8000, format: "S16LE" }, usage)).toMatchObject({ sampleRate: 8000, encoding: "pcm_s16" });
  expect(message(() => rawLayout({ rate: 8000, format: "mp3" }, usage))).toBe('Error: --raw-format must be one of u8, s16le, s24le, s32le, f32le, f64le, got "mp3"');
});

test("the API: formatResult, formatTranscript and submitFiles take a format in any case and refuse an unknown one (not `undefined` written)", async () => {
  const result = { mergedSegments: [{ start: 1, end: 2.5, speaker: "SPEAKER_01" }] } as unknown as DiarizationResult;
  expect(formatResult(result, "RTTM" as OutputFormat, "talk.wav")).toBe(formatResult(result, "rttm", "talk.wav"));
  expect(message(() => formatResult(result, "xml" as OutputFormat, "talk.wav"))).toBe('ConfigError: format must be one of json, rttm, csv, text, srt, vtt, html, got "xml"');
  const transcript = { format: "srt", estimated: 0, turns: [{ speaker: "SPEAKER_01", start: 1, end: 2, text: "hello", words: [{ start: 1, end: 2, text: "hello" }] }] };
  const attributed = transcript as unknown as Parameters<typeof formatTranscript>[0];
  expect(formatTranscript(attributed, "SRT" as TranscriptOutputFormat)).toBe(formatTranscript(attributed, "srt"));
  expect(message(() => formatTranscript(attributed, "csv" as TranscriptOutputFormat))).toBe('ConfigError: a transcript\'s format must be one of text, srt, vtt, json, got "csv"');
  // Refused before Redis is asked for anything (a worker would have written results named x.undefined).
  const refused = await submitFiles(["talk.wav"], { redis: "redis://127.0.0.1:1", outDir: "out", formats: ["xml" as OutputFormat] }).catch((error) => error);
  expect(refused).toBeInstanceOf(ConfigError);
  expect(refused.message).toBe('format must be one of json, rttm, csv, text, srt, vtt, html, got "xml"');
});
