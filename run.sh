#!/usr/bin/env bash
# ./run.sh [ARGS...]: installs what is missing, builds out/cetus when its sources changed,
# then runs `out/cetus ARGS...`. Without arguments it runs the main job.
set -euo pipefail
cd "$(dirname "$0")"
# shellcheck source=scripts/lib.sh
. scripts/lib.sh

# The main job: the control plane with its state under .cetus/ in this checkout (becomes `up`, server plus a
# local node, once the kubelet exists).
if [ $# -eq 0 ]; then
  set -- server --data-dir "$(pwd)/.cetus"
fi

require_dotnet
# Debian packages cetus needs at run time go here: ensure_apt_packages PKG...
build_cetus_if_stale

exec "$CETUS_BIN" "$@"
