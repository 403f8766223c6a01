/** @module What `senko <audio>` takes: its parseArgs table and its `--help`, which lists each option (test/docs.test.ts). */
import type { ParseArgsOptionsConfig } from "node:util";
import { UMAP_FROM_SEC } from "../cluster/cluster.ts";
import { POSTPROCESS_DEFAULTS } from "../cluster/postprocess.ts";
import { LIVE_HELP } from "../live/cli.ts";
import { EMBED_AUDIO_MAX_BYTES } from "../output/html.ts";
import { DEFAULT_MIN_CLUSTER_SIZE, DEFAULT_MIN_CLUSTER_SPEECH_SEC } from "../pipeline/overlap/constrained-clustering.ts";
import { DEFAULT_PIPELINE, PIPELINES, pipelineNames } from "../pipeline/registry.ts";
import { WINDOWS } from "../pipeline/subsegment.ts";
import { THREADS_MAX } from "../thread-pool.ts";
import { VERSION } from "../version.ts";
import { VOICE_MATCH_THRESHOLDS } from "../voices/name-speakers.ts";
import { DIARIZATION_FLAGS } from "./diarization-flags.ts";
import { VOICE_FLAGS } from "./voice-flags.ts";

/** The options of `senko <audio>` (and `senko attribute`); `--help` and the README list each of them (test/docs.test.ts). */
export const CLI_OPTIONS = {
  out: { type: "string", short: "o" },
  "out-dir": { type: "string" },
  format: { type: "string", short: "f" },
  rttm: { type: "string" },
  transcript: { type: "string" },
  ...DIARIZATION_FLAGS,
  ...VOICE_FLAGS,
  device: { type: "string" },
  threads: { type: "string" },
  "models-dir": { type: "string" },
  colors: { type: "boolean" },
  live: { type: "boolean" },
  "raw-rate": { type: "string" },
  "raw-format": { type: "string" },
  "raw-channels": { type: "string" },
  quiet: { type: "boolean", short: "q" },
  version: { type: "boolean", short: "v" },
  help: { type: "boolean", short: "h" },
} as const satisfies ParseArgsOptionsConfig;

