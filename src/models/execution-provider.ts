/**
 * @module Where a model session runs: the accelerator each platform has through onnxruntime-node's
 * execution providers (CoreML on macOS, DirectML on Windows, CUDA on Linux x64 with an NVIDIA GPU), else
 * the CPU. A pure function of the platform, what is installed and the user's `device` option, so every
 * platform's choice is tested here, including the ones this machine cannot run.
 */
import { ConfigError } from "../errors.ts";

export type Accelerator = "cuda" | "coreml" | "directml";
/** Where the models run: "auto" (the platform's accelerator when it can run, else the CPU), "cpu", or one accelerator. */
export type Device = "auto" | "cpu" | Accelerator;
export const DEVICES: readonly Device[] = ["auto", "cpu", "cuda", "coreml", "directml"];

/** What the machine has, as far as onnxruntime is concerned. */
export interface Installed {
  /** onnxruntime-node's `listSupportedBackends()`: providers the binding knows, and whether its files are there */
  backends: readonly { name: string; bundled: boolean }[];
  /** onnxruntime-node's CUDA provider library is next to the binding (its install script fetched it) */
  cudaProvider: boolean;
  /** an NVIDIA driver is loaded */
  nvidiaDriver: boolean;
}

export interface ExecutionChoice {
  /** where the session runs */
  device: Accelerator | "cpu";
  /** onnxruntime execution providers, in order of preference (the CPU last, for the operators an accelerator lacks) */
  providers: string[];
  /** with device "auto" and no accelerator: why (for the one log line saying the CPU runs) */
  fallback?: string;
}

/** The accelerator of a platform, and the onnxruntime provider name that runs it. */
function platformAccelerator(platform: string, arch: string): { device: Accelerator; provider: string } | undefined {
  if (platform === "darwin") return { device: "coreml", provider: "coreml" };
  if (platform === "win32") return { device: "directml", provider: "dml" };
  if (platform === "linux" && arch === "x64") return { device: "cuda", provider: "cuda" };
  return undefined;
}

const NAMES: Record<Accelerator, string> = { cuda: "CUDA", coreml: "CoreML", directml: "DirectML" };

/** Why `accelerator` cannot run here, or undefined when it can. */
function missing(accelerator: Accelerator, platform: string, arch: string, installed: Installed): string | undefined {
  const own = platformAccelerator(platform, arch);
  if (own?.device !== accelerator) {
    return `${NAMES[accelerator]} is not available on ${platform}-${arch} (${own ? `its accelerator is ${NAMES[own.device]}` : "onnxruntime-node has no accelerator for it"})`;
  }
  const backend = installed.backends.find((b) => b.name === own.provider);
  if (!backend) return `this onnxruntime-node has no ${NAMES[accelerator]} execution provider`;
  if (accelerator === "cuda") {
    // The driver first: without a GPU, advice on installing the CUDA provider would not help.
    if (!installed.nvidiaDriver) return "no NVIDIA driver is loaded";
    if (!installed.cudaProvider) {
      return "onnxruntime-node's CUDA provider is not installed (its install script fetches it unless ONNXRUNTIME_NODE_INSTALL=skip; bun runs it after `bun pm trust onnxruntime-node`; the single-file executables carry none)";
    }
  }
  return undefined;
}

/** What the user can do when `accelerator` cannot run (`missing` says why): what to install, or which device to ask for instead. */
function remedy(accelerator: Accelerator, platform: string, arch: string, installed: Installed): string {
  const own = platformAccelerator(platform, arch);
  const instead = `ask for "cpu" (--device cpu) or "auto" (the accelerator when it can run, else the CPU) instead`;
  if (own?.device !== accelerator) return own ? `ask for "${own.device}" (--device ${own.device}), "auto" or "cpu" instead` : instead;
  if (!installed.backends.some((b) => b.name === own.provider)) return `install an onnxruntime-node built with ${NAMES[accelerator]}, or ${instead}`;
  if (!installed.nvidiaDriver) return `install NVIDIA's driver (nvidia-smi lists the GPU once it is loaded), or ${instead}`;
  return `run that script again (npm rebuild onnxruntime-node, with ONNXRUNTIME_NODE_INSTALL unset), or ${instead}`;
}

/**
 * The providers for a session. `device` "auto" takes the platform's accelerator when it can run, else the
 * CPU (with `fallback` saying why); a named accelerator that cannot run is a ConfigError that says why and what to do.
 */
export function chooseExecution(platform: string, arch: string, installed: Installed, device: Device = "auto"): ExecutionChoice {
  if (!DEVICES.includes(device)) throw new ConfigError(`unknown device "${String(device)}": use ${DEVICES.join(", ")}`);
  if (device === "cpu") return { device: "cpu", providers: ["cpu"] };
  if (device !== "auto") {
    const why = missing(device, platform, arch, installed);
    if (why) throw new ConfigError(`device "${device}" was asked for, but ${why}: ${remedy(device, platform, arch, installed)}`);
    return { device, providers: [platformAccelerator(platform, arch)!.provider, "cpu"] };
  }
  const own = platformAccelerator(platform, arch);
  if (!own) return { device: "cpu", providers: ["cpu"], fallback: `onnxruntime-node has no accelerator for ${platform}-${arch}` };
  const why = missing(own.device, platform, arch, installed);
  if (why) return { device: "cpu", providers: ["cpu"], fallback: why };
  return { device: own.device, providers: [own.provider, "cpu"] };
}

/**
 * What to do when a session of `device`, named by the user, fails to start though the device looked ready (a
 * library its provider loads is missing, a driver too old): the libraries CUDA needs, or another device.
 */
export function sessionFailureRemedy(device: Accelerator): string {
  const libraries = device === "cuda" ? "onnxruntime-node's CUDA provider needs CUDA 12 and cuDNN 9 installed (their libraries on LD_LIBRARY_PATH); or " : "";
  return `${libraries}ask for "auto" (the CPU when ${NAMES[device]} fails) or "cpu" (--device cpu) instead`;
}

/** How a device is named in log lines. */
export function deviceName(device: Accelerator | "cpu"): string {
  return device === "cpu" ? "the CPU" : NAMES[device];
}
