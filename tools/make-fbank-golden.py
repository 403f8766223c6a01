"""Writes the fbank golden files in test/fixtures/fbank/ from kaldi-native-fbank on real AMI audio.

Run from the repo root: .venv/bin/python tools/make-fbank-golden.py
Reference: kaldi-native-fbank with the options CAM++ / 3D-Speaker use through torchaudio's Kaldi fbank
(80 bins, dither 0, snip_edges, Povey window, DC removal, pre-emphasis 0.97, 20 Hz..Nyquist, no energy),
then per-subsegment mean normalisation over time. Output: golden.json (index), logmel.f32 (before mean
normalisation) and cmn.f32 (after), both frame-major float32 little-endian, 80 floats per frame.
"""

import json
import struct
from pathlib import Path

import kaldi_native_fbank as knf
import numpy as np

ROOT = Path(__file__).resolve().parent.parent
AMI = ROOT.parent / "shared" / "fixtures" / "ami"
OUT = ROOT / "test" / "fixtures" / "fbank"
RATE = 16000
MEL_BINS = 80

# (file, start s, end s); None as end means the end of the file. Covers grid-aligned overlapping 1.5 s
# windows (0.6 s shift), an off-grid start, a window shorter than one frame, and the end of a file.
SEGMENTS = [
    ("dev00.wav", 3.0, 4.5),
    ("dev00.wav", 3.6, 5.1),
    ("dev00.wav", 4.2, 5.7),
    ("dev00.wav", 12.34567, 13.1),
    ("dev00.wav", 20.0, 20.02),
    ("trn01.wav", 0.0, 0.6),
    ("trn01.wav", 29.2, None),
    ("trn05.wav", 7.77, 8.27),
    ("trn05.wav", 17.0, 17.0245),
]


def read_float_wav(path: Path) -> np.ndarray:
    """Samples of a mono 16 kHz IEEE-float WAV (the AMI fixtures' format)."""
    raw = path.read_bytes()
    assert raw[:4] == b"RIFF" and raw[8:12] == b"WAVE", path
    pos, fmt, data = 12, None, None
    while pos + 8 <= len(raw):
        tag, size = raw[pos : pos + 4], struct.unpack_from("<I", raw, pos + 4)[0]
        body = raw[pos + 8 : pos + 8 + size]
        if tag == b"fmt ":
            fmt = struct.unpack_from("<HHIIHH", body)
        elif tag == b"data":
            data = body
        pos += 8 + size + (size & 1)
    assert fmt is not None and data is not None, path
    format_tag, channels, rate, _, _, bits = fmt
    assert format_tag == 3 and channels == 1 and rate == RATE and bits == 32, (path, fmt)
    return np.frombuffer(data[: len(data) // 4 * 4], dtype="<f4")


def reference_fbank(x: np.ndarray) -> np.ndarray:
    opts = knf.FbankOptions()
    opts.frame_opts.samp_freq = RATE
    opts.frame_opts.dither = 0.0
    opts.frame_opts.snip_edges = True
    opts.frame_opts.window_type = "povey"
    opts.frame_opts.remove_dc_offset = True
    opts.frame_opts.preemph_coeff = 0.97
    opts.mel_opts.num_bins = MEL_BINS
    opts.mel_opts.low_freq = 20.0
    opts.mel_opts.high_freq = 0.0
    opts.energy_floor = 0.0
    opts.use_energy = False
    fbank = knf.OnlineFbank(opts)
    fbank.accept_waveform(RATE, x.tolist())
    fbank.input_finished()
    frames = [np.asarray(fbank.get_frame(i), dtype=np.float32) for i in range(fbank.num_frames_ready)]
    return np.stack(frames) if frames else np.zeros((0, MEL_BINS), dtype=np.float32)


def js_round(value: float) -> int:
    """Math.round (half up), which src/features/fbank.ts uses; Python's round() is half-even."""
    return int(np.floor(value + 0.5))


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    audio = {name: read_float_wav(AMI / name) for name in sorted({s[0] for s in SEGMENTS})}
    logmel, cmn, index = [], [], []
    offset = 0
    for name, start_sec, end_sec in SEGMENTS:
        x = audio[name]
        end_sec = len(x) / RATE if end_sec is None else end_sec
        start, end = js_round(start_sec * RATE), min(js_round(end_sec * RATE), len(x))
        feats = reference_fbank(x[start:end])
        expected_frames = 0 if end - start < 400 else 1 + (end - start - 400) // 160
        assert feats.shape == (expected_frames, MEL_BINS), (name, start, end, feats.shape)
        logmel.append(feats)
        cmn.append((feats.astype(np.float64) - feats.astype(np.float64).mean(axis=0)).astype(np.float32) if len(feats) else feats)
        index.append(
            {
                "file": name,
                "startSec": start_sec,
                "endSec": end_sec,
                "startSample": start,
                "endSample": end,
                "frames": int(len(feats)),
                "frameOffset": offset,
            }
        )
        offset += len(feats)
    np.concatenate(logmel).astype("<f4").tofile(OUT / "logmel.f32")
    np.concatenate(cmn).astype("<f4").tofile(OUT / "cmn.f32")
    meta = {
        "reference": f"kaldi-native-fbank {knf.__version__ if hasattr(knf, '__version__') else ''}".strip(),
        "melBins": MEL_BINS,
        "totalFrames": offset,
        "segments": index,
    }
    (OUT / "golden.json").write_text(json.dumps(meta, indent=2) + "\n")
    print(f"wrote {offset} frames for {len(index)} subsegments to {OUT}")


if __name__ == "__main__":
    main()
