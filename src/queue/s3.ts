/**
 * @module S3 objects as job inputs and outputs, through Bun's built-in S3 client. Credentials, endpoint and
 * region come from the variables Bun reads (S3_ACCESS_KEY_ID / AWS_ACCESS_KEY_ID, S3_SECRET_ACCESS_KEY,
 * S3_SESSION_TOKEN, S3_ENDPOINT / AWS_ENDPOINT, S3_REGION / AWS_REGION) unless given in code; the bucket
 * always comes from the s3://bucket/key URL.
 */
import { mkdtempSync, readdirSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { S3Client, type S3Options } from "bun";
import { probeEach } from "../audio/probe-each.ts";
import { GLOB_CHARS } from "../cli/inputs.ts";
import { AudioFormatError, ConfigError, OutputError, SenkoError } from "../errors.ts";
import { processRuns } from "../stale-parts.ts";

/** Where and as whom to reach S3; what is left out comes from the environment. */
export type S3Config = Pick<S3Options, "accessKeyId" | "secretAccessKey" | "sessionToken" | "region" | "endpoint" | "virtualHostedStyle">;

/** What identifies an object's content without reading it: its ETag (which changes with every new content) and size. */
export interface S3Identity {
  etag: string;
  size: number;
}

interface S3Location {
  bucket: string;
  key: string;
}

export function isS3Url(text: string): boolean {
  return text.startsWith("s3://");
}

/** `s3://bucket/key`; for an object the key is required and does not end with "/". */
function parse(url: string, object: boolean): S3Location {
  const match = /^s3:\/\/([^/]+)(?:\/(.*))?$/.exec(url);
  const key = match?.[2] ?? "";
  if (!match || (object && (key === "" || key.endsWith("/")))) {
    throw new ConfigError(`${url}: an S3 ${object ? "object" : "location"} is named s3://bucket/${object ? "key" : "prefix"}`);
  }
  return { bucket: match[1]!, key };
}

/** The endpoint as messages name it. */
function endpointOf(config: S3Config): string {
  return config.endpoint ?? process.env.S3_ENDPOINT ?? process.env.AWS_ENDPOINT ?? "AWS S3 (S3_ENDPOINT not set)";
}

/**
 * One typed error per S3 failure, for an object read, a listing or a write (`use`). A missing object, bucket
 * or permission and an endpoint that cannot be reached are the user's to fix (no retry); anything else
 * (throttling, a server error) may pass. An object that is missing or whose reading is denied is an
 * AudioFormatError: an input that cannot be read, as a local file would be.
 */
function explain(error: unknown, url: string, config: S3Config, use: "read" | "list" | "write"): SenkoError {
  const code = (error as { code?: string }).code ?? "";
  const { bucket } = parse(url, false);
  const endpoint = endpointOf(config);
  const fail = (message: string) => (use === "write" ? new OutputError(`cannot write ${url}: ${message}`, url, { cause: error }) : new ConfigError(`${url}: ${message}`, { cause: error }));
  if (code === "NoSuchKey") return new AudioFormatError(`${url}: no such object in bucket "${bucket}"`, url, { cause: error });
  if (code === "NoSuchBucket") return fail(`no such bucket "${bucket}" at ${endpoint}`);
  if (/^(AccessDenied|InvalidAccessKeyId|SignatureDoesNotMatch|ExpiredToken|InvalidToken|AllAccessDisabled)$/.test(code)) {
    const denied = `access denied by ${endpoint} (${code}): check S3_ACCESS_KEY_ID, S3_SECRET_ACCESS_KEY and the bucket's policy`;
    // The credentials work (a bad key is InvalidAccessKeyId): this object is the one refused.
    return code === "AccessDenied" && use === "read" ? new AudioFormatError(`${url}: ${denied}`, url, { cause: error }) : fail(denied);
  }
  if (code.startsWith("ERR_S3_")) return fail((error as Error).message);
  if (/^(ConnectionRefused|DNSResolveFailed|ENOTFOUND|ECONNREFUSED|CERT_|UNABLE_TO_VERIFY)/.test(code)) return fail(`cannot reach the S3 endpoint ${endpoint} (${code}): check S3_ENDPOINT`);
  return new SenkoError(`${url}: S3 ${code || "error"} at ${endpoint}: ${(error as Error).message}`, { cause: error });
}

/** An S3 client for the given settings and the environment's. */
export function s3Client(config: S3Config = {}): S3Client {
  return new S3Client(config);
}

/**
 * The object's identity from a HEAD request. A HEAD error carries no body, so its reason is asked again
 * with a one-byte read, whose error names it (NoSuchKey, NoSuchBucket, AccessDenied...).
 */
export async function statObject(client: S3Client, url: string, config: S3Config = {}): Promise<S3Identity> {
  const { bucket, key } = parse(url, true);
  try {
    const stat = await client.stat(key, { bucket });
    return { etag: stat.etag, size: stat.size };
  } catch (headError) {
    let reason = headError;
    try {
      await client.file(key, { bucket }).slice(0, 1).arrayBuffer();
    } catch (getError) {
      reason = getError;
    }
    throw explain(reason, url, config, "read");
  }
}

/** HEAD requests in flight at once (BENCHMARKS.md, "Session 25 inputs": bun run bench/s3-heads.ts). */
const HEADS_AT_ONCE = 64;

/**
 * `statObject` of every URL, `atOnce` at a time: the identity of each object found, and the AudioFormatError of
 * each missing or forbidden one (undefined: none), in URL order. Any other failure (no such bucket, bad
 * credentials, an endpoint that cannot be reached) rejects.
 */
export async function statObjects(
  client: S3Client,
  urls: readonly string[],
  config: S3Config = {},
  atOnce = HEADS_AT_ONCE,
): Promise<{ identities: Map<string, S3Identity>; problems: (AudioFormatError | undefined)[] }> {
  const identities = new Map<string, S3Identity>();
  const problems = await probeEach(urls, async (url) => identities.set(url, await statObject(client, url, config)), atOnce);
  return { identities, problems };
}

/**
 * The objects a glob names, as URLs in key order: `s3://bucket/calls/**\/*.wav` lists the keys under
 * `calls/` and keeps those the pattern matches (Bun.Glob: `*` stays within one "/" level, `**` does not).
 * A URL without glob characters is returned as it is. Listings come in pages of `pageSize` keys (default:
 * the server's, 1000 on S3).
 */
export async function expandS3Glob(client: S3Client, url: string, config: S3Config = {}, pageSize?: number): Promise<string[]> {
  const { bucket, key } = parse(url, false);
  const at = key.search(GLOB_CHARS);
  if (at < 0) return [url];
  const glob = new Bun.Glob(key);
  const urls: string[] = [];
  let continuationToken: string | undefined;
  try {
    do {
      const page = await client.list({ prefix: key.slice(0, at), continuationToken, maxKeys: pageSize }, { bucket });
      for (const object of page.contents ?? []) if (!object.key.endsWith("/") && glob.match(object.key)) urls.push(`s3://${bucket}/${object.key}`);
      continuationToken = page.isTruncated ? page.nextContinuationToken : undefined;
    } while (continuationToken);
  } catch (error) {
    throw explain(error, url, config, "list");
  }
  return urls.sort();
}

/**
 * Checks that results can go to `s3://bucket/prefix`: the bucket exists and answers a listing. The listing
 * asks for a prefix no result has (".senko-check" under it), so the answer is empty however many there are.
 */
export async function checkS3Destination(client: S3Client, url: string, config: S3Config = {}): Promise<void> {
  const { bucket, key } = parse(url, false);
  try {
    const dir = key.replace(/\/+$/, "");
    await client.list({ prefix: dir ? `${dir}/.senko-check` : ".senko-check" }, { bucket });
  } catch (error) {
    throw explain(error, url, config, "write");
  }
}

/** `s3://bucket/prefix` and a file name: the object URL (no doubled "/"). */
export function s3Join(prefix: string, name: string): string {
  return `${prefix.replace(/\/+$/, "")}/${name}`;
}

/** Writes one object in a single PUT: readers see the whole text or nothing. */
export async function putObject(client: S3Client, url: string, text: string, type: string, config: S3Config = {}): Promise<void> {
  const { bucket, key } = parse(url, true);
  try {
    await client.write(key, text, { bucket, type });
  } catch (error) {
    throw explain(error, url, config, "write");
  }
}

/** Prefix of job temp directories: `senko-job-<pid>-<random>`, so a dead worker's can be told apart. */
const TEMP_PREFIX = "senko-job-";

/** A downloaded input: the local path, and `remove()` for the directory it lives in. */
export interface LocalCopy {
  path: string;
  remove(): void;
}

/**
 * Streams the object to a file in a new temp directory of this job, after checking that it is still the
 * object that was submitted; `onBytes` hears of each piece. Removed on any failure here; the caller removes
 * it after the job.
 */
export async function downloadObject(
  client: S3Client,
  url: string,
  expected: S3Identity,
  config: S3Config = {},
  onBytes: (done: number, total: number) => void = () => {},
): Promise<LocalCopy> {
  const actual = await statObject(client, url, config);
  if (actual.etag !== expected.etag || actual.size !== expected.size) {
    throw new AudioFormatError(`${url}: the object changed after it was submitted; submit it again`, url);
  }
  const { bucket, key } = parse(url, true);
  const dir = mkdtempSync(join(tmpdir(), `${TEMP_PREFIX}${process.pid}-`));
  const remove = () => rmSync(dir, { recursive: true, force: true });
  // The key's extension only (a key may end in ".."): readers that go by extension still see it.
  const extension = /\.[A-Za-z0-9]{1,8}$/.exec(basename(key))?.[0] ?? "";
  const path = join(dir, `input${extension}`);
  try {
    const sink = Bun.file(path).writer();
    try {
      let done = 0;
      for await (const chunk of client.file(key, { bucket }).stream()) {
        await sink.write(chunk);
        onBytes((done += chunk.byteLength), expected.size);
      }
    } finally {
      await sink.end();
    }
  } catch (error) {
    remove();
    throw error instanceof SenkoError ? error : explain(error, url, config, "read");
  }
  const got = statSync(path).size;
  if (got !== expected.size) {
    remove();
    throw new SenkoError(`${url}: the download ended after ${got} of ${expected.size} bytes`);
  }
  return { path, remove };
}

/** Removes the job temp directories of worker processes that no longer run (killed mid-job). */
export function removeOrphanedDownloads(): void {
  const root = tmpdir();
  for (const entry of readdirSync(root)) {
    const pid = Number(new RegExp(`^${TEMP_PREFIX}(\\d+)-`).exec(entry)?.[1]);
    if (pid > 0 && !processRuns(pid)) rmSync(join(root, entry), { recursive: true, force: true });
  }
}
