/**
 * The accelerator choice of every platform, from what onnxruntime-node 1.30.0's binding of that platform
 * reports (`listSupportedBackends()`; the macOS, Windows and Linux arm64 lists are the names compiled into
 * their bindings, since this machine runs only Linux x64).
 */
import { describe, expect, test } from "bun:test";
import * as ort from "onnxruntime-node";
import { ComputeContext } from "../src/compute-context.ts";
import { ConfigError } from "../src/errors.ts";
import { chooseExecution, sessionFailureRemedy, type Installed } from "../src/models/execution-provider.ts";
import { executionChoice } from "../src/models/session.ts";
import { skipWithout } from "./helpers/skip.ts";

const BACKENDS = {
  "darwin-arm64": [{ name: "cpu", bundled: true }, { name: "webgpu", bundled: true }, { name: "coreml", bundled: true }],
  "win32-x64": [{ name: "cpu", bundled: true }, { name: "webgpu", bundled: true }, { name: "dml", bundled: true }],
  "linux-x64": [{ name: "cpu", bundled: true }, { name: "webgpu", bundled: true }, { name: "cuda", bundled: false }, { name: "tensorrt", bundled: false }],
  "linux-arm64": [{ name: "cpu", bundled: true }],
};

function installed(id: keyof typeof BACKENDS, cuda = { cudaProvider: false, nvidiaDriver: false }): Installed {
  return { backends: BACKENDS[id], ...cuda };
}
const GPU = { cudaProvider: true, nvidiaDriver: true };

describe("device auto", () => {
  test("macOS: CoreML, then the CPU for what CoreML lacks", () => {
    expect(chooseExecution("darwin", "arm64", installed("darwin-arm64"))).toEqual({ device: "coreml", providers: ["coreml", "cpu"] });
    expect(chooseExecution("darwin", "x64", installed("darwin-arm64")).device).toBe("coreml");
  });

  test("Windows: DirectML", () => {
    expect(chooseExecution("win32", "x64", installed("win32-x64"))).toEqual({ device: "directml", providers: ["dml", "cpu"] });
  });

  test("Linux x64 with the CUDA provider and an NVIDIA driver: CUDA", () => {
    expect(chooseExecution("linux", "x64", installed("linux-x64", GPU))).toEqual({ device: "cuda", providers: ["cuda", "cpu"] });
  });

  test("Linux x64 without either: the CPU, saying why", () => {
    const noProvider = chooseExecution("linux", "x64", installed("linux-x64", { cudaProvider: false, nvidiaDriver: true }));
    expect(noProvider).toMatchObject({ device: "cpu", providers: ["cpu"] });
    expect(noProvider.fallback).toContain("CUDA provider is not installed");
    const noDriver = chooseExecution("linux", "x64", installed("linux-x64", { cudaProvider: true, nvidiaDriver: false }));
    expect(noDriver.fallback).toBe("no NVIDIA driver is loaded");
    // No GPU and no provider (the install README advises there): the missing GPU is the reason given.
    expect(chooseExecution("linux", "x64", installed("linux-x64")).fallback).toBe("no NVIDIA driver is loaded");
  });

  test("Linux arm64 and other platforms: the CPU", () => {
    expect(chooseExecution("linux", "arm64", installed("linux-arm64")).fallback).toBe("onnxruntime-node has no accelerator for linux-arm64");
    expect(chooseExecution("freebsd", "x64", installed("linux-arm64")).device).toBe("cpu");
  });

  test("a binding without its platform's provider: the CPU", () => {
    const choice = chooseExecution("darwin", "arm64", { backends: [{ name: "cpu", bundled: true }], cudaProvider: false, nvidiaDriver: false });
    expect(choice).toMatchObject({ device: "cpu", fallback: "this onnxruntime-node has no CoreML execution provider" });
  });

  test("this machine: what onnxruntime-node reports here decides", () => {
    const here = chooseExecution(process.platform, process.arch, { backends: ort.listSupportedBackends(), cudaProvider: false, nvidiaDriver: false });
    expect(here.providers.at(-1)).toBe("cpu");
  });
});

