#!/usr/bin/env python3
"""Peer runner: the Python original, Senko (PyPI `senko`), on the CPU.

    bench/peers/.venv/bin/python bench/peers/senko_runner.py a.wav [b.wav ...] --threads 2 [--vad silero]

Prints one JSON object per line on stdout: first {"load": {...}}, then per file
{"file", "seconds", "timing", "speakers", "segments", "rawSegments"}. Senko's own chatter goes to stderr.

Senko only reads 16 kHz mono 16-bit WAV; other WAVs are converted to a temporary s16 copy first
(not timed). On the CPU Senko always uses Silero VAD and spectral clustering (< 20 min of audio)
or UMAP+HDBSCAN; its pyannote VAD is CUDA/CoreML only and raises ValueError here.
"""

import argparse
import json
import os
import sys
import tempfile
import time
from importlib.metadata import version
from pathlib import Path


def parse_args():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("wavs", nargs="+", type=Path)
    ap.add_argument("--threads", type=int, required=True)
    ap.add_argument("--vad", choices=["auto", "silero", "pyannote"], default="silero")
    ap.add_argument("--no-warmup", action="store_true")
    return ap.parse_args()


def as_s16_mono_16k(path: Path, tmp: Path) -> Path:
    import soundfile as sf

    info = sf.info(str(path))
    if (info.format, info.subtype, info.channels, info.samplerate) == ("WAV", "PCM_16", 1, 16000):
        return path
    if info.samplerate != 16000:
        sys.exit(f"{path}: {info.samplerate} Hz; resample to 16 kHz first")
    data, _ = sf.read(str(path), dtype="float32", always_2d=True)
    out = tmp / f"{path.stem}.s16.wav"
    sf.write(str(out), data.mean(axis=1), 16000, subtype="PCM_16")
    return out


def plain(segments):
    return [{"start": float(s["start"]), "end": float(s["end"]), "speaker": s["speaker"]} for s in segments]


def main():
    args = parse_args()
    # Thread pools read these at import time (OpenMP in torch, numba for UMAP).
    for var in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "NUMBA_NUM_THREADS"):
        os.environ[var] = str(args.threads)

    # Results go to the real stdout; everything Senko or its C++ library prints goes to stderr.
    out = os.fdopen(os.dup(1), "w")
    os.dup2(2, 1)
    sys.stdout = sys.stderr

    def emit(obj):
        out.write(json.dumps(obj) + "\n")
        out.flush()

    t0 = time.perf_counter()
    import torch
    import senko

    torch.set_num_threads(args.threads)
    diarizer = senko.Diarizer(device="cpu", vad=args.vad, warmup=not args.no_warmup, quiet=True)
    # Senko resets torch to os.cpu_count() threads after each Silero pass; hold it to the budget.
    diarizer.logical_cores = args.threads
    torch.set_num_threads(args.threads)
    emit({"load": {
        "seconds": time.perf_counter() - t0,
        "senko": version("senko"),
        "torch": torch.__version__,
        "threads": torch.get_num_threads(),
        "vad": diarizer.vad_model_type,
        "clustering": diarizer.clustering_location,
    }})

    with tempfile.TemporaryDirectory(prefix="senko-peer-") as tmp:
        for wav in args.wavs:
            path = as_s16_mono_16k(wav, Path(tmp))
            t = time.perf_counter()
            result = diarizer.diarize(str(path))
            seconds = time.perf_counter() - t
            segments = [] if result is None else plain(result["merged_segments"])
            emit({
                "file": str(wav),
                "seconds": seconds,
                "timing": None if result is None else result["timing_stats"],
                "speakers": len({s["speaker"] for s in segments}),
                "segments": segments,
                # before Senko's merge of same-speaker gaps <= 4 s and removal of turns <= 0.78 s
                "rawSegments": [] if result is None else plain(result["raw_segments"]),
            })


if __name__ == "__main__":
    main()
