/** @module UEM (un-partitioned evaluation map) files: the time spans of each file that are scored. */
import type { TimeSpan } from "../types.ts";
import { AnnotationFormatError, dataLines, parseTime } from "./rttm.ts";

/**
 * Reads `<file> <channel> <start> <end>` lines into spans per file id, in file order. Blank lines
 * and comments are skipped; a malformed line throws AnnotationFormatError naming `source` and the line.
 */
export function readUem(text: string, source = "<uem>"): Map<string, TimeSpan[]> {
  const files = new Map<string, TimeSpan[]>();
  for (const { fields, line } of dataLines(text)) {
    if (fields.length !== 4) {
      throw new AnnotationFormatError(`UEM line has ${fields.length} fields, expected '<file> <channel> <start> <end>'`, source, line);
    }
    const start = parseTime(fields[2]!, "start", source, line);
    const end = parseTime(fields[3]!, "end", source, line);
    if (end < start) throw new AnnotationFormatError(`end ${fields[3]} is before start ${fields[2]}`, source, line);
    const file = fields[0]!;
    let spans = files.get(file);
    if (!spans) files.set(file, (spans = []));
    spans.push({ start, end });
  }
  return files;
}
