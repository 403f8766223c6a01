/**
 * @module `bun run models`: fetches and verifies every model up front and prints what is cached.
 * Options: --offline (only check what is there), --cache-dir DIR, --models-dir DIR, --json.
 */
import { parseArgs } from "node:util";
import { SenkoError } from "../src/errors.ts";
import { defaultCacheDir, resolveModel, type ResolvedModel } from "./fetch.ts";
import { MODEL_IDS, modelSpec } from "./manifest.ts";

const { values } = parseArgs({
  args: Bun.argv.slice(2),
  options: {
    offline: { type: "boolean", default: false },
    "cache-dir": { type: "string" },
    "models-dir": { type: "string" },
    json: { type: "boolean", default: false },
    help: { type: "boolean", short: "h", default: false },
  },
});

if (values.help) {
  console.log(`usage: bun run models [--offline] [--cache-dir DIR] [--models-dir DIR] [--json]
Fetches, verifies and caches the models senko runs (cache: ${defaultCacheDir()}).`);
  process.exit(0);
}

const log = (line: string) => console.error(`senko models: ${line}`);
const resolved: ResolvedModel[] = [];
let failed = 0;
for (const id of MODEL_IDS) {
  try {
    resolved.push(
      await resolveModel(id, { offline: values.offline, cacheDir: values["cache-dir"], modelsDir: values["models-dir"], log }),
    );
  } catch (error) {
    failed++;
    console.error(error instanceof SenkoError ? error.message : error);
  }
}

if (values.json) {
  console.log(JSON.stringify(resolved, null, 2));
} else {
  for (const m of resolved) {
    const how = m.verification === "sha256" ? "sha256 ok" : "verified functionally (export differs from the recorded bytes)";
    const from = m.origin === "download" ? `fetched from ${m.source} in ${((m.fetchMs ?? 0) / 1000).toFixed(1)} s` : `from ${m.origin}`;
    console.log(`${m.id.padEnd(22)} ${m.path}  ${(m.bytes / 1e6).toFixed(1)} MB  ${how}  ${modelSpec(m.id).license}  (${from})`);
  }
}
process.exit(failed === 0 ? 0 : 1);
