#!/usr/bin/env bash
# The datastore benchmark (issue: foundation and datastore). Prints a table per backend to paste into docs/benchmarks.md.
# ./bench/run-storage.sh [--seconds S] [--backends sqlite,etcd] [--list-keys N]
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=../scripts/lib.sh
. scripts/lib.sh
require_dotnet
ensure_apt_packages etcd-server etcd-client
exec dotnet run -c Release --project bench/Cetus.Bench.Storage -- "$@"
