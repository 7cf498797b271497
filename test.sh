#!/usr/bin/env bash
# ./test.sh [FILTER]: installs what the tests need (Debian packages, the npm packages of tests/js-client),
# checks that out/cetus builds and runs, builds the solution once, runs every tests/*/*.Tests.csproj,
# and ends with the line `N passed, N failed` (exit 1 if anything failed).
# FILTER goes to `dotnet test --filter`, e.g. ./test.sh 'FullyQualifiedName~Sqlite'.
# A test that runs longer than CETUS_TEST_HANG_TIMEOUT (default 5m) is killed and fails.
set -euo pipefail
cd "$(dirname "$0")"
# shellcheck source=scripts/lib.sh
. scripts/lib.sh

if [ $# -gt 1 ]; then
  say "usage: ./test.sh [FILTER]   (FILTER as for dotnet test --filter)"
  exit 2
fi
filter="${1:-}"

passed=0
failed=0
# Prints the closing line; nothing may be printed after it.
finish() {
  echo "$passed passed, $failed failed"
  if [ "$failed" -gt 0 ]; then
    exit 1
  fi
  exit 0
}

require_dotnet
ensure_apt_packages etcd-server etcd-client
# The node tests (tests/Cetus.Node.Tests) start containerd through scripts/runtime.sh, which needs these.
ensure_apt_packages containerd runc containernetworking-plugins iptables busybox-static gcc libc6-dev
# MSBuild worker nodes that outlive the build would hold on to our output.
export MSBUILDDISABLENODEREUSE=1

logs="$(mktemp -d "${TMPDIR:-/tmp}/cetus-test.XXXXXX")"
echo "logs: $logs"

# Smoke test: the binary builds and runs.
if ./run.sh version >"$logs/smoke.log" 2>&1; then
  cat "$logs/smoke.log"
  smoke="[smoke] ./run.sh version: ok"
  echo "$smoke"
  passed=$((passed + 1))
else
  rc=$?
  cat "$logs/smoke.log"
  smoke="[smoke] ./run.sh version: FAILED (exit $rc)"
  echo "$smoke"
  failed=$((failed + 1))
fi

# Packages the JavaScript client tests need (tests/js-client), exactly as its package-lock.json pins them.
if npm_ci_if_stale tests/js-client >"$logs/npm-ci.log" 2>&1; then
  npm_result="[npm] npm ci in tests/js-client: ok"
  echo "$npm_result"
else
  rc=$?
  cat "$logs/npm-ci.log"
  npm_result="[npm] npm ci in tests/js-client: FAILED (exit $rc)"
  echo "$npm_result"
  failed=$((failed + 1))
fi

# Build everything once; the test runs below use --no-build.
echo "building Cetus.slnx (Release) …"
if ! dotnet build Cetus.slnx -c Release -nologo >"$logs/build.log" 2>&1; then
  echo "[build] dotnet build Cetus.slnx: FAILED"
  # The compiler's errors, each once; the whole log if none is recognised.
  if grep -E ': error [A-Z]+[0-9]+' "$logs/build.log" | sort -u | grep .; then :; else cat "$logs/build.log"; fi
  failed=$((failed + 1))
  finish
fi
echo "[build] dotnet build Cetus.slnx: ok"

shopt -s nullglob
projects=(tests/*/*.Tests.csproj)
shopt -u nullglob
if [ ${#projects[@]} -eq 0 ]; then
  echo "no test projects under tests/"
fi

summaries=()
for project in "${projects[@]}"; do
  name="$(basename "$project" .csproj)"
  log="$logs/$name.log"
  args=(test "$project" --no-build -c Release -nologo --blame-hang-timeout "${CETUS_TEST_HANG_TIMEOUT:-5m}" --blame-hang-dump-type none
    --results-directory "$logs/$name")
  if [ -n "$filter" ]; then
    args+=(--filter "$filter")
  fi
  echo "[test] $project …"
  set +e
  dotnet "${args[@]}" 2>&1 | tee "$log"
  rc=${PIPESTATUS[0]}
  set -e

  # Summary lines, one per test assembly:
  #   Passed!  - Failed:     0, Passed:    12, Skipped:     0, Total:    12, Duration: 3 s - X.Tests.dll (net10.0)
  p=0 f=0 n=0
  while read -r lf lp; do
    f=$((f + lf))
    p=$((p + lp))
    n=$((n + 1))
  done < <(sed 's/\x1b\[[0-9;]*m//g' "$log" |
    sed -nE 's/^[[:space:]]*(Passed|Failed)![[:space:]]+-[[:space:]]+Failed:[[:space:]]*([0-9]+),[[:space:]]*Passed:[[:space:]]*([0-9]+),.*/\2 \3/p')

  note=""
  if [ "$n" -eq 0 ]; then
    if [ "$rc" -eq 0 ] && [ -n "$filter" ] && grep -q 'No test matches the given testcase filter' "$log"; then
      note=" (no test matches the filter)"
    else
      f=$((f + 1))
      note=" (no test summary: crashed or hung, exit $rc; counted as 1 failed)"
    fi
  elif grep -q 'Test Run Aborted' "$log"; then
    # The summary counts the tests that finished, not the one that crashed or hung.
    f=$((f + 1))
    note=" (test run aborted: a test crashed or hung; counted as 1 more failed)"
  elif [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
    f=$((f + 1))
    note=" (dotnet test exited $rc without a failed test; counted as 1 failed)"
  fi
  passed=$((passed + p))
  failed=$((failed + f))
  summaries+=("[test] $name: $p passed, $f failed$note")
done

echo
echo "$smoke"
echo "$npm_result"
for line in "${summaries[@]}"; do
  echo "$line"
done
if [ "$failed" -gt 0 ]; then
  echo "logs: $logs"
fi
finish
