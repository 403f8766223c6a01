/**
 * @module A real S3-compatible server for tests and benchmarks: s3rver (npm, a devDependency) in a child
 * process on a loopback port the kernel picks, with its objects in a temporary directory. s3rver makes its
 * listing continuation tokens with DES, which Bun's crypto and OpenSSL 3's default provider lack: it runs
 * under `node --openssl-legacy-provider` where that works (listings then page), else under Bun.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

const root = resolve(import.meta.dir, "../..");
const bun = join(root, "node_modules", ".bin", "bun");
export const s3rverPath = [join(root, "node_modules", "s3rver", "bin", "s3rver.js")].find(existsSync);

const node = Bun.which("node");
const LEGACY = "--openssl-legacy-provider";
/** Whether s3rver can answer a listing longer than one page (see the module's note). */
export const s3rverPaginates =
  node !== null && Bun.spawnSync([node, LEGACY, "-e", 'require("crypto").createCipheriv("des", Buffer.alloc(8), Buffer.alloc(8))'], { stdout: "ignore", stderr: "ignore" }).exitCode === 0;

export interface S3Server {
  endpoint: string;
  /** the variables a `senko submit` or `senko worker` process needs to reach this server */
  env: Record<string, string>;
  /** a client of this server (s3rver's fixed credentials) */
  client: Bun.S3Client;
  /** s3rver's package version */
  version: string;
  /** CPU seconds the server process has used so far (/proc) */
  cpuSeconds(): number;
  stop(): Promise<void>;
}

/** s3rver accepts these credentials (and, unsigned, anonymous requests). */
const CREDENTIALS = { accessKeyId: "S3RVER", secretAccessKey: "S3RVER", region: "us-east-1" };

export async function startS3(buckets: readonly string[]): Promise<S3Server> {
  if (!s3rverPath) throw new Error("s3rver is not installed (npm ci installs it)");
  const dir = mkdtempSync(join(tmpdir(), "senko-s3-"));
  const runtime = s3rverPaginates ? [node!, LEGACY] : [bun];
  const server = Bun.spawn([...runtime, s3rverPath, "-d", dir, "-a", "127.0.0.1", "-p", "0", "-s", ...buckets.flatMap((b) => ["--configure-bucket", b])], {
    stdout: "pipe",
    stderr: "inherit",
  });
  let text = "";
  const decoder = new TextDecoder();
  for await (const chunk of server.stdout) {
    text += decoder.decode(chunk, { stream: true });
    if (/listening on [\d.]+:\d+/.test(text)) break;
  }
  const port = /listening on [\d.]+:(\d+)/.exec(text)?.[1];
  if (!port) {
    server.kill("SIGKILL");
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`s3rver did not start: ${text}`);
  }
  const endpoint = `http://127.0.0.1:${port}`;
  return {
    endpoint,
    env: { S3_ENDPOINT: endpoint, S3_ACCESS_KEY_ID: CREDENTIALS.accessKeyId, S3_SECRET_ACCESS_KEY: CREDENTIALS.secretAccessKey, S3_REGION: CREDENTIALS.region },
    client: new Bun.S3Client({ ...CREDENTIALS, endpoint }),
    version: JSON.parse(readFileSync(join(s3rverPath, "../../package.json"), "utf8")).version,
    cpuSeconds() {
      // utime and stime, fields 14 and 15 of /proc/<pid>/stat, in clock ticks (100 a second on Linux)
      const fields = readFileSync(`/proc/${server.pid}/stat`, "utf8").replace(/^.*\) /, "").split(" ");
      return (Number(fields[11]) + Number(fields[12])) / 100;
    },
    async stop() {
      server.kill("SIGTERM");
      await server.exited;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** An S3 endpoint in front of another (s3rver) that answers as a bucket policy or a distant server would. */
export interface S3Proxy {
  endpoint: string;
  /** the path (/bucket/key) of each HEAD request, in order of arrival */
  heads: string[];
  stop(): void;
}

/**
 * A proxy to `upstream` that refuses every request whose path contains `/${deny}/` (when given) with 403
 * AccessDenied, as a bucket policy does, and holds each other request `delayMs` before passing it on (the
 * round trip to a distant server). Requests go on as signed, their Host header too: s3rver checks signatures.
 */
export function s3Proxy(upstream: string, { deny, delayMs = 0 }: { deny?: string; delayMs?: number } = {}): S3Proxy {
  const heads: string[] = [];
  const target = new URL(upstream);
  const server = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    async fetch(request) {
      const url = new URL(request.url);
      if (request.method === "HEAD") heads.push(url.pathname);
      if (deny !== undefined && url.pathname.includes(`/${deny}/`)) {
        const body = '<?xml version="1.0" encoding="UTF-8"?><Error><Code>AccessDenied</Code><Message>Access Denied</Message></Error>';
        return new Response(request.method === "HEAD" ? null : body, { status: 403, headers: { "content-type": "application/xml" } });
      }
      if (delayMs > 0) await Bun.sleep(delayMs);
      url.host = target.host;
      return fetch(url, { method: request.method, headers: request.headers, body: request.body, redirect: "manual" });
    },
  });
  return { endpoint: `http://127.0.0.1:${server.port}`, heads, stop: () => server.stop(true) };
}
