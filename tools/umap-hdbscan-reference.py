"""Reference run of Senko's long-recording clustering with the Python libraries it uses
(umap-learn + hdbscan), for tools/umap-hdbscan-compare.ts. Not used by the tests.

    .venv/bin/python tools/umap-hdbscan-reference.py {umap-hdbscan|hdbscan} IN.f32 COUNT DIM OUT.i32

umap-hdbscan: UMAP (40 neighbours, cosine, min_dist 0, min(60, count - 2) components, random_state 42)
then HDBSCAN (min_samples 20, min_cluster_size 10) on row-major float32 input, as Senko's UmapHdbscan.
hdbscan: HDBSCAN alone on the input (euclidean). Writes int32 labels; prints the seconds taken as JSON.
"""
import json
import sys
import time

import numpy as np


def main() -> None:
    mode, path_in, count, dim, path_out = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
    x = np.fromfile(path_in, dtype=np.float32).reshape(count, dim)
    import hdbscan

    t0 = time.perf_counter()
    seconds = {}
    if mode == "umap-hdbscan":
        import umap

        x = umap.UMAP(
            n_neighbors=40, min_dist=0.0, n_components=min(60, count - 2), metric="cosine", random_state=42
        ).fit_transform(x)
        seconds["umap"] = time.perf_counter() - t0
        t0 = time.perf_counter()
    elif mode != "hdbscan":
        raise SystemExit(f"unknown mode {mode}")
    labels = hdbscan.HDBSCAN(min_samples=20, min_cluster_size=10).fit_predict(x)
    seconds["hdbscan"] = time.perf_counter() - t0
    labels.astype(np.int32).tofile(path_out)
    print(json.dumps(seconds))


if __name__ == "__main__":
    main()
