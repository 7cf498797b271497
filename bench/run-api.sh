#!/usr/bin/env bash
# The API server benchmark (issue: the API server). Prints a table per datastore to paste into docs/benchmarks.md.
# ./bench/run-api.sh [--seconds S] [--backends sqlite,etcd] [--watchers N] [--http2]
# --http2: the throughput clients speak HTTP/2 as kubectl and the official clients do (default HTTP/1.1, a connection each).
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=../scripts/lib.sh
. scripts/lib.sh
require_dotnet
ensure_apt_packages etcd-server etcd-client
exec dotnet run -c Release --project bench/Cetus.Bench.Api -- "$@"
