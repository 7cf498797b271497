# shellcheck shell=bash
# Shared functions for run.sh and test.sh; source it, don't run it.
#
#   ensure_apt_packages PKG...   install the Debian packages that are missing
#   require_dotnet               fail with a clear message unless the .NET 10 SDK is there
#   build_cetus_if_stale         publish out/cetus unless it is newer than its sources
#   npm_ci_if_stale DIR          npm ci in DIR unless DIR/node_modules is newer than its package-lock.json

# The repository root: the parent of this scripts/ folder.
CETUS_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CETUS_BIN="$CETUS_ROOT/out/cetus"

export DOTNET_CLI_TELEMETRY_OPTOUT=1
export DOTNET_NOLOGO=1
export DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

# Progress and errors go to stderr, so that stdout carries only what cetus prints.
say() { printf '%s\n' "$*" >&2; }
die() { say "error: $*"; exit 1; }

# ensure_apt_packages PKG...: installs those of PKG... that are not installed yet,
# running `apt-get update` at most once per script run. Does nothing when all are there.
ensure_apt_packages() {
  local pkg
  local -a missing=()
  for pkg in "$@"; do
    if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed'; then
      missing+=("$pkg")
    fi
  done
  if [ ${#missing[@]} -eq 0 ]; then
    return 0
  fi
  command -v apt-get >/dev/null 2>&1 ||
    die "missing packages: ${missing[*]}; install them (this script expects Debian 12 with apt-get)"
  local -a sudo=()
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null 2>&1 || die "missing packages: ${missing[*]}; run as root or install them"
    sudo=(sudo)
  fi
  say "installing ${missing[*]} …"
  if [ -z "${CETUS_APT_UPDATED:-}" ]; then
    "${sudo[@]}" apt-get update
    export CETUS_APT_UPDATED=1
  fi
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y "${missing[@]}"
}

# require_dotnet: the .NET 10 SDK is not in Debian's archive, so it cannot be installed
# from here; fail with what to install instead.
require_dotnet() {
  local hint="install the .NET 10 SDK (Debian package dotnet-sdk-10.0 from Microsoft's package feed, see https://learn.microsoft.com/dotnet/core/install/linux-debian) and make sure 'dotnet' is on PATH"
  command -v dotnet >/dev/null 2>&1 || die "dotnet not found: $hint"
  dotnet --list-sdks 2>/dev/null | grep -q '^10\.' ||
    die "no .NET 10 SDK found (dotnet --list-sdks: $(dotnet --list-sdks 2>/dev/null | tr '\n' ' ')): $hint"
}

# cetus_sources: the files under src/ that out/cetus is built from (bin/ and obj/ excepted).
cetus_sources() {
  (cd "$CETUS_ROOT" && find src \( -name bin -o -name obj \) -prune -o -type f -print | LC_ALL=C sort)
}

# cetus_is_stale: true when out/cetus is missing or older than anything it is built from:
# any file under src/ (bin/ and obj/ excepted), the build settings at the root or this script (its publish flags); or when
# files were added, deleted or renamed under src/ since (out/.sources lists them).
cetus_is_stale() {
  [ -x "$CETUS_BIN" ] || return 0
  if [ -n "$(find "$CETUS_ROOT/src" \( -name bin -o -name obj \) -prune -o -type f -newer "$CETUS_BIN" -print -quit)" ]; then
    return 0
  fi
  local f
  for f in Directory.Build.props Directory.Build.targets Directory.Packages.props global.json NuGet.Config nuget.config scripts/lib.sh; do
    if [ -e "$CETUS_ROOT/$f" ] && [ "$CETUS_ROOT/$f" -nt "$CETUS_BIN" ]; then
      return 0
    fi
  done
  [ "$(cetus_sources)" != "$(cat "$CETUS_ROOT/out/.sources" 2>/dev/null)" ]
}

# build_cetus_if_stale: publishes out/cetus, one self-contained file, when cetus_is_stale.
build_cetus_if_stale() {
  mkdir -p "$CETUS_ROOT/out"
  # One build at a time: a second run.sh waits, then finds the binary up to date.
  exec 9>"$CETUS_ROOT/out/.build.lock"
  flock 9
  if cetus_is_stale; then
    say "building out/cetus …"
    local sources
    sources="$(cetus_sources)"
    if ! dotnet publish "$CETUS_ROOT/src/Cetus/Cetus.csproj" -c Release -r linux-x64 --self-contained \
      -p:PublishSingleFile=true -p:IncludeNativeLibrariesForSelfExtract=true \
      -o "$CETUS_ROOT/out" -nologo >&2; then
      exec 9>&-
      die "building out/cetus failed (see the errors above)"
    fi
    # publish leaves an unchanged file's time alone; mark the binary as built now.
    touch "$CETUS_BIN"
    printf '%s\n' "$sources" >"$CETUS_ROOT/out/.sources"
    say "built out/cetus"
  else
    say "out/cetus is up to date"
  fi
  exec 9>&-
}

# npm_ci_if_stale DIR: installs DIR's packages exactly as its package-lock.json says (npm ci) when
# DIR/node_modules is missing or older than the lock file; does nothing otherwise. Returns non-zero,
# saying why, when node or npm is missing or npm ci fails.
npm_ci_if_stale() {
  local dir="$1"
  if [ -d "$dir/node_modules" ] && ! [ "$dir/package-lock.json" -nt "$dir/node_modules" ]; then
    say "$dir/node_modules is up to date"
    return 0
  fi
  local tool
  for tool in node npm; do
    if ! command -v "$tool" >/dev/null 2>&1; then
      say "error: $tool not found; the tests in $dir need Node.js 20 or later with npm"
      return 1
    fi
  done
  say "npm ci in $dir (node $(node --version)) …"
  if ! (cd "$dir" && npm ci --no-audit --no-fund); then
    say "error: npm ci in $dir failed (see npm's errors above)"
    return 1
  fi
  # npm ci leaves the folder's time alone when it only replaces what is inside; mark it as installed now.
  touch "$dir/node_modules"
}
