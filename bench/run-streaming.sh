#!/usr/bin/env bash
# Streaming benchmark (issue 8): what the API server → kubelet → containerd path costs next to the raw component,
# measured in the same run on a real `cetus up`:
#   - port-forward throughput (a 64 MiB download through `kubectl port-forward`) vs. the same download straight
#     from the pod IP;
#   - `kubectl exec POD -- true` wall time vs. `kubectl get pod POD` (the same kubectl start-up and one API request);
#   - `kubectl logs` of a 5 MiB log (50,000 lines; 7 MiB on disk with the CRI prefixes, below the 10Mi rotation size).
# ./bench/run-streaming.sh [--runs 10]
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=../scripts/lib.sh
. scripts/lib.sh
require_dotnet
build_cetus_if_stale
runs=10
[[ "${1:-}" == "--runs" ]] && runs="$2"

scripts/runtime.sh start >/dev/null
data=$(mktemp -d /tmp/cetus-bench-streaming.XXXXXX)
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
api=$(free_port); kubelet=$(free_port)
out/cetus up --data-dir "$data" --secure-port "$api" --kubelet-port "$kubelet" --node-name bench-streaming >"$data/up.log" 2>&1 &
up=$!
cleanup() {
  kill "$pf" 2>/dev/null || true
  KUBECONFIG="$data/admin.kubeconfig" kubectl delete pod stream-bench --grace-period=1 --wait=true >/dev/null 2>&1 || true
  kill "$up" 2>/dev/null || true; wait "$up" 2>/dev/null || true
  rm -rf "$data"
}
pf=0
trap cleanup EXIT
for _ in $(seq 120); do grep -q "cetus: ready" "$data/up.log" && break; sleep 0.5; done
grep -q "cetus: ready" "$data/up.log" || { echo "cetus up did not become ready:"; tail -20 "$data/up.log"; exit 1; }
export KUBECONFIG="$data/admin.kubeconfig"
kubectl apply -f - >/dev/null <<'YAML'
apiVersion: v1
kind: Pod
metadata: {name: stream-bench}
spec:
  terminationGracePeriodSeconds: 1
  containers:
  - name: web
    image: localhost/busybox:1.35
    command: [sh, -c, "mkdir /www; head -c 67108864 /dev/zero > /www/big; i=0; while [ $i -lt 50000 ]; do echo 'log line of about one hundred bytes ............................................................ '$i; i=$((i+1)); done; touch /www/ready; exec httpd -f -p 8080 -h /www"]
    readinessProbe: {exec: {command: [test, -f, /www/ready]}, periodSeconds: 1}
YAML
kubectl wait --for=condition=Ready pod/stream-bench --timeout=180s >/dev/null
ip=$(kubectl get pod stream-bench -o jsonpath='{.status.podIP}')
mibps() { awk -v b="$1" -v t="$2" 'BEGIN { printf "%.0f", b / t / 1048576 }'; }
median() { sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }

echo "== port-forward: 64 MiB download (best of 3)"
direct=$(for _ in 1 2 3; do curl -s -o /dev/null -w '%{time_total}\n' "http://$ip:8080/big"; done | sort -n | head -1)
kubectl port-forward pod/stream-bench --address 127.0.0.1 :8080 >"$data/pf.log" 2>&1 &
pf=$!
for _ in $(seq 50); do grep -q "Forwarding from" "$data/pf.log" && break; sleep 0.2; done
local_port=$(sed -n 's/^Forwarding from 127.0.0.1:\([0-9]*\) .*/\1/p' "$data/pf.log" | head -1)
forwarded=$(for _ in 1 2 3; do curl -s -o /dev/null -w '%{time_total}\n' "http://127.0.0.1:$local_port/big"; done | sort -n | head -1)
echo "direct from the pod IP: $(mibps 67108864 "$direct") MiB/s; through kubectl port-forward: $(mibps 67108864 "$forwarded") MiB/s (ratio $(awk -v a="$forwarded" -v b="$direct" 'BEGIN { printf "%.1f", a / b }')x the time)"

echo "== exec: median of $runs"
get=$(for _ in $(seq "$runs"); do /usr/bin/time -f '%e' kubectl get pod stream-bench -o name 2>&1 >/dev/null; done | median)
exec_time=$(for _ in $(seq "$runs"); do /usr/bin/time -f '%e' kubectl exec stream-bench -- true 2>&1 >/dev/null; done | median)
echo "kubectl get pod: ${get} s; kubectl exec -- true: ${exec_time} s (exec adds $(awk -v a="$exec_time" -v b="$get" 'BEGIN { printf "%.0f", (a - b) * 1000 }') ms)"

echo "== logs"
log_time=$( { /usr/bin/time -f '%e' kubectl logs stream-bench >"$data/logs.out"; } 2>&1 )
echo "kubectl logs of $(wc -l <"$data/logs.out") lines ($(( $(wc -c <"$data/logs.out") / 1048576 )) MiB): ${log_time} s"
