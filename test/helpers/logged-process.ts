/** @module A child process whose stderr is kept line by line, with a way to wait for a line (queue workers in tests and benchmarks). */
import type { Subprocess } from "bun";

export class Logged {
  readonly lines: string[] = [];
  readonly process: Subprocess<"ignore", "ignore", "pipe">;
  #waiters: (() => void)[] = [];
  /** `env` adds to (or overrides) this process's environment */
  constructor(command: string[], cwd?: string, env?: Record<string, string>) {
    this.process = Bun.spawn(command, { cwd, env: env && { ...process.env, ...env }, stdin: "ignore", stdout: "ignore", stderr: "pipe" });
    void this.#read();
  }
  async #read() {
    let rest = "";
    const decoder = new TextDecoder();
    for await (const chunk of this.process.stderr) {
      rest += decoder.decode(chunk, { stream: true });
      const parts = rest.split("\n");
      rest = parts.pop()!;
      this.lines.push(...parts);
      for (const wake of this.#waiters.splice(0)) wake();
    }
  }
  /** Resolves with the first line (from index `from`) that matches, or rejects after `timeoutMs`. */
  async waitFor(pattern: RegExp, from = 0, timeoutMs = 120_000): Promise<{ line: string; index: number }> {
    const deadline = performance.now() + timeoutMs;
    for (;;) {
      const index = this.lines.findIndex((line, i) => i >= from && pattern.test(line));
      if (index >= 0) return { line: this.lines[index]!, index };
      if (performance.now() > deadline) throw new Error(`no line matching ${pattern} in:\n${this.lines.join("\n")}`);
      await new Promise<void>((wake) => {
        this.#waiters.push(wake);
        setTimeout(wake, 200);
      });
    }
  }
  /** Job ids of the "done" lines. */
  doneIds(): string[] {
    return this.lines.flatMap((line) => /: done (j[0-9a-f]+) /.exec(line)?.[1] ?? []);
  }
}
