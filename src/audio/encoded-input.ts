/**
 * @module An audio file given another way than by its path or a Uint8Array of its bytes: a file: URL, a
 * Bun.file() (read by its path, so that a large file is never held whole and ffmpeg may seek in it), any
 * other Blob, or an ArrayBuffer, taken as the path or the bytes readAudio reads. No temporary file: bytes
 * that are not WAV are piped to ffmpeg.
 */
import { statSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { AudioFormatError } from "../errors.ts";

/** The path or bytes of the file, and the name messages give it when the caller names none. */
export interface EncodedFile {
  file: string | Uint8Array;
  name: string | undefined;
}

/**
 * The path of a Bun.file() made from one, whole; undefined for other Blobs (a `new File()`, a slice,
 * Bun.file(fd)), which are read as bytes. Every Blob has Bun's `name` and `exists` here, a File too, and a
 * slice keeps its file's name: a path is the name of no File whose size is the file's (or no file at all,
 * which reading by the path reports).
 */
function bunFilePath(blob: Blob): string | undefined {
  const { name } = blob as Partial<Bun.BunFile>;
  if (blob instanceof File || typeof name !== "string" || name === "") return undefined;
  const stat = statSync(name, { throwIfNoEntry: false });
  return stat === undefined || !stat.isFile() || stat.size === blob.size ? name : undefined;
}

/** A string that is a URL (`https://host/talk.mp3`, `s3://bucket/key`, `file:///tmp/talk.wav`), not a path. */
export const URL_STRING = /^[a-z][a-z0-9+.-]*:\/\//i;

/**
 * What "file not found" adds for a path that is a URL: a string is read as a path and nothing is downloaded (a
 * download wants its own timeout, retries and headers), so say so rather than only that no such file exists.
 */
export function urlPathNote(path: string): string {
  if (!URL_STRING.test(path)) return "";
  if (/^file:/i.test(path)) {
    try {
      return ` (a file: URL; give its path: ${fileURLToPath(path)})`;
    } catch {
      return " (a file: URL; give its path)";
    }
  }
  return ` (it is a URL, and senko reads files only: download it first${/^s3:/i.test(path) ? "; senko submit reads s3:// inputs" : ""})`;
}

/** `input` as a path or bytes when it is one of the kinds this module reads; undefined for anything else. */
export async function encodedFile(input: unknown): Promise<EncodedFile | undefined> {
  if (input instanceof ArrayBuffer) return { file: new Uint8Array(input), name: "<bytes>" };
  if (input instanceof URL) {
    if (input.protocol !== "file:") {
      // Not fetched here: a download wants its own timeout, retries and headers, which the caller chooses.
      throw new AudioFormatError(
        `${input.href}: only file: URLs are read; fetch a ${input.protocol} URL yourself and pass its bytes (new Uint8Array(await (await fetch(url)).arrayBuffer()))`,
        input.href,
      );
    }
    let path: string;
    try {
      path = fileURLToPath(input);
    } catch (error) {
      // e.g. a host (file://server/share/a.wav) on Linux and macOS
      throw new AudioFormatError(`${input.href}: not a file URL of this machine (${(error as Error).message})`, input.href, { cause: error });
    }
    return { file: path, name: path };
  }
  if (input instanceof Blob) {
    const path = bunFilePath(input);
    if (path !== undefined) return { file: path, name: path };
    const name = input instanceof File && input.name !== "" ? input.name : "<bytes>";
    try {
      return { file: new Uint8Array(await input.arrayBuffer()), name };
    } catch (error) {
      throw new AudioFormatError(`${name}: cannot be read: ${(error as Error).message}`, name, { cause: error });
    }
  }
  return undefined;
}
