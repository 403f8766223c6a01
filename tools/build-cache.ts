/**
 * @module A cache of build outputs keyed by the content of their inputs, in the user cache
 * ($XDG_CACHE_HOME/senko/build, else ~/.cache/senko/build), so a clean clone on the same machine (CI)
 * rebuilds a cross-compiled library or executable only when something it is made from changed.
 * Entries are directories `<name>-<hash>`. Checkouts on one machine share the cache (several worktrees
 * at different commits), so a new entry removes only the same name's entries unused for a day, and all but
 * the KEEP most recently used.
 */
import { existsSync, readdirSync, statSync, utimesSync } from "node:fs";
import { mkdir, readFile, rename, rm } from "node:fs/promises";
import { homedir } from "node:os";
import { isAbsolute, join, relative } from "node:path";

function buildCacheDir(): string {
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
  if (existsSync(dir)) {
    const now = new Date();
    utimesSync(dir, now, now);
    return { dir, hit: true };
  }
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
  await prune(root, name);
  return { dir, hit: false };
}

const KEEP = 4;
const DAY_MS = 86_400_000;

async function prune(root: string, name: string): Promise<void> {
  const entries = readdirSync(root)
    .filter((e) => e.startsWith(`${name}-`) && /^[0-9a-f]{16}$/.test(e.slice(name.length + 1)))
    // Another process may remove an entry meanwhile: it then has no mtime and is skipped.
    .map((e) => ({ path: join(root, e), used: statSync(join(root, e), { throwIfNoEntry: false })?.mtimeMs }))
    .filter((e): e is { path: string; used: number } => e.used !== undefined)
    .sort((a, b) => b.used - a.used);
  const now = Date.now();
  for (const [i, entry] of entries.entries()) {
    if (i >= KEEP || now - entry.used > DAY_MS) await rm(entry.path, { recursive: true, force: true });
  }
}

/** Runs a command with this process's environment (plus `env`); a non-zero exit throws with its output. */
export async function run(cmd: string[], options: { cwd?: string; env?: Record<string, string | undefined> } = {}): Promise<string> {
  const proc = Bun.spawn(cmd, { cwd: options.cwd, env: { ...process.env, ...options.env }, stdin: "ignore", stdout: "pipe", stderr: "pipe" });
  const [stdout, stderr, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
  if (code !== 0) throw new Error(`\`${cmd.join(" ")}\` exited ${code}:\n${(stderr || stdout).trim()}`);
  return stdout;
}
