/**
 * @module What a path names, as reading audio from it needs to know: a regular file is opened, sized and read
 * at offsets; a pipe (a FIFO, or the /dev/fd/N a process substitution `<(command)` gives) gives its bytes once,
 * with no end to seek to, so it is read as a stream, as stdin is; a directory, a device or a socket is no
 * recording (a device such as /dev/zero never ends, a socket cannot be opened as a file).
 */
import { statSync, type Stats } from "node:fs";

export type FileKind = "file" | "pipe" | "directory" | "device" | "socket";

/** The kind of the file `stat` describes. */
export function kindOf(stat: Stats): FileKind {
  if (stat.isFile()) return "file";
  if (stat.isFIFO()) return "pipe";
  if (stat.isDirectory()) return "directory";
  if (stat.isSocket()) return "socket";
  return "device";
}

/** The kind of what `path` names (links followed); undefined when it cannot be stat'ed (reading it says why). */
export function fileKind(path: string): FileKind | undefined {
  try {
    return kindOf(statSync(path));
  } catch {
    return undefined;
  }
}

/** Why a file of `kind` is not read as a recording (after "<name>: "); undefined for the kinds that are read. */
export function unreadableKind(kind: FileKind): string | undefined {
  if (kind === "directory") return "is a directory, not an audio file";
  if (kind === "device") return "is a device, not an audio file";
  if (kind === "socket") return "is a socket, not an audio file";
  return undefined;
}

/**
 * Whether `path` names an open descriptor by its number (/dev/fd/63, /proc/self/fd/63: what `<(command)` gives):
 * a name that says nothing of the recording, which results named after it would carry.
 */
export function namesDescriptorNumber(path: string): boolean {
  return /^\/(dev|proc\/(self|\d+))\/fd\/\d+$/.test(path);
}
