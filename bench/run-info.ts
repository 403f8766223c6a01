/** @module The header every published benchmark run prints: when, which commit, which machine, which versions. */
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { availableParallelism, loadavg } from "node:os";
import { join } from "node:path";

const sh = (cmd: string[]) => spawnSync(cmd[0]!, cmd.slice(1), { encoding: "utf8" }).stdout?.trim() ?? "";
const packageVersion = (path: string) =>
  existsSync(path) ? (JSON.parse(readFileSync(path, "utf8")) as { version: string }).version : "not installed";

export function runInfo(): string {
  const commit = sh(["git", "-C", import.meta.dir, "rev-parse", "--short", "HEAD"]);
  // Other work lands in the checkout while benchmarks run: say when the measured code is not the commit.
  const dirty = sh(["git", "-C", import.meta.dir, "status", "--porcelain", "--untracked-files=no", "--", "../src", "../zig"]);
  const cpu = sh(["lscpu"]).split("\n").find((l) => l.startsWith("Model name"))?.replace(/^Model name:\s*/, "") ?? "?";
  return [
    `${new Date().toISOString()}  commit ${commit}${dirty ? " + uncommitted changes in src/ or zig/" : ""}`,
    `machine: ${availableParallelism()} cores, ${cpu}; load average ${loadavg().map((x) => x.toFixed(2)).join(" ")}`,
    `versions: Bun ${Bun.version}, onnxruntime-node ${packageVersion(join(import.meta.dir, "../node_modules/onnxruntime-node/package.json"))}, ` +
      `sherpa-onnx-node ${packageVersion(join(import.meta.dir, "peers/node_modules/sherpa-onnx-node/package.json"))}`,
  ].join("\n");
}
