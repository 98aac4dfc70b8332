#!/usr/bin/env bash
# Runs both interop suites against the real gatehouse binary (each suite
# builds it from this checkout): the Go one with azidentity, curl and the
# CLI, and the Node one with @azure/identity. Exits non-zero if either
# fails; both always run. Needs Go, Node.js/npm and curl on PATH.
set -uo pipefail
here="$(cd "$(dirname "$0")" && pwd)"

go_status=0
node_status=0

echo "== interop/go: go test -count=1 ./..."
(cd "$here/go" && go test -count=1 ./...) || go_status=$?

echo "== interop/node: npm ci && npm test"
(cd "$here/node" && npm ci --no-audit --no-fund && npm test) || node_status=$?

passed=0 failed=0
for s in $go_status $node_status; do
  if [ "$s" -eq 0 ]; then passed=$((passed + 1)); else failed=$((failed + 1)); fi
done
echo "== interop suites: go $([ $go_status -eq 0 ] && echo ok || echo "FAILED ($go_status)"), node $([ $node_status -eq 0 ] && echo ok || echo "FAILED ($node_status)")"
echo "interop: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
