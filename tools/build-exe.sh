#!/usr/bin/env bash
# Builds dist/senko: one executable with libsenko (baseline-CPU build) and onnxruntime inside.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash tools/zig.sh build -Doptimize=ReleaseFast -Dportable
mkdir -p dist
# The inference worker and the queue worker's diarization thread are more entry points, so those
# threads can start inside the executable.
./node_modules/.bin/bun build --compile --minify src/compiled.ts src/models/inference-worker.ts src/queue/diarize-thread.ts --outfile dist/senko
