/** @module Redis connections of the job queue: URL checks, and the retry policy of clients and workers. */
import { Queue, type RedisOptions } from "bullmq";
import type { Redis } from "ioredis";
import { ConfigError, QueueError } from "../errors.ts";
import type { JobData, JobResult } from "./jobs.ts";

/** The BullMQ queue senko uses unless told otherwise. */
export const DEFAULT_QUEUE = "senko";

/** The URL as it may be printed: without its password. */
export function redactUrl(url: string): string {
  return url.replace(/^(rediss?:\/\/[^:@/]*):[^@/]*@/, "$1:***@");
}

/** Checks `redis://[user:password@]host[:port][/db]` (or `rediss://` for TLS). */
export function checkRedisUrl(url: string): void {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new ConfigError(`--redis takes a URL such as redis://127.0.0.1:6379, got "${redactUrl(url)}"`);
  }
  if (parsed.protocol !== "redis:" && parsed.protocol !== "rediss:") {
    throw new ConfigError(`--redis takes a redis:// or rediss:// URL, got "${redactUrl(url)}"`);
  }
  if (parsed.hostname === "") throw new ConfigError(`--redis names no host: "${redactUrl(url)}"`);
  const db = parsed.pathname.replace(/^\//, "");
  if (db !== "" && !/^\d+$/.test(db)) throw new ConfigError(`--redis: the path must be a database number, got "/${db}"`);
}

/**
 * Workers wait for Redis for ever: commands queue up while it is away (maxRetriesPerRequest null, as
 * BullMQ requires for workers) and the client reconnects every few seconds, so a Redis restart only
 * pauses them.
 */
export function workerConnection(url: string): RedisOptions {
  checkRedisUrl(url);
  return { url, maxRetriesPerRequest: null, retryStrategy: (times: number) => Math.min(500 * times, 5000) };
}

/** How long submitting and watching wait for Redis to connect, to be ready, or to answer a command. */
const CLIENT_WAIT_MS = 5000;

/**
 * Submitting and watching fail within seconds when Redis is away, or does not answer (a hung server, or a
 * network that drops everything while the connection stays up): a person is waiting for the answer.
 */
function clientConnection(url: string): RedisOptions {
  checkRedisUrl(url);
  return { url, maxRetriesPerRequest: 1, connectTimeout: CLIENT_WAIT_MS, commandTimeout: CLIENT_WAIT_MS, retryStrategy: (times: number) => (times > 2 ? null : 300) };
}

/**
 * Runs `use` with a ready Queue and closes it after. A Redis that cannot be reached is a QueueError
 * with the reason of the last connection error.
 */
export async function withQueue<T>(url: string, queueName: string, use: (queue: Queue<JobData, JobResult>) => Promise<T>): Promise<T> {
  const queue = new Queue<JobData, JobResult>(queueName, { connection: clientConnection(url) });
  let lastError: Error | undefined;
  queue.on("error", (error) => (lastError = error));
  const fail = (error: unknown) =>
    new QueueError(`cannot use Redis at ${redactUrl(url)}: ${(lastError ?? (error as Error)).message}`, redactUrl(url), { cause: error });
  let timer: Timer | undefined;
  // Until ready, BullMQ retries a ready check that timed out on a new connection, each taking the command timeout.
  const notReady = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${CLIENT_WAIT_MS / 1000} s`)), CLIENT_WAIT_MS);
  });
  try {
    await Promise.race([queue.waitUntilReady(), notReady])
      .catch((error) => {
        throw fail(error);
      })
      .finally(() => clearTimeout(timer));
    return await use(queue);
  } catch (error) {
    if (error instanceof QueueError || !isConnectionError(error)) throw error;
    throw fail(error);
  } finally {
    // Not ready yet, close() disconnects; ready, it sends QUIT, which a Redis that stopped answering leaves
    // unanswered (the command times out, the connection stays open): then it is cut.
    await queue.close().catch(() => queue.disconnect()).catch(() => {});
  }
}

/**
 * What a restart of this Redis would do to the queue, when it keeps nothing across one (neither an
 * append-only file nor RDB snapshots); undefined when it keeps its data, or does not say (CONFIG refused).
 */
export async function persistenceWarning(queue: Queue<JobData, JobResult>): Promise<string | undefined> {
  // Made from connection options, BullMQ's client is ioredis (behind an adapter that passes its commands on).
  const client = (await queue.backend.client) as unknown as Redis;
  let aof: string | undefined, save: string | undefined;
  try {
    [, aof] = (await client.config("GET", "appendonly")) as string[];
    [, save] = (await client.config("GET", "save")) as string[];
  } catch {
    return undefined;
  }
  if (aof !== "no" || save !== "") return undefined;
  return "keeps no data across a restart (appendonly no, save \"\"): a restart empties the queue, and jobs waiting then are never run (start it with --appendonly yes)";
}

function isConnectionError(error: unknown): boolean {
  const message = error instanceof Error ? error.message : "";
  return /connection is closed|command timed out|ECONNREFUSED|ECONNRESET|ETIMEDOUT|ENOTFOUND|EAI_AGAIN|max retries per request/i.test(message);
}
