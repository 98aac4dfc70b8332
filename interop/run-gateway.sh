#!/usr/bin/env bash
# Runs the inference-gateway interop suites against the real gatehouse
# binary: interop/openai-go (openai-go's Azure options with azidentity, and
# curl) and interop/node-openai (openai's AzureOpenAI and
# @azure-rest/ai-inference with @azure/identity). Builds the binary once
# (unless GATEHOUSE_BIN is set), runs both suites even if the first fails,
# prints "gateway-interop: N passed, M failed" counting tests, and exits
# non-zero if any test failed, was skipped, or a suite did not run.
# Needs Go, Node.js 20+ with npm, and curl on PATH.
set -uo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/.." && pwd)"
tmp="$(mktemp -d "${TMPDIR:-/tmp}/gatehouse-gateway-interop.XXXXXX")"
trap 'rm -rf "$tmp"' EXIT

if [ -z "${GATEHOUSE_BIN:-}" ]; then
  echo "== go build ./cmd/gatehouse"
  if ! (cd "$root" && go build -o "$tmp/gatehouse" ./cmd/gatehouse); then
    echo "gateway-interop: 0 passed, 1 failed (the gatehouse binary did not build)"
    exit 1
  fi
  export GATEHOUSE_BIN="$tmp/gatehouse"
fi

passed=0 failed=0 skipped=0

echo "== interop/openai-go: go test -count=1 -v ./..."
(cd "$here/openai-go" && go test -count=1 -v ./...) 2>&1 | tee "$tmp/go.log"
go_status=${PIPESTATUS[0]}
# Top-level tests only (subtests are indented).
go_pass=$(grep -c '^--- PASS: ' "$tmp/go.log")
go_fail=$(grep -c '^--- FAIL: ' "$tmp/go.log")
go_skip=$(grep -c -- '--- SKIP: ' "$tmp/go.log")
if [ "$go_status" -ne 0 ] && [ "$go_fail" -eq 0 ]; then go_fail=1; fi # build or set-up failure
passed=$((passed + go_pass)) failed=$((failed + go_fail)) skipped=$((skipped + go_skip))

echo "== interop/node-openai: npm ci && npm test"
node_status=0
if (cd "$here/node-openai" && npm ci --no-audit --no-fund); then
  (cd "$here/node-openai" && npm test) 2>&1 | tee "$tmp/node.log"
  node_status=${PIPESTATUS[0]}
else
  node_status=1
  : >"$tmp/node.log"
fi
tap() { sed -n "s/^# $1 \([0-9][0-9]*\)$/\1/p" "$tmp/node.log" | tail -1; }
node_pass=$(tap pass) node_fail=$(tap fail) node_skip=$(tap skipped) node_cancel=$(tap cancelled) node_todo=$(tap todo)
node_pass=${node_pass:-0} node_fail=$((${node_fail:-0} + ${node_cancel:-0})) node_skip=$((${node_skip:-0} + ${node_todo:-0}))
if [ "$node_status" -ne 0 ] && [ "$node_fail" -eq 0 ]; then node_fail=1; fi # npm ci or set-up failure
passed=$((passed + node_pass)) failed=$((failed + node_fail)) skipped=$((skipped + node_skip))

echo "== openai-go: $go_pass passed, $go_fail failed, $go_skip skipped (exit $go_status)"
echo "== node-openai: $node_pass passed, $node_fail failed, $node_skip skipped (exit $node_status)"
if [ "$skipped" -ne 0 ]; then
  echo "gateway-interop: $skipped test(s) skipped; skips are not allowed"
  failed=$((failed + skipped))
fi
echo "gateway-interop: $passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ "$go_status" -eq 0 ] && [ "$node_status" -eq 0 ]
