#!/usr/bin/env bash
# scripts/runtime.sh start|stop|status|socket: the container runtime of this machine's Cetus node.
#   start   installs what is missing (containerd, runc, CNI plugins, busybox-static, gcc), writes containerd's
#           config and the CNI bridge config, builds and imports the pause and busybox images, starts containerd
#           (one per machine) and waits until its CRI answers. Does nothing that is already done.
#   stop    removes every pod through CRI first (sandboxes, so netns, veth and IP leases are released), then the
#           pod cgroups, then stops containerd and deletes the bridge.
#   status  says whether containerd runs, and where.
#   socket  prints containerd's socket path.
# Settings (environment): CETUS_RUNTIME_DIR (default /var/lib/cetus/runtime: config, images, containerd's root),
# CETUS_POD_CIDR (default 10.88.0.0/16: this node's pod subnet), CETUS_BRIDGE (default cetus0).
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/lib.sh
. scripts/lib.sh

dir="${CETUS_RUNTIME_DIR:-/var/lib/cetus/runtime}"
state="/run/cetus/containerd"
sock="$state/containerd.sock"
pod_cidr="${CETUS_POD_CIDR:-10.88.0.0/16}"
bridge="${CETUS_BRIDGE:-cetus0}"
pidfile="$state/containerd.pid"
log="$dir/containerd.log"
PAUSE_REF="localhost/cetus/pause:3.10"

running() {
  [ -S "$sock" ] && [ -f "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null
}

# ctr_images: the image references containerd's k8s.io namespace has.
ctr_images() { ctr -a "$sock" -n k8s.io images ls -q 2>/dev/null || true; }

write_config() {
  mkdir -p "$dir/root" "$dir/opt" "$dir/cni/conf" "$dir/cni/ipam" "$state"
  local gateway
  gateway="$(printf '%s' "${pod_cidr%/*}" | awk -F. '{ printf "%d.%d.%d.%d", $1, $2, $3, $4 + 1 }')"
  cat >"$dir/containerd.toml.tmp" <<TOML
version = 2
root = "$dir/root"
state = "$state"

[grpc]
  address = "$sock"

[plugins."io.containerd.internal.v1.opt"]
  path = "$dir/opt"

[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = "$PAUSE_REF"
  disable_apparmor = true
  restrict_oom_score_adj = true
  stream_server_address = "127.0.0.1"
  stream_server_port = "0"

[plugins."io.containerd.grpc.v1.cri".containerd]
  snapshotter = "overlayfs"
  default_runtime_name = "runc"

[plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
  runtime_type = "io.containerd.runc.v2"

[plugins."io.containerd.grpc.v1.cri".cni]
  bin_dir = "/usr/lib/cni"
  conf_dir = "$dir/cni/conf"
TOML
  if ! cmp -s "$dir/containerd.toml.tmp" "$dir/containerd.toml" 2>/dev/null && running; then
    say "cetus: containerd's configuration changed: restart it to apply (scripts/runtime.sh stop; scripts/runtime.sh start)"
  fi
  mv "$dir/containerd.toml.tmp" "$dir/containerd.toml"
  cat >"$dir/cni/conf/10-cetus.conflist.tmp" <<JSON
{
  "cniVersion": "1.0.0",
  "name": "cetus",
  "plugins": [
    {
      "type": "bridge",
      "bridge": "$bridge",
      "isGateway": true,
      "ipMasq": false,
      "hairpinMode": true,
      "ipam": {
        "type": "host-local",
        "ranges": [[{ "subnet": "$pod_cidr", "gateway": "$gateway" }]],
        "routes": [{ "dst": "0.0.0.0/0" }],
        "dataDir": "$dir/cni/ipam"
      }
    },
    { "type": "portmap", "capabilities": { "portMappings": true } },
    { "type": "loopback" }
  ]
}
JSON
  mv "$dir/cni/conf/10-cetus.conflist.tmp" "$dir/cni/conf/10-cetus.conflist"
}

start() {
  ensure_apt_packages containerd runc containernetworking-plugins iptables busybox-static gcc libc6-dev
  # The CNI configuration is read by containerd as it changes; its own configuration only at start.
  write_config
  if running; then
    say "cetus: containerd already runs (pid $(cat "$pidfile"), socket $sock)"
  else
    if pgrep -x containerd >/dev/null 2>&1; then
      die "another containerd runs on this machine (pid $(pgrep -x containerd | tr '\n' ' ')); only one can: stop it, or point cetus at its socket with --container-runtime-endpoint"
    fi
    say "cetus: starting containerd (socket $sock, log $log) …"
    rm -f "$sock"
    # setsid: containerd outlives this script and is not killed with the terminal's process group.
    setsid containerd --config "$dir/containerd.toml" >>"$log" 2>&1 </dev/null &
    echo $! >"$pidfile"
    local i
    for i in $(seq 1 200); do
      if [ -S "$sock" ] && ctr -a "$sock" version >/dev/null 2>&1; then
        break
      fi
      kill -0 "$(cat "$pidfile")" 2>/dev/null || die "containerd exited at start; see $log"
      sleep 0.05
    done
    [ -S "$sock" ] || die "containerd did not open $sock within 10 s; see $log"
  fi
  scripts/images.sh "$dir/images"
  local have ref file
  have="$(ctr_images)"
  for file in pause busybox; do
    case "$file" in pause) ref="$PAUSE_REF" ;; busybox) ref="localhost/busybox:1.35" ;; esac
    if ! grep -qx "$ref" <<<"$have" || [ "$dir/images/$file.tar" -nt "$dir/images/.imported-$file" ]; then
      say "cetus: importing $ref …"
      ctr -a "$sock" -n k8s.io images import --no-unpack=false "$dir/images/$file.tar" >/dev/null
      touch "$dir/images/.imported-$file"
    fi
  done
  say "cetus: containerd ready (socket $sock)"
}

stop() {
  if running; then
    if [ -x "$CETUS_BIN" ]; then
      say "cetus: removing pods through CRI …"
      "$CETUS_BIN" runtime reset --container-runtime-endpoint "unix://$sock" || say "cetus: CRI reset failed; continuing"
    else
      say "cetus: $CETUS_BIN not built: pods are not removed through CRI first"
    fi
    local pid
    pid="$(cat "$pidfile")"
    kill "$pid" 2>/dev/null || true
    local i
    for i in $(seq 1 100); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.05
    done
    kill -9 "$pid" 2>/dev/null || true
    rm -f "$pidfile" "$sock"
  fi
  # Pod cgroups left empty by the removed pods.
  local cg
  for cg in /sys/fs/cgroup/*/kubepods; do
    [ -d "$cg" ] && find "$cg" -depth -type d -exec rmdir {} + 2>/dev/null || true
  done
  if ip link show "$bridge" >/dev/null 2>&1; then
    ip link delete "$bridge" 2>/dev/null || true
  fi
  say "cetus: containerd stopped"
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status)
    if running; then echo "containerd runs: pid $(cat "$pidfile"), socket $sock"; else echo "containerd is not running"; exit 3; fi
    ;;
  socket) echo "$sock" ;;
  *) say "usage: scripts/runtime.sh start|stop|status|socket"; exit 2 ;;
esac
