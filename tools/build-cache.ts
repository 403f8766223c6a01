/**
 * @module A cache of build outputs keyed by the content of their inputs, in the user cache
 * ($XDG_CACHE_HOME/senko/build, else ~/.cache/senko/build), so a clean clone on the same machine (CI)
 * rebuilds a cross-compiled library or executable only when something it is made from changed.
 * Entries are directories `<name>-<hash>`; a new entry replaces the older ones of the same name.
 */
import { existsSync, readdirSync } from "node:fs";
import { mkdir, readFile, rename, rm } from "node:fs/promises";
import { homedir } from "node:os";
import { isAbsolute, join, relative } from "node:path";

export function buildCacheDir(): string {
  const xdg = process.env.XDG_CACHE_HOME;
  return join(xdg && isAbsolute(xdg) ? xdg : join(homedir(), ".cache"), "senko", "build");
}

/** Files under `root` matching `pattern` (a Bun glob), sorted, as absolute paths. */
export function filesMatching(root: string, pattern: string): string[] {
  return [...new Bun.Glob(pattern).scanSync({ cwd: root, onlyFiles: true })].sort().map((f) => join(root, f));
}

/** SHA-256 (hex, first 16 digits) over the files' paths (relative to `root`) and bytes, and `extra` strings. */
export async function contentHash(root: string, files: readonly string[], extra: readonly string[] = []): Promise<string> {
  const hasher = new Bun.CryptoHasher("sha256");
  for (const file of [...files].sort()) {
    hasher.update(`${relative(root, file)}\0`);
    hasher.update(await readFile(file));
    hasher.update("\0");
  }
  for (const item of extra) hasher.update(`${item}\0`);
  return hasher.digest("hex").slice(0, 16);
}

/**
 * The cache entry `<name>-<hash>`: returned as it is when present, else made by `build` (which fills the
 * directory it is given) and renamed into place, so an interrupted build never leaves a half entry.
 */
export async function cachedBuild(name: string, hash: string, build: (dir: string) => Promise<void>): Promise<{ dir: string; hit: boolean }> {
  const root = buildCacheDir();
  const dir = join(root, `${name}-${hash}`);
  if (existsSync(dir)) return { dir, hit: true };
  await mkdir(root, { recursive: true });
  const partial = `${dir}.${process.pid}.partial`;
  await rm(partial, { recursive: true, force: true });
  await mkdir(partial);
  try {
    await build(partial);
    await rename(partial, dir);
  } catch (error) {
    await rm(partial, { recursive: true, force: true });
    // Another process finished the same entry first.
    if (existsSync(dir)) return { dir, hit: true };
    throw error;
  }
  for (const entry of readdirSync(root)) {
    if (entry.startsWith(`${name}-`) && entry !== `${name}-${hash}` && /^[0-9a-f]{16}$/.test(entry.slice(name.length + 1))) {
      await rm(join(root, entry), { recursive: true, force: true });
    }
  }
  return { dir, hit: false };
}

/** Runs a command, inheriting nothing but the environment; a non-zero exit throws with its output. */
export async function run(cmd: string[], options: { cwd?: string; env?: Record<string, string | undefined> } = {}): Promise<string> {
  const proc = Bun.spawn(cmd, { cwd: options.cwd, env: { ...process.env, ...options.env }, stdin: "ignore", stdout: "pipe", stderr: "pipe" });
  const [stdout, stderr, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
  if (code !== 0) throw new Error(`\`${cmd.join(" ")}\` exited ${code}:\n${(stderr || stdout).trim()}`);
  return stdout;
}
