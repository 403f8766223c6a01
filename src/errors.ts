/** @module Typed errors. Every failure a user can cause is one of these, with one readable message. */

/** `text` on one line: a user sees one line per failure, whatever a library below wrote. */
export const oneLine = (text: string): string => text.replace(/\s*\n\s*/g, " ");

/** A value as a message quotes it: a string in quotes, a number as written (JSON writes Infinity and NaN as null). */
export const quoted = (value: unknown): string => (typeof value === "number" ? String(value) : JSON.stringify(value));

/**
 * Every failure a caller can cause (a bad option, input or model file, a call after close()) is a SenkoError or
 * one of its subclasses, with a readable one-line message; `cause` holds the error underneath, when there is one.
 */
export class SenkoError extends Error {
  override readonly name: string = "SenkoError";
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/**
 * The native library could not be found or loaded, or a native call failed. The message is one line (the
 * loader's own text included); `tried` lists each place libsenko was looked for.
 */
export class NativeLibraryError extends SenkoError {
  override readonly name = "NativeLibraryError";
  constructor(
    message: string,
    /** each place libsenko was looked for, and what was there */
    readonly tried: readonly string[] = [],
    options?: { cause?: unknown },
  ) {
    super(oneLine(message), options);
  }
}

/**
 * A model could not be fetched, verified or loaded. The message is one line (onnxruntime's own text included);
 * `tried` lists each place the model was looked for, and why it did not serve.
 */
export class ModelLoadError extends SenkoError {
  override readonly name = "ModelLoadError";
  /** each place the model was looked for, and why it did not serve */
  readonly tried: readonly string[];
  constructor(
    message: string,
    /** the model's id in models/manifest.json ("pyannote-segmentation", "campplus", "silero-vad"), or "lanes" for an inference worker that failed */
    readonly modelId: string,
    options?: { cause?: unknown; tried?: readonly string[] },
  ) {
    super(oneLine(message), options);
    this.tried = options?.tried ?? [];
  }
}

/** The input audio is missing, unreadable or in a format senko does not read. */
export class AudioFormatError extends SenkoError {
  override readonly name = "AudioFormatError";
  constructor(
    message: string,
    /** the input as messages name it: its path, or "<bytes>", "<samples>", "<input>" */
    readonly file: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** A result file could not be written (`path` names it). */
export class OutputError extends SenkoError {
  override readonly name = "OutputError";
  constructor(
    message: string,
    /** the file that could not be written */
    readonly path: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** An option has a value that cannot work. */
export class ConfigError extends SenkoError {
  override readonly name = "ConfigError";
}

/** A transcript (or diarization file given with it) that senko cannot read; `file` names it. */
export class TranscriptFormatError extends SenkoError {
  override readonly name = "TranscriptFormatError";
  constructor(
    message: string,
    /** the transcript (or diarization file) that could not be read */
    readonly file: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** The job queue's Redis could not be reached, or refused a command (`url` names it, without a password). */
export class QueueError extends SenkoError {
  override readonly name = "QueueError";
  /**
   * true when the URL cannot work as given (a password refused or missing, a host that does not exist, a server
   * there that is not a Redis taking clients): trying again cannot help (the CLI's exit 2); false when Redis is away
   */
  readonly userError: boolean;
  constructor(
    message: string,
    /** the Redis URL, without its password */
    readonly url: string,
    options?: { cause?: unknown; userError?: boolean },
  ) {
    super(message, options);
    this.userError = options?.userError ?? false;
  }
}

/** A mistake in the command line (exit code 2). */
export class UsageError extends SenkoError {
  override readonly name = "UsageError";
}

/** A failure of the input or the options, the same on any machine (the CLI's exit code 2; a queue job not retried). */
export function isUserError(error: unknown): boolean {
  return (
    error instanceof UsageError ||
    error instanceof AudioFormatError ||
    error instanceof ConfigError ||
    error instanceof OutputError ||
    error instanceof TranscriptFormatError ||
    (error instanceof QueueError && error.userError)
  );
}
