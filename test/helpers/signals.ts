/** @module Waiting for a child process to be ready for a signal, so a test's kill meets its handler. */
import { readFileSync } from "node:fs";

const NUMBERS = { SIGINT: 2, SIGTERM: 15 } as const;

/** Resolves once process `pid` handles `signal` itself (Linux: the SigCgt mask in /proc), that is once its handler is on. */
export async function catching(pid: number, signal: keyof typeof NUMBERS): Promise<void> {
  const bit = 1n << BigInt(NUMBERS[signal] - 1);
  for (;;) {
    const caught = /^SigCgt:\s*([0-9a-f]+)$/m.exec(readFileSync(`/proc/${pid}/status`, "utf8"))![1]!;
    if (BigInt(`0x${caught}`) & bit) return;
    await Bun.sleep(10);
  }
}
