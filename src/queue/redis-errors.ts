/**
 * @module Why a Redis could not be used, in one line a user can act on: what it refused, or why no connection
 * came about (Node's error codes, which ioredis passes on as `connect ECONNREFUSED 127.0.0.1:6379`), with the
 * URL as printed: without its password.
 */
import { QueueError } from "../errors.ts";

/** The URL as it may be printed: without its password. */
export function redactUrl(url: string): string {
  return url.replace(/^(rediss?:\/\/[^:@/]*):[^@/]*@/, "$1:***@");
}

/** Redis's refusal of a client in words a user can act on, with the URL that would work; undefined for other errors. */
function redisRefusal(url: string, message: string): string | undefined {
  const at = redactUrl(url);
  const { protocol, username, host, pathname } = new URL(url);
  const withPassword = `${protocol}//${username}:<password>@${host}${pathname}`;
  if (/^NOAUTH\b/.test(message)) return `Redis at ${at} refused: authentication required (NOAUTH); put the password in the URL: ${withPassword}`;
  if (/^WRONGPASS\b/.test(message)) return `Redis at ${at} refused: wrong password${username === "" ? "" : ` or user "${username}"`} (WRONGPASS); put the right one in the URL: ${withPassword}`;
  return undefined;
}

/** A connection that failed, by Node's code: why, and whether the URL itself is wrong (a host that does not exist). */
function connectionFailure(url: string, message: string): { why: string; wrongUrl: boolean } | undefined {
  const code = /\b(ECONNREFUSED|ENOTFOUND|EAI_AGAIN|EHOSTUNREACH|ENETUNREACH|ETIMEDOUT|ECONNRESET)\b/.exec(message)?.[1];
  const { hostname, port } = new URL(url);
  const host = hostname.replace(/^\[(.*)\]$/, "$1");
  switch (code) {
    case "ECONNREFUSED":
      return { why: `nothing listens on ${host}:${port || 6379} (connection refused): is redis-server running there, on that port?`, wrongUrl: false };
    case "ENOTFOUND":
      return { why: `there is no host named ${host} (the name does not resolve): check the host in the URL`, wrongUrl: true };
    case "EAI_AGAIN":
      return { why: `the name ${host} could not be looked up now (EAI_AGAIN: no answer from DNS)`, wrongUrl: false };
    case "EHOSTUNREACH":
    case "ENETUNREACH":
      return { why: `no route to ${host} (${code})`, wrongUrl: false };
    case "ETIMEDOUT":
      return { why: `no connection to ${host}:${port || 6379} within the time allowed (ETIMEDOUT)`, wrongUrl: false };
    case "ECONNRESET":
      return { why: `the server at ${host}:${port || 6379} closed the connection (ECONNRESET)`, wrongUrl: false };
  }
  return undefined;
}

/** `message` (a Redis client's error) as one line naming the Redis: a refusal, a failed connection, or the message itself. */
export function redisErrorLine(url: string, message: string): string {
  const failure = connectionFailure(url, message);
  if (failure !== undefined) return `cannot reach Redis at ${redactUrl(url)}: ${failure.why}`;
  return redisRefusal(url, message) ?? `cannot use Redis at ${redactUrl(url)}: ${message}`;
}

/** Whether a Redis client's error `message` says that the URL cannot work as given (a password refused or missing, a host that does not exist). */
export function urlCannotWork(url: string, message: string): boolean {
  return redisRefusal(url, message) !== undefined || connectionFailure(url, message)?.wrongUrl === true;
}

/** A Redis that could not be used, as a QueueError of one line; a user's error (the CLI's exit 2) when the URL cannot work. */
export function redisError(url: string, error: unknown): QueueError {
  const message = error instanceof Error ? error.message : String(error);
  return new QueueError(redisErrorLine(url, message), redactUrl(url), { cause: error, userError: urlCannotWork(url, message) });
}
