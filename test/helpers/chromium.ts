/**
 * Headless Chromium driven over the DevTools protocol (a WebSocket, no npm package): launch, open a
 * page, evaluate, click, screenshot. Uses Debian's `chromium` (tools/setup.sh installs it), with the
 * flags this closed network needs (no background networking, no component updates, no sync).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** The Chromium binary, or undefined when none is installed (`CHROMIUM` overrides the lookup). */
export function findChromium(): string | undefined {
  return process.env.CHROMIUM || Bun.which("chromium") || Bun.which("chromium-browser") || Bun.which("google-chrome") || undefined;
}

type Pending = { resolve: (v: unknown) => void; reject: (e: Error) => void; method: string };

export class Browser {
  #ws: WebSocket;
  #next = 1;
  #pending = new Map<number, Pending>();
  #listeners: ((message: { method: string; params: Record<string, unknown>; sessionId?: string }) => void)[] = [];

  private constructor(
    readonly process: ReturnType<typeof Bun.spawn>,
    ws: WebSocket,
    readonly profile: string,
  ) {
    this.#ws = ws;
    ws.onmessage = (event) => {
      const message = JSON.parse(String(event.data));
      if (message.id !== undefined) {
        const pending = this.#pending.get(message.id);
        this.#pending.delete(message.id);
        if (message.error) pending?.reject(new Error(`${pending.method}: ${message.error.message}`));
        else pending?.resolve(message.result);
      } else for (const listener of this.#listeners) listener(message);
    };
  }

  static async launch(binary: string, { width = 1280, height = 800 } = {}): Promise<Browser> {
    const profile = mkdtempSync(join(tmpdir(), "senko-chromium-"));
    const proc = Bun.spawn(
      [
        binary,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-default-apps",
        "--disable-extensions",
        "--mute-audio",
        "--autoplay-policy=no-user-gesture-required",
        "--allow-file-access-from-files",
        `--window-size=${width},${height}`,
        `--user-data-dir=${profile}`,
        "--remote-debugging-port=0",
        "about:blank",
      ],
      { stdout: "ignore", stderr: "pipe" },
    );
    // Chromium prints "DevTools listening on ws://..." on stderr once the port is open.
    const reader = proc.stderr.getReader();
    let seen = "";
    const deadline = Date.now() + 30_000;
    let url: string | undefined;
    while (!url) {
      const chunk = await Promise.race([reader.read(), Bun.sleep(Math.max(0, deadline - Date.now())).then(() => undefined)]);
      if (!chunk || chunk.done) {
        proc.kill();
        rmSync(profile, { recursive: true, force: true });
        throw new Error(`chromium did not start: ${seen.slice(-500)}`);
      }
      seen += new TextDecoder().decode(chunk.value);
      url = /DevTools listening on (ws:\/\/\S+)/.exec(seen)?.[1];
    }
    // Keep draining stderr so Chromium never blocks on a full pipe.
    void (async () => {
      while (!(await reader.read()).done);
    })();
    const ws = new WebSocket(url);
    await new Promise<void>((resolve, reject) => {
      ws.onopen = () => resolve();
      ws.onerror = () => reject(new Error(`cannot connect to ${url}`));
    });
    return new Browser(proc, ws, profile);
  }

  send<T = Record<string, unknown>>(method: string, params: Record<string, unknown> = {}, sessionId?: string): Promise<T> {
    const id = this.#next++;
    this.#ws.send(JSON.stringify({ id, method, params, ...(sessionId ? { sessionId } : {}) }));
    return new Promise((resolve, reject) => this.#pending.set(id, { resolve: resolve as (v: unknown) => void, reject, method }));
  }

  /** The next event `method` (of `sessionId`), within `timeoutMs`. */
  waitFor(method: string, sessionId?: string, timeoutMs = 30_000): Promise<Record<string, unknown>> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no ${method} within ${timeoutMs} ms`)), timeoutMs);
      const listener = (m: { method: string; params: Record<string, unknown>; sessionId?: string }) => {
        if (m.method !== method || (sessionId && m.sessionId !== sessionId)) return;
        clearTimeout(timer);
        this.#listeners.splice(this.#listeners.indexOf(listener), 1);
        resolve(m.params);
      };
      this.#listeners.push(listener);
    });
  }

  onEvent(listener: (message: { method: string; params: Record<string, unknown>; sessionId?: string }) => void): void {
    this.#listeners.push(listener);
  }

  async newPage(width = 1280, height = 800): Promise<Page> {
    const { targetId } = await this.send<{ targetId: string }>("Target.createTarget", { url: "about:blank" });
    const { sessionId } = await this.send<{ sessionId: string }>("Target.attachToTarget", { targetId, flatten: true });
    const page = new Page(this, sessionId);
    await page.send("Page.enable");
    await page.send("Runtime.enable");
    await page.send("Emulation.setDeviceMetricsOverride", { width, height, deviceScaleFactor: 1, mobile: false });
    return page;
  }

  async close(): Promise<void> {
    try {
      await Promise.race([this.send("Browser.close"), Bun.sleep(3000)]);
    } catch {
      // already gone
    }
    this.#ws.close();
    this.process.kill();
    await this.process.exited;
    rmSync(this.profile, { recursive: true, force: true });
  }
}

export class Page {
  readonly errors: string[] = [];

  constructor(
    readonly browser: Browser,
    readonly sessionId: string,
  ) {
    browser.onEvent((m) => {
      if (m.sessionId !== sessionId) return;
      if (m.method === "Runtime.exceptionThrown") {
        const details = m.params.exceptionDetails as { text?: string; exception?: { description?: string } };
        this.errors.push(details.exception?.description ?? details.text ?? "exception");
      }
      if (m.method === "Runtime.consoleAPICalled" && m.params.type === "error") {
        this.errors.push(JSON.stringify((m.params.args as { value?: unknown; description?: string }[]).map((a) => a.value ?? a.description)));
      }
    });
  }

  send<T = Record<string, unknown>>(method: string, params: Record<string, unknown> = {}): Promise<T> {
    return this.browser.send<T>(method, params, this.sessionId);
  }

  async goto(url: string): Promise<void> {
    const loaded = this.browser.waitFor("Page.loadEventFired", this.sessionId);
    await this.send("Page.navigate", { url });
    await loaded;
  }

  /** Evaluates an expression in the page (promises awaited) and returns its value. */
  async evaluate<T>(expression: string): Promise<T> {
    const { result, exceptionDetails } = await this.send<{ result: { value?: T }; exceptionDetails?: { exception?: { description?: string }; text?: string } }>("Runtime.evaluate", {
      expression,
      returnByValue: true,
      awaitPromise: true,
      userGesture: true,
    });
    if (exceptionDetails) throw new Error(`in the page: ${exceptionDetails.exception?.description ?? exceptionDetails.text}`);
    return result.value as T;
  }

  /** A real mouse click (pressed + released) at page coordinates. */
  async click(x: number, y: number): Promise<void> {
    for (const type of ["mouseMoved", "mousePressed", "mouseReleased"]) {
      await this.send("Input.dispatchMouseEvent", { type, x, y, button: type === "mouseMoved" ? "none" : "left", clickCount: 1 });
    }
  }

  async screenshot(): Promise<Uint8Array> {
    const { data } = await this.send<{ data: string }>("Page.captureScreenshot", { format: "png" });
    return Buffer.from(data, "base64");
  }
}