describe("a named device", () => {
  test("cpu is always the CPU, with no fallback line", () => {
    expect(chooseExecution("darwin", "arm64", installed("darwin-arm64"), "cpu")).toEqual({ device: "cpu", providers: ["cpu"] });
  });

  test("the platform's accelerator when it can run", () => {
    expect(chooseExecution("win32", "x64", installed("win32-x64"), "directml").providers).toEqual(["dml", "cpu"]);
    expect(chooseExecution("linux", "x64", installed("linux-x64", GPU), "cuda").providers).toEqual(["cuda", "cpu"]);
  });

  test("an accelerator that cannot run is a ConfigError that says why", () => {
    expect(() => chooseExecution("linux", "x64", installed("linux-x64"), "cuda")).toThrow(ConfigError);
    expect(() => chooseExecution("linux", "x64", installed("linux-x64"), "cuda")).toThrow('device "cuda" was asked for, but no NVIDIA driver is loaded');
    const driverOnly = installed("linux-x64", { cudaProvider: false, nvidiaDriver: true });
    expect(() => chooseExecution("linux", "x64", driverOnly, "cuda")).toThrow('device "cuda" was asked for, but onnxruntime-node\'s CUDA provider is not installed');
    expect(() => chooseExecution("darwin", "arm64", installed("darwin-arm64"), "cuda")).toThrow("CUDA is not available on darwin-arm64 (its accelerator is CoreML)");
    expect(() => chooseExecution("linux", "arm64", installed("linux-arm64"), "coreml")).toThrow("onnxruntime-node has no accelerator for it");
    expect(() => chooseExecution("linux", "x64", installed("linux-x64"), "gpu" as never)).toThrow('unknown device "gpu"');
  });

  test("its message says what to do: what to install, or which device to ask for instead", () => {
    const refusal = (platform: string, arch: string, id: keyof typeof BACKENDS, device: "cuda" | "coreml" | "directml", cuda?: Omit<Installed, "backends">) => {
      try {
        chooseExecution(platform, arch, installed(id, cuda), device);
      } catch (error) {
        return (error as Error).message;
      }
      return "chosen";
    };
    const instead = 'ask for "cpu" (--device cpu) or "auto" (the accelerator when it can run, else the CPU) instead';
    expect(refusal("linux", "x64", "linux-x64", "cuda")).toBe(`device "cuda" was asked for, but no NVIDIA driver is loaded: install NVIDIA's driver (nvidia-smi lists the GPU once it is loaded), or ${instead}`);
    expect(refusal("linux", "x64", "linux-x64", "cuda", { cudaProvider: false, nvidiaDriver: true })).toEndWith(
      `the single-file executables carry none): run that script again (npm rebuild onnxruntime-node, with ONNXRUNTIME_NODE_INSTALL unset), or ${instead}`,
    );
    expect(refusal("darwin", "arm64", "darwin-arm64", "cuda")).toBe('device "cuda" was asked for, but CUDA is not available on darwin-arm64 (its accelerator is CoreML): ask for "coreml" (--device coreml), "auto" or "cpu" instead');
    expect(refusal("linux", "arm64", "linux-arm64", "cuda")).toBe(`device "cuda" was asked for, but CUDA is not available on linux-arm64 (onnxruntime-node has no accelerator for it): ${instead}`);
    const bare = { backends: [{ name: "cpu", bundled: true }], cudaProvider: false, nvidiaDriver: false };
    expect(() => chooseExecution("darwin", "arm64", bare, "coreml")).toThrow(`this onnxruntime-node has no CoreML execution provider: install an onnxruntime-node built with CoreML, or ${instead}`);
  });

  test("a session that fails on a named accelerator says what to do too", () => {
    expect(sessionFailureRemedy("cuda")).toBe(
      `onnxruntime-node's CUDA provider needs CUDA 12 and cuDNN 9 installed (their libraries on LD_LIBRARY_PATH); or ask for "auto" (the CPU when CUDA fails) or "cpu" (--device cpu) instead`,
    );
    expect(sessionFailureRemedy("directml")).toBe(`ask for "auto" (the CPU when DirectML fails) or "cpu" (--device cpu) instead`);
  });
});

describe("the sessions of a context on this machine", () => {
  const here = executionChoice("auto");

  test.skipIf(skipWithout("execution-provider.test.ts", { "a machine where auto falls back to the CPU": here.device === "cpu" && here.fallback }))("auto falls back to the CPU with one log line that says why, and every session runs there", async () => {
    const lines: string[] = [];
    const write = process.stderr.write;
    process.stderr.write = ((chunk: string | Uint8Array) => lines.push(String(chunk).replace(/\n$/, "")) > 0) as typeof process.stderr.write;
    const context = new ComputeContext({ quiet: false, threads: 1, lanes: 1 });
    try {
      const loaded = [await context.session("silero-vad"), await context.session("campplus")];
      expect(loaded.map((m) => m.device)).toEqual(["cpu", "cpu"]);
    } finally {
      process.stderr.write = write;
      await context.close();
    }
    expect(lines.filter((l) => l.includes("models run on the CPU:"))).toEqual([`senko: models run on the CPU: ${here.fallback}`]);
    expect(lines.filter((l) => / runs on the CPU \(1 thread\)$/.test(l)).length).toBe(2);
  });

  test("an accelerator that is not here is a ConfigError when the first session is made", async () => {
    const other = process.platform === "darwin" ? "directml" : "coreml";
    const context = new ComputeContext({ device: other, threads: 1 });
    expect(context.lanes).toBe(1);
    await expect(context.session("silero-vad")).rejects.toThrow(ConfigError);
    await context.close();
  });
});
