#!/usr/bin/env bash
# scripts/images.sh OUTDIR: builds the images Cetus needs without a registry, as OCI image-layout tarballs:
#   OUTDIR/pause.tar    localhost/cetus/pause:3.10   the sandbox's PID 1 (images/pause/pause.c, static)
#   OUTDIR/busybox.tar  localhost/busybox:1.35       busybox-static with one link per applet
# A tarball is rebuilt only when what it is made from changed. Import with `cetus images import FILE.tar`.
set -euo pipefail
cd "$(dirname "$0")/.."
out="${1:?usage: scripts/images.sh OUTDIR}"
mkdir -p "$out"

PAUSE_REF="localhost/cetus/pause:3.10"
BUSYBOX_REF="localhost/busybox:1.35"

# oci_tarball REF ROOTFS CMD_JSON ENV_JSON OUT: one uncompressed layer made of ROOTFS, its config and manifest,
# packed as an OCI image layout whose index names the image REF (containerd's import reads that annotation).
oci_tarball() {
  local ref="$1" rootfs="$2" cmd="$3" env="$4" dest="$5"
  local work layer layer_digest layer_size config config_digest config_size manifest manifest_digest manifest_size arch
  work="$(mktemp -d)"
  mkdir -p "$work/blobs/sha256"
  layer="$work/layer.tar"
  tar --sort=name --mtime=@0 --numeric-owner --owner=0 --group=0 -C "$rootfs" -cf "$layer" .
  layer_digest="$(sha256sum "$layer" | cut -d' ' -f1)"
  layer_size="$(stat -c %s "$layer")"
  mv "$layer" "$work/blobs/sha256/$layer_digest"
  case "$(uname -m)" in x86_64) arch=amd64 ;; aarch64) arch=arm64 ;; *) arch="$(uname -m)" ;; esac
  config="{\"architecture\":\"$arch\",\"os\":\"linux\",\"config\":{\"Env\":$env,\"Cmd\":$cmd},\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\"sha256:$layer_digest\"]}}"
  config_digest="$(printf '%s' "$config" | sha256sum | cut -d' ' -f1)"
  config_size="$(printf '%s' "$config" | wc -c)"
  printf '%s' "$config" >"$work/blobs/sha256/$config_digest"
  manifest="{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"config\":{\"mediaType\":\"application/vnd.oci.image.config.v1+json\",\"digest\":\"sha256:$config_digest\",\"size\":$config_size},\"layers\":[{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar\",\"digest\":\"sha256:$layer_digest\",\"size\":$layer_size}]}"
  manifest_digest="$(printf '%s' "$manifest" | sha256sum | cut -d' ' -f1)"
  manifest_size="$(printf '%s' "$manifest" | wc -c)"
  printf '%s' "$manifest" >"$work/blobs/sha256/$manifest_digest"
  printf '{"schemaVersion":2,"manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:%s","size":%s,"annotations":{"io.containerd.image.name":"%s","org.opencontainers.image.ref.name":"%s"}}]}' \
    "$manifest_digest" "$manifest_size" "$ref" "${ref##*:}" >"$work/index.json"
  printf '{"imageLayoutVersion":"1.0.0"}' >"$work/oci-layout"
  tar --sort=name --mtime=@0 --numeric-owner --owner=0 --group=0 -C "$work" -cf "$dest.tmp" oci-layout index.json blobs
  mv "$dest.tmp" "$dest"
  rm -rf "$work"
}

# up_to_date OUT SOURCE...: OUT exists and is newer than every SOURCE (and than this script).
up_to_date() {
  local dest="$1" src
  shift
  [ -s "$dest" ] || return 1
  for src in "$@" "$0"; do
    [ "$dest" -nt "$src" ] || return 1
  done
}

if ! up_to_date "$out/pause.tar" images/pause/pause.c; then
  echo "cetus: building image $PAUSE_REF …" >&2
  rootfs="$(mktemp -d)"
  gcc -Os -static -s -o "$rootfs/pause" images/pause/pause.c
  oci_tarball "$PAUSE_REF" "$rootfs" '["/pause"]' '["PATH=/"]' "$out/pause.tar"
  rm -rf "$rootfs"
fi

if ! up_to_date "$out/busybox.tar" /bin/busybox; then
  echo "cetus: building image $BUSYBOX_REF …" >&2
  rootfs="$(mktemp -d)"
  mkdir -p "$rootfs/bin" "$rootfs/etc" "$rootfs/tmp" "$rootfs/root" "$rootfs/proc" "$rootfs/sys" "$rootfs/dev"
  chmod 1777 "$rootfs/tmp"
  cp /bin/busybox "$rootfs/bin/busybox"
  # One link per applet; never one named busybox (it would point at itself).
  for applet in $(/bin/busybox --list); do
    if [ "$applet" != busybox ] && [ ! -e "$rootfs/bin/$applet" ]; then
      ln -s busybox "$rootfs/bin/$applet"
    fi
  done
  printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n' >"$rootfs/etc/passwd"
  printf 'root:x:0:\nnogroup:x:65534:\n' >"$rootfs/etc/group"
  oci_tarball "$BUSYBOX_REF" "$rootfs" '["sh"]' '["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"]' "$out/busybox.tar"
  rm -rf "$rootfs"
fi
