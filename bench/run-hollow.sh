#!/usr/bin/env bash
# The hollow-node benchmark (issues 6/7: simulated nodes): starts a real out/cetus server (SQLite) and
# `cetus hollow --nodes N` against it, and measures the time to register N nodes (Node + Lease each), the hollow
# process's RSS right after registration and after a steady period of Lease renewals, and how fresh the Leases are
# (spread between the newest and oldest renewTime in one list: at most the 10 s renew interval when renewals keep up).
# ./bench/run-hollow.sh [--nodes N] [--steady SECONDS]
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=../scripts/lib.sh
. scripts/lib.sh
nodes=5000
steady=60
while [ $# -gt 0 ]; do
  case "$1" in
    --nodes) nodes="$2"; shift 2 ;;
    --steady) steady="$2"; shift 2 ;;
    *) echo "usage: $0 [--nodes N] [--steady SECONDS]" >&2; exit 2 ;;
  esac
done
require_dotnet
build_cetus_if_stale

work="$(mktemp -d /tmp/cetus-bench-hollow-XXXXXX)"
port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
server_pid=""; hollow_pid=""
cleanup() {
  [ -n "$hollow_pid" ] && kill "$hollow_pid" 2>/dev/null && wait "$hollow_pid" 2>/dev/null || true
  [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

"$CETUS_BIN" server --data-dir "$work/data" --bind-address 127.0.0.1 --secure-port "$port" >"$work/server.log" 2>&1 &
server_pid=$!
for _ in $(seq 600); do grep -q "API server ready" "$work/server.log" && break; sleep 0.1; done
grep -q "API server ready" "$work/server.log" || { cat "$work/server.log"; exit 1; }
kubeconfig="$work/data/admin.kubeconfig"

start=$(date +%s.%N)
"$CETUS_BIN" hollow --kubeconfig "$kubeconfig" --nodes "$nodes" >"$work/hollow.log" 2>&1 &
hollow_pid=$!
until grep -qs "registered $nodes/$nodes" "$work/hollow.log"; do
  kill -0 "$hollow_pid" 2>/dev/null || { cat "$work/hollow.log"; exit 1; }
  sleep 0.2
done
registered=$(python3 -c "print(f'{$(date +%s.%N) - $start:.1f}')")
rss_registered=$(( $(ps -o rss= -p "$hollow_pid") / 1024 ))
sleep "$steady"
rss_steady=$(( $(ps -o rss= -p "$hollow_pid") / 1024 ))
server_rss=$(( $(ps -o rss= -p "$server_pid") / 1024 ))
cpu=$(ps -o times= -p "$hollow_pid")
kubectl --kubeconfig "$kubeconfig" get leases -n kube-node-lease -o jsonpath='{range .items[*]}{.spec.renewTime}{"\n"}{end}' >"$work/renew.txt"
spread=$(python3 - "$work/renew.txt" <<'PY'
import datetime, sys
ts = sorted(datetime.datetime.strptime(l.strip().rstrip('Z')[:26], '%Y-%m-%dT%H:%M:%S.%f').timestamp() for l in open(sys.argv[1]) if l.strip())
print(f"{len(ts)} leases, renewTime spread {ts[-1] - ts[0]:.1f} s")
PY
)
ready=$(kubectl --kubeconfig "$kubeconfig" get nodes --no-headers | awk '$2=="Ready"' | wc -l)

echo "| nodes | register all | Ready nodes | hollow RSS after register | hollow RSS after ${steady} s | hollow CPU time | server RSS | leases |"
echo "| --- | --- | --- | --- | --- | --- | --- | --- |"
echo "| $nodes | $registered s | $ready | $rss_registered MB | $rss_steady MB | ${cpu} s | $server_rss MB | $spread |"
