/**
 * @module senko: speaker diarization for Bun. `Diarizer` runs the whole pipeline; every stage is also
 * exported on its own, so a script can take only what it needs (e.g. readAudio + detectSpeech + embed).
 */
export { Diarizer, type DiarizationResult, type DiarizeOptions, type DiarizerOptions, type Progress, type Stage, type TimingStats } from "./diarizer.ts";
export { ComputeContext, releaseModels, type ContextOptions } from "./compute-context.ts";

// Pipelines: the contract, the registry the `pipeline` option chooses from, and the implementations.
export type { CommonPipelineOptions, DiarizationPipeline, PipelineRun } from "./pipeline/diarization-pipeline.ts";
export { DEFAULT_PIPELINE, PIPELINES, pipelineNames, type PipelineName } from "./pipeline/registry.ts";
export { vadWindows, type VadWindowsOptions } from "./pipeline/vad-windows.ts";

// Naming known voices: the `voices` option, `diarizer.voicePrint(clip)` and saved prints.
export { loadVoicePrint, saveVoicePrint, type VoicePrint } from "./voices/voice-print.ts";
export { VOICE_MATCH_THRESHOLDS, type SpeakerVoice } from "./voices/name-speakers.ts";
export type { Voices, VoiceSource } from "./voices/voice-sources.ts";

// Live: audio pushed as it arrives (`diarizer.live(options)`).
export { LiveDiarization, type LiveCallOptions, type LiveOptions, type LiveSnapshot, type LiveTurn } from "./live/session.ts";

// Stages, in pipeline order.
export { probeAudio, readAudio, type AudioData, type AudioFileInput, type AudioInput, type AudioProbe, type RawAudio, type ReadAudioOptions } from "./audio/index.ts";
export { detectSpeech, type DetectSpeechOptions, type VadChoice } from "./pipeline/speech.ts";
export { subsegment, type SubsegmentOptions } from "./pipeline/subsegment.ts";
export { extractFbank, extractFbankSync, type FbankOptions } from "./features/fbank.ts";
export { embed, type SpansInput } from "./pipeline/embed.ts";
export { prepareModels, EMBEDDING_DIM, type Device, type EmbedOptions, type PrepareOptions } from "./models/index.ts";
export { cluster, type ClusterMethod, type ClusterOptions, type ClusterResult } from "./cluster/cluster.ts";
export { mergeSegments, overlapSeconds, overlapSpans, speakerSimilarity, toSegments, type SegmentOptions, type SegmentsResult } from "./pipeline/segments.ts";

// Output.
export { speakerColors, speakerColorSets } from "./output/colors.ts";
export { formatResult, OUTPUT_FORMATS, toCsv, toJson, toRttm, toText, type FormatContext, type OutputFormat } from "./output/writers.ts";
export { diarizationCues, toSrt, toVtt, writeSrt, writeVtt, type Cue, type SubtitleOptions, type SubtitleView } from "./output/subtitles.ts";
export { exclusiveSegmentsOf, exclusiveView } from "./output/exclusive.ts";
export { audioSource, EMBED_AUDIO_MAX_BYTES, timelineData, toHtml, type HtmlOptions, type TimelineInput } from "./output/html.ts";

// Who said what: transcripts attributed to speakers.
export { parseTranscript, readTranscript } from "./transcript/read.ts";
export { attributeTranscript, attributeWords, speakerTurns, type AttributedTranscript, type AttributedWord, type SpeakerTurn } from "./transcript/attribute.ts";
export { formatTranscript, transcriptCues, transcriptJson, transcriptToJson, transcriptToText, NO_SPEAKER, type TranscriptOutputFormat } from "./transcript/write.ts";
export type { TimedWord, Transcript, TranscriptFormat } from "./transcript/words.ts";

// Many files on many machines: a job queue on Redis (BullMQ loads on first use).
export {
  queueStatus,
  startWorker,
  submitFiles,
  type JobDiarizationOptions,
  type JobResult,
  type QueueStatus,
  type QueueWorker,
  type SubmitOptions,
  type Submission,
  type WorkerEvent,
  type WorkerOptions,
} from "./queue/index.ts";

// Scoring against a reference.
export { diarizationErrorRate, readRttm, readUem, scoreFiles, writeRttm, type DerComponents, type DerReport, type Turn } from "./eval/index.ts";

export { AudioFormatError, ConfigError, ModelLoadError, NativeLibraryError, OutputError, QueueError, SenkoError, TranscriptFormatError } from "./errors.ts";
export type { Embeddings, FbankFeatures, PipelineResult, ResultTurns, Segment, TimeSpan } from "./types.ts";
export { VERSION } from "./version.ts";
export { setLibraryPath } from "./ffi.ts";
