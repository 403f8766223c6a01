#!/usr/bin/env bash
# Installs the Python original, Senko (PyPI `senko`), into bench/peers/.venv, plus `onnx` for
# add-sherpa-metadata.py. Idempotent: an existing venv with the right versions is left alone.
# torch comes from PyPI, which only serves the CUDA build for Linux (several GB of nvidia-* wheels);
# Senko runs it on the CPU here.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
venv="$here/.venv"
PYTHON="${PYTHON:-python3}"
# The pinned version is the one in package.json's pythonPeers (senko.ts reads it there too).
SENKO_VERSION="$("$PYTHON" -c 'import json, sys; print(json.load(open(sys.argv[1]))["pythonPeers"]["senko"])' "$here/package.json")"

if [ ! -x "$venv/bin/python" ]; then
  "$PYTHON" -m venv "$venv"
fi
py="$venv/bin/python"

if "$py" - "$SENKO_VERSION" <<'PY' 2>/dev/null
import sys
from importlib.metadata import version
assert version("senko") == sys.argv[1]
import senko, onnx, soundfile  # noqa: F401
PY
then
  echo "senko $SENKO_VERSION already installed in $venv"
  exit 0
fi

"$py" -m pip install --quiet --upgrade pip
"$py" -m pip install "senko==$SENKO_VERSION" onnx soundfile
"$py" -c 'import senko, torch; print("senko ok, torch", torch.__version__)'
