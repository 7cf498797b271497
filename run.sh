#!/usr/bin/env bash
# ./run.sh [ARGS...]: installs what is missing, builds out/cetus when its sources changed,
# then runs `out/cetus ARGS...`. Without arguments it runs the main job.
set -euo pipefail
cd "$(dirname "$0")"
# shellcheck source=scripts/lib.sh
. scripts/lib.sh

# The main job: `cetus up` — the control plane and a local node (its kubelet on this machine's containerd, which
# scripts/runtime.sh installs, configures and starts when needed) — with its state under .cetus/ in this checkout.
if [ $# -eq 0 ]; then
  set -- up --data-dir "$(pwd)/.cetus"
fi

require_dotnet
# Debian packages cetus needs at run time go here: ensure_apt_packages PKG...
build_cetus_if_stale
# `up` runs a node: its runtime must be there (unless told to use another one).
if [ "$1" = up ] && [[ " $* " != *" --container-runtime-endpoint"* ]]; then
  scripts/runtime.sh start
fi

exec "$CETUS_BIN" "$@"
