/** `senko status` as read on a terminal: the lines formatStatus writes for each kind of job. */
import { expect, test } from "bun:test";
import { formatStatus, type QueueStatus } from "../src/queue/status.ts";

test("done jobs: their outputs and speaker count, '1 speaker' not '1 speakers'", () => {
  const done = (file: string, speakers: number | undefined) => ({ jobId: `j-${file}`, file, outputs: [`out/${file}.json`], speakers, finishedAt: undefined });
  const status: QueueStatus = {
    counts: { waiting: 0, active: 0, done: 4, failed: 1 },
    workers: 2,
    active: [],
    failed: [{ jobId: "jf", file: "in/bad.wav", message: "in/bad.wav: file not found", attempts: 1 }],
    done: [done("a", 0), done("b", 1), done("c", 2), done("d", undefined)],
  };
  expect(formatStatus(status)).toBe(
    [
      "waiting 0  active 0  done 4  failed 1  (workers 2)",
      "failed (latest 1):",
      "  in/bad.wav: file not found",
      "done (latest 4):",
      "  a -> out/a.json  (0 speakers)",
      "  b -> out/b.json  (1 speaker)",
      "  c -> out/c.json  (2 speakers)",
      "  d -> out/d.json",
      "",
    ].join("\n"),
  );
});
