/**
 * @module What a built binary is, read from its headers: the format (ELF, Mach-O, PE), the CPU it is for,
 * whether it is a shared library or an executable, and, for libraries, the names of the symbols it exports
 * (ELF .dynsym, Mach-O LC_SYMTAB, PE export directory). Enough to check cross-compiled files without the
 * target machine or an external tool. 64-bit little-endian files only (all senko's targets).
 */

export type BinaryFormat = "elf" | "mach-o" | "pe";
export type BinaryArch = "x86-64" | "aarch64";

export interface BinaryInfo {
  format: BinaryFormat;
  arch: BinaryArch;
  kind: "library" | "executable";
  /** exported (defined, global) symbols, without Mach-O's leading underscore */
  exports: string[];
  /** the shared libraries it links, as named in the file (ELF DT_NEEDED, Mach-O LC_LOAD_DYLIB, PE imports) */
  needed: string[];
}

class Reader {
  readonly view: DataView;
  constructor(readonly bytes: Uint8Array) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }
  u16 = (at: number) => this.view.getUint16(at, true);
  u32 = (at: number) => this.view.getUint32(at, true);
  u64 = (at: number) => Number(this.view.getBigUint64(at, true));
  cString(at: number): string {
    let end = at;
    while (end < this.bytes.length && this.bytes[end] !== 0) end++;
    return new TextDecoder().decode(this.bytes.subarray(at, end));
  }
}

export function binaryInfo(bytes: Uint8Array): BinaryInfo {
  const r = new Reader(bytes);
  if (bytes.length >= 64 && r.u32(0) === 0x464c457f) return elf(r);
  if (bytes.length >= 32 && r.u32(0) === 0xfeedfacf) return machO(r);
  if (bytes.length >= 64 && r.u16(0) === 0x5a4d) return pe(r);
  throw new Error("not a 64-bit ELF, Mach-O or PE file");
}

const ELF_MACHINES: Record<number, BinaryArch> = { 62: "x86-64", 183: "aarch64" };

function elf(r: Reader): BinaryInfo {
  if (r.bytes[4] !== 2 || r.bytes[5] !== 1) throw new Error("ELF: not 64-bit little-endian");
  const arch = ELF_MACHINES[r.u16(18)];
  if (!arch) throw new Error(`ELF: machine ${r.u16(18)}`);
  const shoff = r.u64(0x28);
  const shentsize = r.u16(0x3a);
  const shnum = r.u16(0x3c);
  const section = (i: number) => {
    const at = shoff + i * shentsize;
    return { type: r.u32(at + 4), offset: r.u64(at + 0x18), size: r.u64(at + 0x20), link: r.u32(at + 0x28), entsize: r.u64(at + 0x38) };
  };
  const exports: string[] = [];
  const needed: string[] = [];
  for (let i = 0; i < shnum; i++) {
    const s = section(i);
    const strtab = section(s.link);
    if (s.type === 11) {
      // SHT_DYNSYM
      for (let at = s.offset + s.entsize; at < s.offset + s.size; at += s.entsize) {
        const binding = r.bytes[at + 4]! >> 4;
        const defined = r.u16(at + 6) !== 0;
        if (defined && (binding === 1 || binding === 2)) exports.push(r.cString(strtab.offset + r.u32(at)));
      }
    } else if (s.type === 6) {
      // SHT_DYNAMIC: DT_NEEDED entries name the libraries
      for (let at = s.offset; at < s.offset + s.size; at += 16) if (r.u64(at) === 1) needed.push(r.cString(strtab.offset + r.u64(at + 8)));
    }
  }
  // A shared library has no program interpreter; a (PIE) executable has PT_INTERP.
  const phoff = r.u64(0x20);
  const phentsize = r.u16(0x36);
  const phnum = r.u16(0x38);
  let isLibrary = r.u16(16) === 3;
  for (let i = 0; i < phnum; i++) if (r.u32(phoff + i * phentsize) === 3) isLibrary = false;
  return { format: "elf", arch, kind: isLibrary ? "library" : "executable", exports: exports.sort(), needed };
}

