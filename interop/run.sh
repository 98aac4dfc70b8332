#!/usr/bin/env bash
# Runs every interop suite against the real gatehouse binary (each builds it
# from this checkout): Go (azidentity, ARM SDKs, curl, the CLI), Node
# (@azure/identity, ARM SDKs), the gateway suites (openai-go, openai npm,
# @azure-rest/ai-inference) and the Azure CLI. Every suite always runs;
# exits non-zero if any failed. Needs Go, Node.js/npm, curl, jq, openssl
# and azure-cli on PATH (.ci/run installs them).
set -uo pipefail
here="$(cd "$(dirname "$0")" && pwd)"

declare -A status
run() { # name, command...
  local name=$1; shift
  echo "== interop/$name: $*"
  (cd "$here" && "$@")
  status[$name]=$?
}

run go bash -c 'cd go && go test -count=1 ./...'
run node bash -c 'cd node && npm ci --no-audit --no-fund && npm test'
if [ -f "$here/run-gateway.sh" ]; then
  run gateway bash run-gateway.sh
fi
run azcli bash azcli/test.sh

passed=0 failed=0 summary=""
for name in "${!status[@]}"; do
  if [ "${status[$name]}" -eq 0 ]; then passed=$((passed + 1)); summary+=" $name ok"
  else failed=$((failed + 1)); summary+=" $name FAILED(${status[$name]})"; fi
done
echo "== interop suites:$summary"
echo "interop: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
