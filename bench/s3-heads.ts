/**
 * How long `senko submit` takes to ask S3 for the identity (ETag and size) of N objects before queuing any:
 *   bun run bench/s3-heads.ts [--objects 1000] [--at-once 1,4,16,64] [--latency-ms 0]
 * A real S3-compatible server (s3rver, test/helpers/s3.ts) on a loopback port holds N small objects, reached
 * directly or, with `--latency-ms`, through a proxy that holds each request that long (a distant endpoint's
 * round trip); each `--at-once` value runs statObjects (src/queue/s3.ts: a HEAD per object, that many in flight) over the N URLs
 * plus 1 % that are missing (each costing a second request, for its reason), three times. Printed: the median
 * wall time, objects per second, and how many were found and refused. `--at-once 1` is one after another, as
 * submit asked before session 25.
 */
import { statObjects } from "../src/queue/s3.ts";
import { s3Proxy, startS3 } from "../test/helpers/s3.ts";
import { benchArgs } from "./args.ts";

const { values } = benchArgs(import.meta.path, {
  objects: { type: "string", default: "1000" },
  "at-once": { type: "string", default: "1,4,16,64" },
  "latency-ms": { type: "string", default: "0" },
});
const count = Number(values.objects);
const atOnce = values["at-once"].split(",").map(Number);
const latencyMs = Number(values["latency-ms"]);
const s3 = await startS3(["audio"]);
const proxy = latencyMs > 0 ? s3Proxy(s3.endpoint, { delayMs: latencyMs }) : undefined;
try {
  const keys = Array.from({ length: count }, (_, i) => `calls/${String(i).padStart(6, "0")}.wav`);
  for (let i = 0; i < keys.length; i += 50) await Promise.all(keys.slice(i, i + 50).map((key) => s3.client.write(key, "RIFF", { bucket: "audio" })));
  const missing = Array.from({ length: Math.max(1, Math.round(count / 100)) }, (_, i) => `s3://audio/missing/${i}.wav`);
  const urls = [...keys.map((key) => `s3://audio/${key}`), ...missing];
  const endpoint = proxy?.endpoint ?? s3.endpoint;
  const client = new Bun.S3Client({ endpoint, accessKeyId: s3.env.S3_ACCESS_KEY_ID, secretAccessKey: s3.env.S3_SECRET_ACCESS_KEY, region: s3.env.S3_REGION });
  const config = { endpoint, accessKeyId: s3.env.S3_ACCESS_KEY_ID, secretAccessKey: s3.env.S3_SECRET_ACCESS_KEY, region: s3.env.S3_REGION };
  console.log(`s3rver ${s3.version} at ${s3.endpoint}, ${latencyMs} ms added per request; ${keys.length} objects + ${missing.length} missing; Bun ${Bun.version}`);
  console.log("at once | median s (3 runs) | objects/s | found | refused");
  for (const n of atOnce) {
    const seconds: number[] = [];
    let found = 0;
    let refused = 0;
    for (let run = 0; run < 3; run++) {
      const start = performance.now();
      const { identities, problems } = await statObjects(client, urls, config, n);
      seconds.push((performance.now() - start) / 1000);
      found = identities.size;
      refused = problems.filter((p) => p !== undefined).length;
    }
    seconds.sort((a, b) => a - b);
    console.log(`${n} | ${seconds[1]!.toFixed(2)} (${seconds.map((s) => s.toFixed(2)).join(", ")}) | ${Math.round(urls.length / seconds[1]!)} | ${found} | ${refused}`);
  }
} finally {
  proxy?.stop();
  await s3.stop();
}
