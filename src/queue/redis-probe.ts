/**
 * @module One PING to the server a redis:// URL names, before BullMQ and ioredis connect: what answers there
 * when it is not a Redis that takes clients. ioredis reads those answers badly: an HTTP server's reply as
 * `Unknown RESP type 72 "H". Please report this.`, and Redis's protected-mode refusal (-DENIED, then it
 * closes) as a password it was never given (a console warning) and a closed connection, while a worker
 * even starts on it.
 */
import { connect } from "node:net";
import { QueueError } from "../errors.ts";

/** The first bytes of a RESP2 or RESP3 reply (simple string, error, integer, bulk, array, and RESP3's types). */
const RESP_TYPES = new Set("+-:$*_,#!=(%~>|");

/** The bytes of an answer looked at: its first line, or this many bytes of it. */
const ANSWER_BYTES = 256;

/** PING as clients send it (a RESP array): an HTTP server answers it with a 400 at once. */
const PING = "*1\r\n$4\r\nPING\r\n";

/**
 * Connects to the host and port of `url` (redis:// only: a rediss:// server speaks TLS first), sends PING and
 * reads the first line of the answer. A QueueError (`at`: the URL as printed) for Redis refusing in protected
 * mode or a server that answers but not as Redis does (the user's error: the URL cannot work), or no answer
 * within `waitMs`; anything else (Redis
 * answering or asking for a password, a refused or closed connection) is left to the client that follows.
 */
export async function probeRedis(url: string, at: string, waitMs: number): Promise<void> {
  const { protocol, hostname, port } = new URL(url);
  if (protocol !== "redis:") return;
  const answer = await firstLine(hostname.replace(/^\[(.*)\]$/, "$1"), Number(port || 6379), waitMs);
  if (answer === "no answer") throw new QueueError(`cannot use Redis at ${at}: no answer within ${waitMs / 1000} s`, at);
  if (answer === undefined || answer.length === 0) return;
  const text = new TextDecoder().decode(answer);
  if (text.startsWith("-DENIED")) {
    const withPassword = `redis://:<password>@${new URL(url).host}`;
    throw new QueueError(
      `Redis at ${at} refused: protected mode (no password is set, so it takes clients on its own machine only); give it one (requirepass) and put it in the URL: ${withPassword}, or start it with --protected-mode no where only trusted machines reach it`,
      at,
      { userError: true },
    );
  }
  if (RESP_TYPES.has(text[0]!)) return;
  throw new QueueError(`cannot use Redis at ${at}: ${notRedis(answer, text)}`, at, { userError: true });
}

/** What answered instead of Redis, from the first line of its answer, and what to do. */
function notRedis(answer: Uint8Array, text: string): string {
  // A TLS alert (content type 21, version 3.x): a Redis with TLS only, or another TLS server.
  if (answer[0] === 0x15 && answer[1] === 0x03) return "the server there speaks TLS: for a Redis with TLS, use rediss://";
  const line = text.split(/\r?\n/)[0]!.slice(0, 80);
  const said = /^[\x20-\x7e]+$/.test(line) ? `"${line}"${/^HTTP\/\d/.test(line) ? ": a web server" : ""}` : `${answer.length} byte(s) that are not text`;
  return `the server there is not Redis (it answered ${said}); check the host and port`;
}

/**
 * The answer's first line (or first ANSWER_BYTES); undefined when the connection fails or closes before any
 * byte; "no answer" when nothing comes within `waitMs`.
 */
function firstLine(host: string, port: number, waitMs: number): Promise<Uint8Array | undefined | "no answer"> {
  return new Promise((resolve) => {
    let got = new Uint8Array(0);
    const socket = connect({ host, port });
    const done = (answer: Uint8Array | undefined | "no answer") => {
      clearTimeout(timer);
      socket.destroy();
      resolve(answer);
    };
    const timer = setTimeout(() => done(got.length > 0 ? got : "no answer"), waitMs);
    socket.on("connect", () => socket.write(PING));
    socket.on("data", (chunk: Uint8Array) => {
      const joined = new Uint8Array(got.length + chunk.length);
      joined.set(got);
      joined.set(chunk, got.length);
      got = joined;
      if (got.includes(0x0a) || got.length >= ANSWER_BYTES) done(got);
    });
    socket.on("close", () => done(got.length > 0 ? got : undefined));
    socket.on("error", () => done(got.length > 0 ? got : undefined));
  });
}
