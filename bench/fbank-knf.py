"""Peer timing for bench/fbank.ts: kaldi-native-fbank over the same subsegments, one at a time, as a
Python caller would use it (per-subsegment OnlineFbank, frames to numpy, mean normalisation).

Usage: bench/peers/.venv/bin/python bench/fbank-knf.py SAMPLES.f32 SPANS.json  -> one JSON line on stdout
(sec: the whole loop; compute_sec: the part inside OnlineFbank).
SAMPLES.f32 is float32 little-endian 16 kHz mono; SPANS.json is [[start, end], ...] in samples.
"""

import json
import sys
import time

import kaldi_native_fbank as knf
import numpy as np


def options() -> knf.FbankOptions:
    opts = knf.FbankOptions()
    opts.frame_opts.samp_freq = 16000
    opts.frame_opts.dither = 0.0
    opts.frame_opts.snip_edges = True
    opts.frame_opts.window_type = "povey"
    opts.mel_opts.num_bins = 80
    opts.mel_opts.low_freq = 20.0
    opts.mel_opts.high_freq = 0.0
    opts.energy_floor = 0.0
    opts.use_energy = False
    return opts


def main() -> None:
    samples = np.fromfile(sys.argv[1], dtype="<f4")
    spans = json.load(open(sys.argv[2]))
    opts = options()
    frames = 0
    compute_sec = 0.0
    t0 = time.perf_counter()
    for start, end in spans:
        t1 = time.perf_counter()
        fbank = knf.OnlineFbank(opts)
        # A list converts faster than a numpy array through this binding (measured).
        fbank.accept_waveform(16000, samples[start:end].tolist())
        fbank.input_finished()
        compute_sec += time.perf_counter() - t1
        n = fbank.num_frames_ready
        if n:
            feats = np.array([fbank.get_frame(i) for i in range(n)], dtype=np.float32)
            feats -= feats.mean(axis=0)
        frames += n
    sec = time.perf_counter() - t0
    # compute_sec: inside OnlineFbank (with the list conversion), without reading frames out or CMN.
    result = {"sec": sec, "compute_sec": compute_sec, "frames": frames, "subsegments": len(spans)}
    print(json.dumps({**result, "version": knf.__version__}))


if __name__ == "__main__":
    main()
