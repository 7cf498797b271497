#!/usr/bin/env bash
# The pod startup benchmark (issue 7): 100 pods through a real `cetus up` on the machine's containerd, timed from
# create to all containers running as seen by a watch; the raw CRI calls for the same pods in the same run; `cetus up`
# start → Ready and idle RSS. Prints a table to paste into docs/benchmarks.md.
# ./bench/run-pods.sh [--pods 100] [--clients 16] [--runs 2]
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=../scripts/lib.sh
. scripts/lib.sh
require_dotnet
build_cetus_if_stale
exec dotnet run -c Release --project bench/Cetus.Bench.Pods -- "$@"