const MACHO_CPUS: Record<number, BinaryArch> = { 0x01000007: "x86-64", 0x0100000c: "aarch64" };

function machO(r: Reader): BinaryInfo {
  const arch = MACHO_CPUS[r.u32(4)];
  if (!arch) throw new Error(`Mach-O: cpu type 0x${r.u32(4).toString(16)}`);
  const filetype = r.u32(12);
  const ncmds = r.u32(16);
  const exports: string[] = [];
  const needed: string[] = [];
  let at = 32;
  for (let i = 0; i < ncmds; i++) {
    const cmd = r.u32(at);
    // LC_LOAD_DYLIB, LC_LOAD_WEAK_DYLIB, LC_REEXPORT_DYLIB: the name is at an offset inside the command.
    if (cmd === 0xc || cmd === 0x80000018 || cmd === 0x8000001f) needed.push(r.cString(at + r.u32(at + 8)));
    if (cmd === 0x2) {
      // LC_SYMTAB: nlist_64 entries; exported = external and defined in a section, not a debug entry.
      const symoff = r.u32(at + 8);
      const nsyms = r.u32(at + 12);
      const stroff = r.u32(at + 16);
      for (let s = 0; s < nsyms; s++) {
        const e = symoff + s * 16;
        const type = r.bytes[e + 4]!;
        if ((type & 0xe0) === 0 && (type & 0x01) !== 0 && (type & 0x0e) === 0x0e) {
          exports.push(r.cString(stroff + r.u32(e)).replace(/^_/, ""));
        }
      }
    }
    at += r.u32(at + 4);
  }
  return { format: "mach-o", arch, kind: filetype === 6 ? "library" : "executable", exports: exports.sort(), needed };
}

const PE_MACHINES: Record<number, BinaryArch> = { 0x8664: "x86-64", 0xaa64: "aarch64" };

function pe(r: Reader): BinaryInfo {
  const header = r.u32(0x3c);
  if (r.u32(header) !== 0x00004550) throw new Error("PE: no PE signature");
  const coff = header + 4;
  const arch = PE_MACHINES[r.u16(coff)];
  if (!arch) throw new Error(`PE: machine 0x${r.u16(coff).toString(16)}`);
  const sectionCount = r.u16(coff + 2);
  const optionalSize = r.u16(coff + 16);
  const isDll = (r.u16(coff + 18) & 0x2000) !== 0;
  const optional = coff + 20;
  if (r.u16(optional) !== 0x20b) throw new Error("PE: not PE32+");
  const sections = Array.from({ length: sectionCount }, (_, i) => {
    const at = optional + optionalSize + i * 40;
    return { va: r.u32(at + 12), size: Math.max(r.u32(at + 8), r.u32(at + 16)), raw: r.u32(at + 20) };
  });
  const offset = (rva: number) => {
    const s = sections.find((s) => rva >= s.va && rva < s.va + s.size);
    if (!s) throw new Error(`PE: RVA 0x${rva.toString(16)} is in no section`);
    return rva - s.va + s.raw;
  };
  const exports: string[] = [];
  const exportRva = r.u32(optional + 112);
  if (exportRva !== 0) {
    const dir = offset(exportRva);
    const names = r.u32(dir + 24);
    const nameTable = offset(r.u32(dir + 32));
    for (let i = 0; i < names; i++) exports.push(r.cString(offset(r.u32(nameTable + i * 4))));
  }
  const needed: string[] = [];
  const importRva = r.u32(optional + 120);
  if (importRva !== 0) {
    // IMAGE_IMPORT_DESCRIPTOR entries of 20 bytes, the DLL name's RVA at +12, ended by an all-zero entry.
    for (let d = offset(importRva); r.u32(d + 12) !== 0; d += 20) needed.push(r.cString(offset(r.u32(d + 12))));
  }
  return { format: "pe", arch, kind: isDll ? "library" : "executable", exports: exports.sort(), needed };
}
