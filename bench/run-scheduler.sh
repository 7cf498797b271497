#!/usr/bin/env bash
# The scheduler benchmark (issue 6, like Kubernetes' scheduler_perf SchedulingBasic): a real out/cetus server (SQLite)
# with `cetus hollow` nodes; 16 clients create the pods, a pod watch times them until bound; then the same against a
# server started with --disable-scheduler where the clients POST the bindings themselves (the ceiling).
# Prints a table to paste into docs/benchmarks.md.
# ./bench/run-scheduler.sh [--sizes 500x1000,5000x10000] [--runs 3] [--warmup 3] [--clients 16] [--run-pods false|true|both]
# (--run-pods false: the hollow nodes leave their pods as bound, as scheduler_perf's nodes, which have no kubelet;
# both, the default, prints a row for each)
# ./bench/run-scheduler.sh --cycle [--sizes …] [--runs 3] [--warmup 3]: the scheduling cycle alone, in the benchmark's
# process (no API server, bindings answered at once): µs and bytes allocated per pod.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=../scripts/lib.sh
. scripts/lib.sh
require_dotnet
build_cetus_if_stale
exec dotnet run -c Release --project bench/Cetus.Bench.Scheduler -- "$@"
