/** @module Small WAV writers for the input, CLI and fuzz tests (not part of the package). */

export interface WavChunk {
  id: string;
  body: Uint8Array;
  /** size field to write instead of body.length */
  size?: number;
  /** leave out the pad byte after an odd-sized body */
  noPad?: boolean;
}

export function concatBytes(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

const latin1 = (s: string) => Uint8Array.from(s, (c) => c.charCodeAt(0));

export function wavChunk(id: string, body: Uint8Array | string, extra: { size?: number; noPad?: boolean } = {}): WavChunk {
  return { id, body: typeof body === "string" ? latin1(body) : body, ...extra };
}

function serialize(c: WavChunk): Uint8Array {
  const head = new Uint8Array(8);
  head.set(latin1(c.id));
  new DataView(head.buffer).setUint32(4, c.size ?? c.body.length, true);
  return concatBytes([head, c.body, new Uint8Array(c.noPad ? 0 : c.body.length & 1)]);
}

export interface FmtOptions {
  /** format tag: 1 PCM, 3 float, others for codecs senko does not decode */
  tag: number;
  channels: number;
  rate: number;
  bits: number;
  /** block align to write instead of channels x bits / 8 */
  blockAlign?: number;
  /** wrap in WAVE_FORMAT_EXTENSIBLE around `tag`, with these valid bits (and another GUID tail) */
  extensible?: { validBits: number; guidTail?: number[] };
}

const GUID_TAIL = [0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xaa, 0x00, 0x38, 0x9b, 0x71];

export function fmtChunk(f: FmtOptions): WavChunk {
  const body = new Uint8Array(f.extensible ? 40 : 16);
  const v = new DataView(body.buffer);
  const blockAlign = f.blockAlign ?? (f.channels * f.bits) / 8;
  v.setUint16(0, f.extensible ? 0xfffe : f.tag, true);
  v.setUint16(2, f.channels, true);
  v.setUint32(4, f.rate, true);
  v.setUint32(8, f.rate * blockAlign, true);
  v.setUint16(12, blockAlign, true);
  v.setUint16(14, f.bits, true);
  if (f.extensible) {
    v.setUint16(16, 22, true);
    v.setUint16(18, f.extensible.validBits, true);
    v.setUint16(24, f.tag, true);
    body.set(f.extensible.guidTail ?? GUID_TAIL, 26);
  }
  return wavChunk("fmt ", body);
}

/** A RIFF WAVE file, or RF64/BW64 with a ds64 chunk holding the data size and 0xFFFFFFFF size fields. */
export function wavFile(chunks: WavChunk[], container: "RIFF" | "RF64" | "BW64" = "RIFF"): Uint8Array {
  let list = chunks;
  if (container !== "RIFF") {
    const data = chunks.find((c) => c.id === "data")!;
    const ds64 = new Uint8Array(28);
    new DataView(ds64.buffer).setBigUint64(8, BigInt(data.body.length), true);
    list = [wavChunk("ds64", ds64), ...chunks.map((c) => (c.id === "data" ? { ...c, size: 0xffffffff } : c))];
  }
  const body = concatBytes([latin1("WAVE"), ...list.map(serialize)]);
  const head = new Uint8Array(8);
  head.set(latin1(container));
  new DataView(head.buffer).setUint32(4, container === "RIFF" ? body.length : 0xffffffff, true);
  return concatBytes([head, body]);
}

/** 16-bit PCM bytes of mono or interleaved samples in [-1, 1]. */
export function pcm16(samples: ArrayLike<number>): Uint8Array {
  const out = new Uint8Array(samples.length * 2);
  const v = new DataView(out.buffer);
  for (let i = 0; i < samples.length; i++) v.setInt16(i * 2, Math.max(-32768, Math.min(32767, Math.round(samples[i]! * 32768))), true);
  return out;
}

/** A 16-bit PCM WAV of mono or interleaved samples. */
export function wav16(samples: ArrayLike<number>, rate = 16000, channels = 1): Uint8Array {
  return wavFile([fmtChunk({ tag: 1, channels, rate, bits: 16 }), wavChunk("data", pcm16(samples))]);
}

/** A 32-bit float WAV of 16 kHz mono samples (the AMI fixtures' format). */
export function wavFloat(samples: Float32Array, rate = 16000): Uint8Array {
  return wavFile([fmtChunk({ tag: 3, channels: 1, rate, bits: 32 }), wavChunk("data", new Uint8Array(samples.buffer, samples.byteOffset, samples.byteLength))]);
}
