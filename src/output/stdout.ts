/**
 * Writes the CLI's results to stdout. A reader that has gone (`| head` closed the pipe) is not an error: the
 * caller stops writing. Any other failure (a full disk behind `>`) is an OutputError with one line.
 */
import { outputError } from "./writers.ts";

/** Writes `text` to stdout and waits until it is written; false if its reader has gone. */
export function writeStdout(text: string): Promise<boolean> {
  // The failure is handled here, from the write's callback; unheard, its 'error' event would end the process with a trace.
  if (process.stdout.listenerCount("error") === 0) process.stdout.on("error", () => {});
  return new Promise((resolve, reject) =>
    process.stdout.write(text, (error) => {
      if (!error) resolve(true);
      else if ((error as NodeJS.ErrnoException).code === "EPIPE") resolve(false);
      else reject(outputError("stdout", error, "write to"));
    }),
  );
}
