#!/usr/bin/env bash
# One command from a machine with node, npm and python3 to a working senko checkout:
# npm packages (Bun among them), the pinned Zig, the native library and the verified models.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

step() { printf '\n== %s\n' "$*" >&2; }
need() { command -v "$1" >/dev/null || { echo "senko setup: '$1' is required but not on PATH" >&2; exit 1; }; }
need node; need npm; need python3

step "npm packages (Bun, onnxruntime-node)"
# Without a GPU, onnxruntime-node's install script would try to download CUDA binaries and fail.
if ! command -v nvidia-smi >/dev/null; then export ONNXRUNTIME_NODE_INSTALL=skip; fi
npm ci --no-audit --no-fund

step "Zig $(cat tools/zig-version) from PyPI, into .venv"
[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/python -m pip install --quiet --disable-pip-version-check "ziglang==$(cat tools/zig-version)"

step "libsenko (zig build, ReleaseFast, native CPU; beside it the ReleaseSafe build test/fuzz.test.ts fuzzes)"
# Two compilations at once on two cores: the safe one (~40 s) costs setup little and the test suite nothing.
# The build runner (build.zig compiled) first, alone: two `zig build`s that both compile it into an empty
# .zig-cache race on its executable ("failed to spawn build runner ...: FileBusy", seen on a fresh checkout).
bash tools/zig.sh build --help >/dev/null
bash tools/zig.sh build -Doptimize=ReleaseSafe -Ddir-suffix=-safe & safe=$!
bash tools/zig.sh build -Doptimize=ReleaseFast
wait "$safe"
step "models (fetched once, SHA-256 verified, cached)"; ./node_modules/.bin/bun run models/cli.ts

step "test tools from Debian (ffmpeg, espeak-ng, chromium, redis-server, qemu-user), when missing and apt-get can run"
# The tests of ffmpeg decoding, of long single-voice audio, of the HTML timeline in a real browser and of
# the job queue (a redis-server the test starts itself; the package's own service is not used) need them,
# and the linux-arm64 executable runs under qemu-user with Debian's aarch64 libc and libstdc++; without
# them those tests are skipped.
missing=()
for tool in ffmpeg espeak-ng chromium redis-server; do command -v "$tool" >/dev/null || missing+=("$tool"); done
if [ "$(uname -m)" = x86_64 ]; then
  command -v qemu-aarch64 >/dev/null || missing+=(qemu-user)
  [ -e /usr/aarch64-linux-gnu/lib/libstdc++.so.6 ] || missing+=(libc6-arm64-cross libstdc++6-arm64-cross libgcc-s1-arm64-cross)
fi
if [ ${#missing[@]} -gt 0 ]; then
  if command -v apt-get >/dev/null && [ "$(id -u)" = 0 ]; then
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}" \
      || { apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}"; } \
      || echo "senko setup: could not install ${missing[*]}; the tests that need them will be skipped" >&2
  else
    echo "senko setup: ${missing[*]} not found (install them for the full test suite)" >&2
  fi
fi

step "done"
