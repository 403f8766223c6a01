/** @module Redis connections of the job queue: URL checks, and the retry policy of clients and workers. */
import { isIP } from "node:net";
import { Queue, type RedisOptions } from "bullmq";
import type { Redis } from "ioredis";
import { ConfigError, QueueError } from "../errors.ts";
import type { JobData, JobResult } from "./jobs.ts";
import { redactUrl, redisError, urlCannotWork } from "./redis-errors.ts";
import { probeRedis } from "./redis-probe.ts";

/** The BullMQ queue senko uses unless told otherwise. */
export const DEFAULT_QUEUE = "senko";

/** Checks `redis://[user:password@]host[:port][/db]` (or `rediss://` for TLS). */
function checkRedisUrl(url: string): void {
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
 * How long ioredis, disconnecting, waits for the socket's close before it destroys it (default 2 s). It waits
 * for a socket that has closed already when its connection failed: that timer held a process 2 s after the error.
 */
const DISCONNECT_WAIT_MS = 100;

/** A connection tried three times, 300 ms apart, then given up (clients, and workers until started). */
function retryBriefly(times: number): number | null {
  return times > 2 ? null : 300;
}

/**
 * Workers wait for Redis for ever once started: commands queue up while it is away (maxRetriesPerRequest
 * null, as BullMQ requires for workers) and the client reconnects every few seconds, so a Redis restart only
 * pauses them. While `starting()`, they give up as submitting does: a wrong URL is not waited on.
 */
export function workerConnection(url: string, starting: () => boolean): RedisOptions {
  checkRedisUrl(url);
  const retryStrategy = (times: number) => (starting() ? retryBriefly(times) : Math.min(500 * times, 5000));
  return { url, maxRetriesPerRequest: null, retryStrategy, disconnectTimeout: DISCONNECT_WAIT_MS };
}

/** How long submitting, watching and starting a worker wait for Redis to connect, to be ready, or to answer a command. */
const CLIENT_WAIT_MS = 5000;

/**
 * Submitting and watching fail within seconds when Redis is away, or does not answer (a hung server, or a
 * network that drops everything while the connection stays up): a person is waiting for the answer.
 */
function clientConnection(url: string): RedisOptions {
  checkRedisUrl(url);
  return { url, maxRetriesPerRequest: 1, connectTimeout: CLIENT_WAIT_MS, commandTimeout: CLIENT_WAIT_MS, retryStrategy: retryBriefly, disconnectTimeout: DISCONNECT_WAIT_MS };
}

/**
 * Checks the URL, that its host name resolves, then that a Redis that takes clients answers there
 * (./redis-probe.ts), before a Queue or Worker connects: a name that does not resolve, another service on the
 * port, or Redis in protected mode, is a QueueError saying so.
 */
export async function checkRedisAnswers(url: string): Promise<void> {
  checkRedisUrl(url);
  await checkHostResolves(url);
  await probeRedis(url, redactUrl(url), CLIENT_WAIT_MS);
}

/**
 * Fails at once, in one line, when DNS has no address for the URL's host. It asks Bun's own resolver (c-ares):
 * a failed lookup through node:dns or node:net (as the probe's and ioredis's connections make) holds the
 * process about a second after the error (Bun 1.4.5; BENCHMARKS.md, "Session 25 inputs"). Not asked: an
 * address (in Bun 1.4.5, a connection to an address Bun.dns was given holds the process about a second too),
 * and a .local name (mDNS, which c-ares does not ask: the connection's own lookup does).
 */
async function checkHostResolves(url: string): Promise<void> {
  const host = new URL(url).hostname.replace(/^\[(.*)\]$/, "$1");
  if (isIP(host) !== 0 || /\.local\.?$/i.test(host)) return;
  try {
    await Bun.dns.lookup(host);
  } catch (error) {
    throw redisError(url, error);
  }
}

/** What BullMQ's Queue and Worker have in common here. */
interface Connecting {
  waitUntilReady(): Promise<unknown>;
  on(event: "error", listener: (error: Error) => void): unknown;
  off(event: "error", listener: (error: Error) => void): unknown;
}

/**
 * Waits for a Queue or Worker to be ready, CLIENT_WAIT_MS at most; a refusal (the password) or a host that
 * does not exist ends the wait at once (trying again cannot help). Failing, it is a QueueError that says why, in one line.
 */
export async function untilReady(target: Connecting, url: string): Promise<void> {
  let lastError: Error | undefined;
  const seen = new WeakSet<Error>();
  let timer: Timer | undefined;
  let onError: ((error: Error) => void) | undefined;
  try {
    // Until ready, BullMQ retries a ready check that timed out on a new connection, each taking the command timeout.
    await new Promise<unknown>((resolve, reject) => {
      onError = (error) => {
        // BullMQ emits its first connection error again when it gives up: the latest new one says why.
        if (seen.has(error)) return;
        seen.add(error);
        lastError = error;
        if (urlCannotWork(url, error.message)) reject(error);
      };
      target.on("error", onError);
      // TLS to a Redis without it is a handshake never answered.
      const tls = new URL(url).protocol === "rediss:" ? " (over TLS: for a Redis without TLS, use redis://)" : "";
      timer = setTimeout(() => reject(new Error(`no answer within ${CLIENT_WAIT_MS / 1000} s${tls}`)), CLIENT_WAIT_MS);
      target.waitUntilReady().then(resolve, reject);
    });
  } catch (error) {
    throw redisError(url, lastError ?? error);
  } finally {
    clearTimeout(timer);
    target.off("error", onError!);
  }
}

/**
 * Runs `use` with a ready Queue and closes it after. A Redis that cannot be reached is a QueueError
 * with the reason of the last connection error.
 */
export async function withQueue<T>(url: string, queueName: string, use: (queue: Queue<JobData, JobResult>) => Promise<T>): Promise<T> {
  await checkRedisAnswers(url);
  const queue = new Queue<JobData, JobResult>(queueName, { connection: clientConnection(url) });
  let lastError: Error | undefined;
  queue.on("error", (error) => (lastError = error));
  try {
    await untilReady(queue, url);
    return await use(queue);
  } catch (error) {
    if (error instanceof QueueError || !isConnectionError(error)) throw error;
    throw redisError(url, lastError ?? error);
  } finally {
    // Not ready yet, close() disconnects; ready, it sends QUIT, which a Redis that stopped answering leaves
    // unanswered (the command times out, the connection stays open): then it is cut.
    await queue.close().catch(() => queue.disconnect()).catch(() => {});
  }
}

/**
 * What a restart of this Redis would do to the queue, when it keeps nothing across one (neither an
 * append-only file nor RDB snapshots); undefined when it keeps its data, or does not say (CONFIG refused,
 * or no answer within CLIENT_WAIT_MS: a worker's commands wait for a Redis that went away).
 */
export async function persistenceWarning(client: Redis): Promise<string | undefined> {
  let timer: Timer | undefined;
  const answers = Promise.all([client.config("GET", "appendonly"), client.config("GET", "save")]) as Promise<[string[], string[]]>;
  const late = new Promise<undefined>((resolve) => (timer = setTimeout(resolve, CLIENT_WAIT_MS)));
  try {
    const [[, aof], [, save]] = (await Promise.race([answers, late])) ?? [[], []];
    if (aof !== "no" || save !== "") return undefined;
    return "keeps no data across a restart (appendonly no, save \"\"): a restart empties the queue, and jobs waiting then are never run (start it with --appendonly yes)";
  } catch {
    return undefined;
  } finally {
    clearTimeout(timer);
    answers.catch(() => {});
  }
}

function isConnectionError(error: unknown): boolean {
  const message = error instanceof Error ? error.message : "";
  return /connection is closed|command timed out|ECONNREFUSED|ECONNRESET|ETIMEDOUT|ENOTFOUND|EAI_AGAIN|max retries per request/i.test(message);
}
