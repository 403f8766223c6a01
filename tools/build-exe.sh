#!/usr/bin/env bash
# Builds dist/senko: one executable with libsenko (baseline-CPU build) and onnxruntime inside.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash tools/zig.sh build -Doptimize=ReleaseFast -Dportable
mkdir -p dist
# The inference worker is a second entry point, so lanes can start inside the executable.
./node_modules/.bin/bun build --compile --minify src/compiled.ts src/models/inference-worker.ts --outfile dist/senko
