#!/usr/bin/env bash
# The whole test suite: vet, unit and conformance tests (with fuzz seed
# corpora), then the interop suites that drive the real binary with the real
# Azure SDK clients. Needs Go; installs the rest (scripts/deps.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/deps.sh

echo "== go vet"
go vet ./...
(cd bench/gateway && go vet ./...)   # the gateway benchmark's tools, their own module
echo "== go test (unit, conformance, corpus)"
go test -count=1 ./...
echo "== interop (real binary, real clients)"
bash interop/run.sh