/** `--help`, its usage lines naming `command`: what the user ran (see scriptCommand). */
export const help = (command: string) => `senko ${VERSION}: who spoke when

usage: ${command} <audio...> [options]
       ${command} attribute <transcript> <diarization.json|.rttm> [--format text|srt|vtt|json] [--out <file>] [-q]
       ${command} voice-print <clip> --out <print.json>  a known speaker's voice print, for --voice (see ${command} voice-print --help)
       ${command} models [--offline] [--models-dir <dir>] [--cache-dir <dir>] [--json]  fetch and verify the models ahead of time
       ${command} submit|worker|status --redis <url> ...  a job queue for many files on many machines (see ${command} submit --help)

Inputs are WAV files (any PCM/float encoding, rate and channel count), anything ffmpeg reads
(mp3, m4a, flac, ogg, opus, video...), glob patterns ("calls/*.wav", quoted), or - for stdin;
a file whose name starts with - is given as ./-notes.wav.
All inputs are checked before the models load (a bad one is reported at once and skipped); then the
others are diarized one after another with the same models.

output:
  -o, --out <file|->     where the result goes (one input only); - is stdout (the default)
  --out-dir <dir>        one file per input and format: <dir>/<input name>.<json|rttm|csv|txt|srt|vtt|html>
                         (the directory is created if needed)
  -f, --format <f[,f...]>
                         json | rttm | csv | text | srt | vtt | html; several, comma-separated, with
                         --out-dir (default: from the --out extension, else json for files, text for
                         stdout); srt and vtt: a subtitle per speaker turn, one speaker at a time;
                         html: a page with the timeline and a player (audio embedded up to ${EMBED_AUDIO_MAX_BYTES / 2 ** 20} MiB,
                         else linked by a path relative to the page)
  --rttm <file>          also write RTTM (one input only)
  --colors               add speaker colour palettes to the JSON
  --transcript <file>    who said what: a word-timed transcript of the input (whisper.cpp -ojf JSON,
                         openai-whisper / faster-whisper JSON, SRT, WebVTT); text, srt and vtt then
                         hold its words in speaker turns, json gets a "transcript" field, html lists
                         the turns under the timeline (one input; not with rttm or csv alone)
diarization:
  --pipeline <name>      ${pipelineNames().join(" | ")} (default ${DEFAULT_PIPELINE})
${pipelineNames().map((name) => `                           ${name}: ${PIPELINES[name].description}`).join("\n")}
  --num-speakers <n>     exactly n speakers
  --min-speakers <n>     at least n speakers
  --max-speakers <n>     at most n speakers
  --min-cluster-speech <s|off>
                         overlap-aware: keep a speaker with few embeddings when heard alone for s
                         seconds in windows of its own (default ${DEFAULT_MIN_CLUSTER_SPEECH_SEC}); off: fold every speaker with
                         fewer than ${DEFAULT_MIN_CLUSTER_SIZE} embeddings (pyannote's rule)
  --cluster <method>     vad-windows: agglomerative | auto | spectral | umap-hdbscan (default
                         agglomerative; auto is Senko's: spectral under ${UMAP_FROM_SEC / 60} minutes, UMAP + HDBSCAN from ${UMAP_FROM_SEC / 60})
  --merge-cosine <x>     vad-windows: merge speakers whose mean embeddings have at least this cosine
                         (default ${POSTPROCESS_DEFAULTS.mergeCosine})
  --windows <w>          vad-windows: default (${WINDOWS.default.windowSec} s every ${WINDOWS.default.shiftSec} s) | accurate (${WINDOWS.accurate.windowSec} s every ${WINDOWS.accurate.shiftSec.toFixed(2)} s,
                         Senko's accurate)
  --vad <v>              vad-windows: silero | pyannote | auto (default auto: pyannote on CUDA, else silero)
  --voice <NAME=FILE>    name a known speaker (repeatable): FILE is a clip of that speaker alone or
                         a saved voice print .json; the speaker who matches takes NAME in every
                         output, the others stay SPEAKER_xx (--live too; a print: senko voice-print)
  --voice-threshold <x>  the cosine similarity a speaker needs with a voice to take its name (default
                         ${VOICE_MATCH_THRESHOLDS["overlap-aware"]} overlap-aware, ${VOICE_MATCH_THRESHOLDS["vad-windows"]} vad-windows): higher names fewer speakers, lower
                         risks naming a stranger (README, Naming known voices)
  --device <d>           auto | cpu | cuda | coreml | directml (default auto: the
                         platform's accelerator when it can run, else the CPU)
  --threads <n>          threads for the native stages and the models (default: one per CPU;
                         at most ${THREADS_MAX})
  --models-dir <dir>     a folder holding the model files (default: $SENKO_MODELS_DIR, then the cache;
                         see ${command} models --help)
${LIVE_HELP}
other:
  -q, --quiet            nothing on stderr but errors (no progress bar, summary or warnings)
  -v, --version          print the version
  -h, --help             this text

On a terminal a progress bar per stage is drawn on stderr; each input gets a summary there: counts,
the turns (unless they go to stdout) and the seconds each stage took.
Output files are written under a temporary name and renamed, so they are never half-written; an input's
files (its formats, --rttm) land together or not at all.
If an input fails, it gets no output, the others still run, and the exit code is 2.
Ctrl-C or SIGTERM stops at once with one line; finished inputs keep their outputs, the others none.
Exit codes: 0 done, 2 bad input or usage (one line on stderr), 1 anything else; 130 (Ctrl-C) and 143
(SIGTERM) as the shell reports a process the signal ended.

examples:
  senko meeting.wav                                  speaker turns as text on stdout
  senko meeting.mp3 --out meeting.json               the full result as JSON
  senko podcast.wav --num-speakers 2 --format rttm   RTTM on stdout
  senko talk.mp4 --out talk.srt                      subtitles: a cue per speaker turn
  senko meeting.wav --out meeting.html               a timeline to look at and listen to
  senko "calls/*.wav" --out-dir results --format json,rttm --quiet
  ffmpeg -i talk.mkv -f wav - | senko - --format csv
  senko interview.wav --voice Alice=alice.wav --voice Bob=bob.json   Alice and Bob by name
  senko talk.wav --transcript talk.json --out talk.vtt   subtitles of who said what
  senko attribute talk.srt talk.rttm --format text       the same from a diarization made before
  arecord -f S16_LE -r 16000 -c 1 -t wav | senko --live - --out meeting.json   who speaks, while they speak
  ffmpeg -re -i talk.mp4 -f wav - | senko --live - --out talk.rttm
`;
