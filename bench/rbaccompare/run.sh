#!/usr/bin/env bash
# Runs the agreement check and the gatehouse / Casbin / OPA benchmarks in
# one `go test` process (one dataset, loaded once into each engine), then
# prints medians and ratios. About 8–9 minutes on 2 cores (2.5 of them the
# agreement test, mostly loading Casbin); peak RSS about 12 GiB.
# Override with BENCHTIME=… COUNT=… OUT=… ./run.sh
set -euo pipefail
cd "$(dirname "$0")"
BENCHTIME=${BENCHTIME:-4s}
COUNT=${COUNT:-5}
OUT=${OUT:-/tmp/gatehouse-rbaccompare-$(date -u +%Y%m%dT%H%M%SZ).txt}

{
	echo "# machine"
	echo "nproc: $(nproc)"
	echo "cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //')"
	echo "mem: $(free -g | awk '/^Mem:/ {print $2 " GiB"}')"
	echo "load: $(cut -d' ' -f1-3 /proc/loadavg)"
	go version
	echo "# go test -run . -bench . -benchtime $BENCHTIME -count $COUNT -timeout 60m -v"
} | tee "$OUT"

# -v shows the agreement counts and load times; benchmarks print as usual.
go test -run . -bench . -benchtime "$BENCHTIME" -count "$COUNT" \
	-timeout 60m -v . 2>&1 | tee -a "$OUT"

echo
echo "# medians of $COUNT runs ($OUT)"
go run ./cmd/benchsummary <"$OUT" | tee -a "$OUT"
echo "total: ${SECONDS}s" | tee -a "$OUT"
