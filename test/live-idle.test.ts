import { afterAll, expect, test } from "bun:test";
import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileChunks } from "../src/live/input.ts";
import { fmtChunk, wavChunk, wavFile } from "./helpers/wav.ts";

// Each test follows its own file and mostly waits on timers (seconds of them): they run at once.
const dir = mkdtempSync(join(tmpdir(), "senko-live-idle-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Follows `path` until it ends or `afterMs` passes: what was read, what `idle` was told, and how it ended. */
async function follow(path: string, afterMs: number) {
  const stop = new AbortController();
  const told: string[] = [];
  let read = 0;
  const done = (async () => {
    for await (const chunk of fileChunks(path, stop.signal, { wav: true, warn: () => {}, idle: (m) => told.push(m), pollMs: 20 })) read += chunk.length;
    return "ended";
  })();
  const ended = await Promise.race([done, Bun.sleep(afterMs).then(() => "still following")]);
  stop.abort();
  await done;
  return { read, told, ended };
}

test.concurrent("a WAV file short of the length its header declares is followed with one line saying so; a whole one ends without it", async () => {
  const fmt = fmtChunk({ tag: 1, channels: 1, rate: 16000, bits: 16 });
  const declaring = wavFile([fmt, wavChunk("data", new Uint8Array(32000))]);
  const whole = wavFile([fmt, wavChunk("data", new Uint8Array(3200))]);
  const cut = join(dir, "cut.wav");
  const complete = join(dir, "whole.wav");
  writeFileSync(cut, declaring.subarray(0, 1644)); // a writer stopped 1600 bytes into 32000
  writeFileSync(complete, whole);
  const [short, full] = await Promise.all([follow(cut, 4500), follow(complete, 4500)]);
  expect(short.ended).toBe("still following");
  expect(short.read).toBe(1644);
  expect(short.told).toEqual([
    `${cut}: has not grown for 2 s and holds 1644 of the ${declaring.length} bytes its header declares: waiting for more (Ctrl-C ends and writes the result)`,
  ]);
  expect(full).toEqual({ read: whole.length, told: [], ended: "ended" });
});

test.concurrent("no 'waiting for more' once the session is stopping: Ctrl-C or SIGHUP came while the reader's consumer was busy", async () => {
  const fmt = fmtChunk({ tag: 1, channels: 1, rate: 16000, bits: 16 });
  const open = wavFile([fmt, wavChunk("data", new Uint8Array(3200))]);
  const view = new DataView(open.buffer, open.byteOffset);
  view.setUint32(4, 0xffffffff, true); // sizes left open, as a recorder writes them
  view.setUint32(open.length - 3200 - 4, 0xffffffff, true);
  const path = join(dir, "busy.wav");
  writeFileSync(path, open);
  const stop = new AbortController();
  const told: string[] = [];
  const chunks = fileChunks(path, stop.signal, { wav: true, warn: () => {}, idle: (m) => told.push(m), pollMs: 20 });
  expect((await chunks.next()).value?.length).toBe(open.length);
  // The consumer works on that chunk for longer than the quiet time, and the stop comes meanwhile.
  stop.abort();
  await Bun.sleep(2100);
  expect((await chunks.next()).done).toBe(true);
  expect(told).toEqual([]);
});

/** A WAV of `blocks` blocks of `blockBytes` of samples with its sizes left open, as ffmpeg writes one, cut into those blocks (the header in the first). */
function openWavBlocks(blocks: number, blockBytes: number): Uint8Array[] {
  const open = wavFile([fmtChunk({ tag: 1, channels: 1, rate: 16000, bits: 16 }), wavChunk("data", new Uint8Array(blocks * blockBytes))]);
  const view = new DataView(open.buffer, open.byteOffset);
  view.setUint32(4, 0xffffffff, true);
  view.setUint32(open.length - blocks * blockBytes - 4, 0xffffffff, true);
  const headerBytes = open.length - blocks * blockBytes;
  return Array.from({ length: blocks }, (_, i) => open.subarray(i === 0 ? 0 : headerBytes + i * blockBytes, headerBytes + (i + 1) * blockBytes));
}

/** Follows `path` while `write` runs, then `afterMs` more: what `idle` was told and the bytes read. */
async function followWhile(path: string, write: () => Promise<void>, afterMs: number, quietMs?: number) {
  const stop = new AbortController();
  const told: string[] = [];
  let read = 0;
  const following = (async () => {
    for await (const chunk of fileChunks(path, stop.signal, { wav: true, warn: () => {}, idle: (m) => told.push(m), pollMs: 20, quietMs })) read += chunk.length;
  })();
  await write();
  const toldWhileWriting = [...told];
  await Bun.sleep(afterMs);
  stop.abort();
  await following;
  return { toldWhileWriting, told, read };
}

/**
 * ffmpeg writes a file in 256 KiB blocks, 8 s of 16 kHz 16-bit mono apart, and nothing before the first: the line
 * came 2 s into its first wait, as if it had stopped. Here an empty file for 2.6 s, then blocks 3 s apart.
 */
test.concurrent("a writer in blocks is not said to have stopped before its first block, nor between blocks longer than 2 s apart", async () => {
  const path = join(dir, "ffmpeg-like.wav");
  writeFileSync(path, new Uint8Array(0));
  const blocks = openWavBlocks(2, 8000);
  const { told } = await followWhile(path, async () => {
    for (const [i, block] of blocks.entries()) {
      await Bun.sleep(i === 0 ? 2600 : 3000);
      appendFileSync(path, block);
    }
  }, 200);
  expect(told).toEqual([]);
}, 15_000);

/** The same at a tenth of the times (quiet time 200 ms): once the writer stops, the line comes after 1.5 times its longest pause. */
test.concurrent("a writer in blocks that stops is said to have stopped, after 1.5 times its longest pause", async () => {
  const path = join(dir, "blocks.wav");
  writeFileSync(path, new Uint8Array(0));
  const blocks = openWavBlocks(3, 8000);
  const { toldWhileWriting, told, read } = await followWhile(path, async () => {
    for (const [i, block] of blocks.entries()) {
      await Bun.sleep(i === 0 ? 600 : 300);
      appendFileSync(path, block);
    }
    await Bun.sleep(200);
  }, 1600, 200);
  expect(toldWhileWriting).toEqual([]);
  expect(read).toBe(blocks.reduce((n, b) => n + b.length, 0));
  expect(told).toHaveLength(1);
  expect(told[0]).toMatch(new RegExp(`^${path.replaceAll(".", "\\.")}: has not grown for \\d+(\\.\\d)? s: waiting for more \\(Ctrl-C ends and writes the result\\)$`));
}, 10_000);
