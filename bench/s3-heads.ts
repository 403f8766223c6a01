/**
 * How long `senko submit` takes to ask S3 for the identity (ETag and size) of N objects before queuing any:
 *   bun run bench/s3-heads.ts [--objects 1000] [--at-once 1,4,16,64]
 * A real S3-compatible server (s3rver, test/helpers/s3.ts) on a loopback port holds N small objects; each
 * `--at-once` value runs statObjects (src/queue/s3.ts: a HEAD per object, that many in flight) over the N URLs
 * plus 1 % that are missing (each costing a second request, for its reason), three times. Printed: the median
 * wall time, objects per second, and how many were found and refused. `--at-once 1` is one after another, as
 * submit asked before session 25.
 */
import { statObjects } from "../src/queue/s3.ts";
import { startS3 } from "../test/helpers/s3.ts";
import { benchArgs } from "./args.ts";

const { values } = benchArgs(import.meta.path, { objects: { type: "string", default: "1000" }, "at-once": { type: "string", default: "1,4,16,64" } });
const count = Number(values.objects);
const atOnce = values["at-once"].split(",").map(Number);
const s3 = await startS3(["audio"]);
try {
  const keys = Array.from({ length: count }, (_, i) => `calls/${String(i).padStart(6, "0")}.wav`);
  for (let i = 0; i < keys.length; i += 50) await Promise.all(keys.slice(i, i + 50).map((key) => s3.client.write(key, "RIFF", { bucket: "audio" })));
  const missing = Array.from({ length: Math.max(1, Math.round(count / 100)) }, (_, i) => `s3://audio/missing/${i}.wav`);
  const urls = [...keys.map((key) => `s3://audio/${key}`), ...missing];
  const config = { endpoint: s3.endpoint, accessKeyId: s3.env.S3_ACCESS_KEY_ID, secretAccessKey: s3.env.S3_SECRET_ACCESS_KEY, region: s3.env.S3_REGION };
  console.log(`s3rver ${s3.version} at ${s3.endpoint}; ${keys.length} objects + ${missing.length} missing; Bun ${Bun.version}`);
  console.log("at once | median s (3 runs) | objects/s | found | refused");
  for (const n of atOnce) {
    const seconds: number[] = [];
    let found = 0;
    let refused = 0;
    for (let run = 0; run < 3; run++) {
      const start = performance.now();
      const { identities, problems } = await statObjects(s3.client, urls, config, n);
      seconds.push((performance.now() - start) / 1000);
      found = identities.size;
      refused = problems.filter((p) => p !== undefined).length;
    }
    seconds.sort((a, b) => a - b);
    console.log(`${n} | ${seconds[1]!.toFixed(2)} (${seconds.map((s) => s.toFixed(2)).join(", ")}) | ${Math.round(urls.length / seconds[1]!)} | ${found} | ${refused}`);
  }
} finally {
  await s3.stop();
}
