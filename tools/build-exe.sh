#!/usr/bin/env bash
# Builds dist/senko: one executable with libsenko (baseline-CPU build) and onnxruntime inside.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash tools/zig.sh build -Doptimize=ReleaseFast -Dportable
mkdir -p dist
./node_modules/.bin/bun build --compile --minify src/compiled.ts --outfile dist/senko
