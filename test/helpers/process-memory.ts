/**
 * @module What a process holds, for leak tests and bench/many-files.ts: RSS, the bytes glibc's malloc has
 * handed out and not had back (onnxruntime's and libsenko's native memory: Zig allocates with malloc),
 * threads and open file descriptors. RSS alone is a poor leak signal: glibc keeps freed memory in its
 * per-thread arenas for reuse, so RSS climbs to a plateau when threads come and go even though nothing
 * is held; `malloc_trim` gives that back first.
 */
import { dlopen, FFIType, ptr } from "bun:ffi";
import { readdirSync, readFileSync } from "node:fs";

const MiB = 2 ** 20;

/** glibc's mallinfo2 and malloc_trim, on x86-64 Linux only (where a struct result goes through a hidden first pointer argument). */
function openGlibc() {
  if (process.platform !== "linux" || process.arch !== "x64") return undefined;
  try {
    // mallinfo2 (glibc 2.33) returns a struct of ten size_t; on x86-64 the caller passes where it goes.
    return dlopen("libc.so.6", {
      mallinfo2: { args: [FFIType.ptr], returns: FFIType.ptr },
      malloc_trim: { args: [FFIType.u64], returns: FFIType.i32 },
    }).symbols;
  } catch {
    return undefined;
  }
}

const glibc = openGlibc();

/** Whether mallocInUseMiB can answer here (glibc >= 2.33 on x86-64 Linux). */
export const hasMallocCounters = glibc !== undefined;

/** MiB that malloc has handed out and not had back, in every arena and in mmapped chunks. */
function mallocInUseMiB(): number {
  if (!glibc) throw new Error("mallinfo2 is not available here (glibc >= 2.33 on x86-64 Linux)");
  const info = new BigUint64Array(10);
  glibc.mallinfo2(ptr(info));
  // struct mallinfo2 { arena, ordblks, smblks, hblks, hblkhd, usmblks, fsmblks, uordblks, fordblks, keepcost }
  return Number(info[7]! + info[4]!) / MiB;
}

export interface ProcessMemory {
  rssMiB: number;
  /** with `trim`: RSS after malloc_trim(0) returned glibc's free memory to the system (else, or without glibc, = rssMiB) */
  trimmedRssMiB: number;
  /** malloc in use (NaN where glibc is not available) */
  mallocMiB: number;
  heapMiB: number;
  /**
   * threads of the process's own name or "Worker": those libsenko, onnxruntime and Bun workers start (an
   * unnamed thread inherits its creator's name); Bun and JSC name the helpers they start lazily (JITWorker,
   * HeapHelper, Bun Pool n, ...), which are left out
   */
  threads: number;
  fds: number;
}

/** Threads named as the process or "Worker" (see ProcessMemory.threads). */
function ownThreads(): number {
  const own = new Set([readFileSync("/proc/self/comm", "utf8").trim(), "Worker"]);
  let count = 0;
  for (const task of readdirSync("/proc/self/task")) {
    try {
      if (own.has(readFileSync(`/proc/self/task/${task}/comm`, "utf8").trim())) count++;
    } catch {
      // the thread ended meanwhile
    }
  }
  return count;
}

/** Collects garbage, then reads the process's memory, threads and descriptors; `trim` also gives glibc's free memory back. */
export function processMemory(trim = true): ProcessMemory {
  Bun.gc(true);
  const rssMiB = process.memoryUsage().rss / MiB;
  const mallocMiB = glibc ? mallocInUseMiB() : NaN;
  if (trim) glibc?.malloc_trim(0);
  return {
    rssMiB,
    trimmedRssMiB: process.memoryUsage().rss / MiB,
    mallocMiB,
    heapMiB: process.memoryUsage().heapUsed / MiB,
    threads: ownThreads(),
    fds: readdirSync("/proc/self/fd").length,
  };
}
