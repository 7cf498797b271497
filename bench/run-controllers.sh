#!/usr/bin/env bash
# The controller benchmark (issue: the controller manager): time from creating a 1,000-replica Deployment until
# 1,000 pods exist, against a real out/cetus server. Prints a table to paste into docs/benchmarks.md.
# ./bench/run-controllers.sh [--replicas N] [--runs R]
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=../scripts/lib.sh
. scripts/lib.sh
require_dotnet
build_cetus_if_stale
exec dotnet run -c Release --project bench/Cetus.Bench.Controllers -- "$@"
