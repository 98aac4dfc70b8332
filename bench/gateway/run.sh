#!/usr/bin/env bash
# Gateway overhead benchmark: the same chat-completions request sent
#   direct      straight to `gatehouse simulate` (plain HTTP)
#   nginx       through nginx as a plain reverse proxy (TLS, like gatehouse)
#   nginx-http  through the same nginx over plain HTTP (shows TLS's share)
#   go-nethttp  through a Go TLS proxy with no logic on net/http (server and
#               Transport: the floor of the stack gatehouse is built on)
#   go-fasthttp the same on github.com/valyala/fasthttp (another Go stack)
#   gatehouse   through `gatehouse serve` (TLS, bearer token, RBAC, quota)
# with wrk at 1 connection/1 thread and 10 connections/2 threads, each
# measurement repeated (medians), then streamed time to first byte direct vs
# nginx vs gatehouse. Prints a Markdown summary and keeps every raw result.
#
#   bash bench/gateway/run.sh            # ~5.5 minutes after the build
#   DURATION=10s REPEAT=5 bash bench/gateway/run.sh
#
# Knobs (environment): DURATION (wrk, default 5s), WARMUP (2s), REPEAT (3),
# RATE (fixed-rate run, requests/s over 10 connections, 500; 0: skip),
# RATE_DURATION (4s),
# TARGETS ("direct nginx nginx-http go-nethttp go-fasthttp gatehouse"),
# FLOOR_WORK (CPU work per request for extra fasthttp floor targets, e.g.
# "15us 25us": go-fasthttp-w15us …, to see how latency follows CPU), TTFB_N (requests per target
# and repetition, 60), STREAM_OPTIONS (the streaming simulator's options,
# "ttft=20ms&per_token=5ms"), OUT (results folder, default a new temp dir),
# KEEP=1 (leave the servers running and print how to reach them).
#
# Figures, findings and how to profile: docs/benchmarks.md (Inference gateway overhead).
#
# Everything listens on 127.0.0.1 only, on free ports picked at start, and
# stops at exit. Needs root (or sudo) only to apt-get wrk, nginx, jq if missing.
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
DURATION=${DURATION:-5s}
WARMUP=${WARMUP:-2s}
REPEAT=${REPEAT:-3}
TARGETS=${TARGETS:-"direct nginx nginx-http go-nethttp go-fasthttp gatehouse"}
FLOOR_WORK=${FLOOR_WORK:-}   # e.g. "15us 25us": adds go-fasthttp-w15us, go-fasthttp-w25us
for w in $FLOOR_WORK; do TARGETS+=" go-fasthttp-w$w"; done
TTFB_N=${TTFB_N:-60}
RATE=${RATE:-500}
RATE_DURATION=${RATE_DURATION:-4s}
STREAM_OPTIONS=${STREAM_OPTIONS:-"ttft=20ms&per_token=5ms"}
OUT=${OUT:-$(mktemp -d /tmp/gatehouse-bench.XXXXXX)}
KEEP=${KEEP:-0}
mkdir -p "$OUT"
WORK=$(mktemp -d /tmp/gatehouse-bench-work.XXXXXX)
log() { printf '[bench %s] %s\n' "$(date +%T)" "$*" >&2; }

# ---- processes --------------------------------------------------------------
PIDS=()
cleanup() {
  local rc=$?
  if [ "$KEEP" = 1 ] && [ $rc = 0 ]; then return; fi
  [ -f "$WORK/nginx/nginx.pid" ] && kill "$(cat "$WORK/nginx/nginx.pid")" 2>/dev/null || true
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null || true; done
  rm -rf "$WORK"
}
trap cleanup EXIT

# ---- tools ----------------------------------------------------------------
need=()
command -v wrk >/dev/null || need+=(wrk)
command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || need+=(nginx)
command -v jq >/dev/null || need+=(jq)
command -v curl >/dev/null || need+=(curl)
if [ ${#need[@]} -gt 0 ]; then
  log "installing ${need[*]}"
  SUDO=; [ "$(id -u)" = 0 ] || SUDO=sudo
  $SUDO apt-get update -qq
  # policy-rc.d 101: do not start Debian's own nginx service on :80.
  if [ "$(id -u)" = 0 ] && [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d; chmod +x /usr/sbin/policy-rc.d; RM_POLICY=1
  fi
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
  if [ "${RM_POLICY:-0}" = 1 ]; then rm -f /usr/sbin/policy-rc.d; fi
fi
NGINX=$(command -v nginx || echo /usr/sbin/nginx)
command -v go >/dev/null || { echo "go is required" >&2; exit 1; }

# ---- build ----------------------------------------------------------------
log "building gatehouse and benchtool"
(cd "$ROOT" && go build -o "$WORK/gatehouse" ./cmd/gatehouse)
(cd "$HERE" && go build -o "$WORK/benchtool" ./benchtool)
GH="$WORK/gatehouse"


# free_port prints a loopback TCP port nobody listens on (the machine is
# shared: fixed ports collide with other runs).
TAKEN=" "
free_port() {
  local p
  while :; do
    p=$(( 20000 + RANDOM % 40000 ))
    case "$TAKEN" in *" $p "*) continue ;; esac
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then TAKEN+="$p "; echo "$p"; return; fi
  done
}
wait_http() { # URL [curl args…]: until it answers at all
  local url=$1; shift
  for _ in $(seq 1 200); do
    curl -s -o /dev/null "$@" "$url" && return 0
    sleep 0.05
  done
  echo "timed out waiting for $url" >&2; return 1
}

SIM_PORT=$(free_port); SIM_STREAM_PORT=$(free_port); GH_PORT=$(free_port)
NGX_TLS_PORT=$(free_port); NGX_HTTP_PORT=$(free_port)

log "simulators on :$SIM_PORT (no latency) and :$SIM_STREAM_PORT ($STREAM_OPTIONS)"
"$GH" simulate --addr "127.0.0.1:$SIM_PORT" >"$WORK/sim.log" 2>&1 & SIM_PID=$!; PIDS+=($SIM_PID)
"$GH" simulate --addr "127.0.0.1:$SIM_STREAM_PORT" --options "$STREAM_OPTIONS" >"$WORK/sim-stream.log" 2>&1 & PIDS+=($!)

log "gatehouse serve on :$GH_PORT (temp data dir, demo data, --log-level warn)"
DATA="$WORK/data"
"$GH" serve --data "$DATA" --addr "127.0.0.1:$GH_PORT" --log-level warn >"$WORK/serve.out" 2>"$WORK/serve.err" & GH_PID=$!; PIDS+=($GH_PID)
for _ in $(seq 1 300); do [ -s "$DATA/demo.json" ] && [ -s "$DATA/tls/ca.pem" ] && break; sleep 0.05; done
CA="$DATA/tls/ca.pem"
wait_http "https://127.0.0.1:$GH_PORT/" --cacert "$CA"
wait_http "http://127.0.0.1:$SIM_PORT/v1/models"
wait_http "http://127.0.0.1:$SIM_STREAM_PORT/v1/models"

# Deployments on the demo account pointing at the standalone simulators,
# created through ARM by the CLI. Capacity 100000 (100M tokens and 600,000
# requests a minute) so quota never rejects, but the limiter still runs on
# every request.
for dep in "bench:$SIM_PORT" "bench-stream:$SIM_STREAM_PORT"; do
  "$GH" --data "$DATA" cognitiveservices account deployment create -g demo -n demo \
    --deployment-name "${dep%%:*}" --model-name gpt-4o-mini --sku-capacity 100000 \
    --upstream "openai=http://127.0.0.1:${dep##*:}/v1" >"$WORK/deployment-${dep%%:*}.json"
done

# A bearer token for the demo app (Cognitive Services OpenAI User on the account).
TENANT=$(jq -r .tenant "$DATA/demo.json")
TOKEN=$(curl -sf --cacert "$CA" "https://127.0.0.1:$GH_PORT/$TENANT/oauth2/v2.0/token" \
  -d grant_type=client_credentials -d "client_id=$(jq -r .clientId "$DATA/demo.json")" \
  --data-urlencode "client_secret=$(jq -r .clientSecret "$DATA/demo.json")" \
  --data-urlencode scope=https://cognitiveservices.azure.com/.default | jq -r .access_token)
[ -n "$TOKEN" ] && [ "$TOKEN" != null ] || { echo "no token" >&2; exit 1; }
printf '%s' "$TOKEN" >"$WORK/token"

# nginx: plain reverse proxy, TLS with gatehouse's own server certificate.
mkdir -p "$WORK/nginx"
USER_LINE=""; [ "$(id -u)" = 0 ] && USER_LINE="user root;"
sed -e "s|@DIR@|$WORK/nginx|g" -e "s|@USER@|$USER_LINE|" -e "s|@SIM_PORT@|$SIM_PORT|" \
    -e "s|@SIM_STREAM_PORT@|$SIM_STREAM_PORT|" -e "s|@TLS_PORT@|$NGX_TLS_PORT|" -e "s|@HTTP_PORT@|$NGX_HTTP_PORT|" \
    -e "s|@CERT@|$DATA/tls/server.pem|" -e "s|@KEY@|$DATA/tls/server-key.pem|" \
    "$HERE/nginx.conf.tmpl" >"$WORK/nginx/nginx.conf"
cp "$WORK/nginx/nginx.conf" "$OUT/nginx.conf"
"$NGINX" -p "$WORK/nginx" -c "$WORK/nginx/nginx.conf" -e "$WORK/nginx/error.log" -t -q
"$NGINX" -p "$WORK/nginx" -c "$WORK/nginx/nginx.conf" -e "$WORK/nginx/error.log"
for _ in $(seq 1 100); do [ -s "$WORK/nginx/nginx.pid" ] && break; sleep 0.05; done
NGX_PID=$(cat "$WORK/nginx/nginx.pid")

# The floor: Go TLS proxies with no logic at all, same certificate; a
# target go-STACK-wWORK adds WORK of CPU per request (see FLOOR_WORK).
declare -A FLOOR_PORT FLOOR_PID
for t in $TARGETS; do
  case $t in go-*) ;; *) continue ;; esac
  spec=${t#go-}; stack=${spec%%-w*}; w=0
  [[ $spec == *-w* ]] && w=${spec#*-w}
  FLOOR_PORT[$t]=$(free_port)
  "$WORK/benchtool" proxy -stack "$stack" -work "$w" -addr "127.0.0.1:${FLOOR_PORT[$t]}" \
    -upstream "http://127.0.0.1:$SIM_PORT/v1/chat/completions" \
    -cert "$DATA/tls/server.pem" -key "$DATA/tls/server-key.pem" >"$WORK/proxy-$t.log" 2>&1 & FLOOR_PID[$t]=$!; PIDS+=($!)
  wait_http "https://127.0.0.1:${FLOOR_PORT[$t]}/" --cacert "$CA"
done

declare -A URL AUTH
URL[direct]="http://127.0.0.1:$SIM_PORT/v1/chat/completions"
URL[nginx]="https://127.0.0.1:$NGX_TLS_PORT/v1/chat/completions"
URL[nginx-http]="http://127.0.0.1:$NGX_HTTP_PORT/v1/chat/completions"
for t in "${!FLOOR_PORT[@]}"; do URL[$t]="https://127.0.0.1:${FLOOR_PORT[$t]}/v1/chat/completions"; done
URL[gatehouse]="https://127.0.0.1:$GH_PORT/accounts/demo/openai/deployments/bench/chat/completions?api-version=2024-10-21"
AUTH[gatehouse]=$TOKEN
STREAM_DIRECT="http://127.0.0.1:$SIM_STREAM_PORT/v1/chat/completions"
STREAM_NGINX="https://127.0.0.1:$NGX_TLS_PORT/stream/v1/chat/completions"
STREAM_GH="https://127.0.0.1:$GH_PORT/accounts/demo/openai/deployments/bench-stream/chat/completions?api-version=2024-10-21"

# Smoke test: every target answers 200 with a completion; gatehouse's answer
# carries the quota headers (the limiter ran).
for t in $TARGETS; do
  hdr=(-H 'Content-Type: application/json'); [ -n "${AUTH[$t]:-}" ] && hdr+=(-H "Authorization: Bearer ${AUTH[$t]}")
  curl -sf --cacert "$CA" -D "$WORK/smoke-$t.h" -o "$WORK/smoke-$t.json" "${hdr[@]}" --data-binary "@$HERE/chat.json" "${URL[$t]}" \
    || { echo "smoke test of $t failed" >&2; cat "$WORK/smoke-$t.json" >&2 || true; exit 1; }
  jq -e '.choices[0].message.content | length > 0' "$WORK/smoke-$t.json" >/dev/null
done
if [[ " $TARGETS " == *" gatehouse "* ]]; then
  grep -qi '^x-ratelimit-remaining-tokens:' "$WORK/smoke-gatehouse.h" || { echo "gatehouse: no quota headers" >&2; exit 1; }
fi

# cpu_ms PID…: user+system CPU time (ms) of the processes (all their threads).
TCK=$(getconf CLK_TCK)
cpu_ms() {
  local sum=0 p rest
  local -a f
  for p in "$@"; do
    [ -r "/proc/$p/stat" ] || continue
    rest=$(sed 's/^.*) //' "/proc/$p/stat")   # fields after "pid (comm) "
    read -r -a f <<<"$rest"
    sum=$(( sum + f[11] + f[12] ))            # utime, stime (clock ticks)
  done
  echo $(( sum * 1000 / TCK ))
}
children_of() { # PID: its child processes (nginx's workers), from /proc
  local f rest
  local -a x
  for f in /proc/[0-9]*/stat; do
    rest=$(sed 's/^.*) //' "$f" 2>/dev/null) || continue
    read -r -a x <<<"$rest"
    [ "${x[1]:-}" = "$1" ] && basename "$(dirname "$f")"
  done
  return 0
}
server_pids() { # the process(es) whose CPU a target costs
  case $1 in
    direct) echo "$SIM_PID" ;;
    gatehouse) echo "$GH_PID" ;;
    nginx|nginx-http) echo "$NGX_PID $(children_of "$NGX_PID")" ;;
    go-*) echo "${FLOOR_PID[$1]}" ;;
  esac
}

# ---- wrk ----------------------------------------------------------------------
RESULTS="$OUT/wrk.jsonl"; : >"$RESULTS"
run_wrk() { # target conns threads duration [rep]
  local t=$1 c=$2 th=$3 d=$4 rep=${5:-0} pids before after line
  pids=$(server_pids "$t")
  before=$(cpu_ms $pids)
  BENCH_BODY="$HERE/chat.json" BENCH_TOKEN=${AUTH[$t]:-} wrk -t"$th" -c"$c" -d"$d" --latency -s "$HERE/chat.lua" "${URL[$t]}" >"$WORK/wrk.out" 2>&1
  after=$(cpu_ms $pids)
  if [ "$rep" != 0 ]; then
    cp "$WORK/wrk.out" "$OUT/wrk-$t-c$c-$rep.txt"
    line=$(grep '^BENCH_JSON ' "$WORK/wrk.out" | sed 's/^BENCH_JSON //')
    non2xx=$(sed -n 's/^ *Non-2xx or 3xx responses: *//p' "$WORK/wrk.out"); non2xx=${non2xx:-0}
    echo "$line" | jq -c --arg t "$t" --argjson c "$c" --argjson r "$rep" --argjson cpu $((after - before)) --argjson bad "$non2xx" \
      '. + {target:$t, conns:$c, rep:$r, server_cpu_ms:$cpu, errors_status:$bad,
            errors_other:(.errors_connect + .errors_read + .errors_write + .errors_timeout)}' >>"$RESULTS"
    log "$(jq -r --arg l "$(cut -d' ' -f1-3 /proc/loadavg)" \
      '"\(.target) c\(.conns) #\(.rep): \(.rps|floor) req/s  p50 \(.p50_us) µs  p99 \(.p99_us) µs  non-2xx \(.errors_status)  (load \($l))"' <<<"$(tail -1 "$RESULTS")")"
  fi
}

log "warm-up ($WARMUP per target)"
for t in $TARGETS; do run_wrk "$t" 10 2 "$WARMUP"; done
# Repetitions are interleaved (rep → concurrency → target) so that the noise
# of this shared 2-core machine hits every target alike.
for rep in $(seq 1 "$REPEAT"); do
  for c in 1 10; do
    th=1; [ "$c" -gt 1 ] && th=2
    for t in $TARGETS; do run_wrk "$t" "$c" "$th" "$DURATION" "$rep"; done
  done
done

# ---- fixed rate, below saturation ---------------------------------------------------
# wrk keeps 10 connections busy, so at c10 it saturates the 2 cores and its
# latencies are mostly queueing (≈ 10 / RPS). This adds an open-loop run at a
# fixed RATE, well below what every target sustains, over 10 connections:
# the latency a hop adds when the machine is not saturated.
RATES="$OUT/rate.jsonl"; : >"$RATES"
if [ "$RATE" != 0 ]; then
  for rep in $(seq 1 "$REPEAT"); do
    for t in $TARGETS; do
      pids=$(server_pids "$t"); before=$(cpu_ms $pids)
      tok=(); [ -n "${AUTH[$t]:-}" ] && tok=(-token-file "$WORK/token")
      line=$("$WORK/benchtool" rate -rate "$RATE" -c 10 -d "$RATE_DURATION" -cacert "$CA" "${tok[@]}" -body "$HERE/chat.json" "${URL[$t]}")
      after=$(cpu_ms $pids)
      echo "$line" | jq -c --arg t "$t" --argjson r "$rep" --argjson cpu $((after - before)) \
        '. + {target:$t, conns:10, rep:$r, server_cpu_ms:$cpu}' >>"$RATES"
      log "$(jq -r '"\(.target) \(.offered_rps)/s fixed rate #\(.rep): p50 \(.p50_us|floor) µs  p99 \(.p99_us|floor) µs  errors \(.errors_status + .errors_other)"' <<<"$(tail -1 "$RATES")")"
    done
  done
fi

# ---- streamed time to first byte --------------------------------------------------
TTFB="$OUT/ttfb.jsonl"; : >"$TTFB"
ttfb_targets=("direct=$STREAM_DIRECT")
[[ " $TARGETS " == *" nginx "* ]] && ttfb_targets+=("nginx=$STREAM_NGINX")
[[ " $TARGETS " == *" gatehouse "* ]] && ttfb_targets+=("gatehouse=$STREAM_GH,$WORK/token")
for rep in $(seq 1 "$REPEAT"); do
  log "streamed TTFB #$rep ($TTFB_N interleaved requests per target, $STREAM_OPTIONS)"
  "$WORK/benchtool" ttfb -n "$TTFB_N" -cacert "$CA" "${ttfb_targets[@]}" | jq -c --argjson r "$rep" '. + {rep:$r}' >>"$TTFB"
done

# ---- summary ----------------------------------------------------------------------
{
  echo "# gatehouse gateway benchmark, $(date -u +%FT%TZ)"
  echo
  echo "$(nproc) cores, $(uname -r), $(go version | cut -d' ' -f3), $(wrk --version 2>&1 | head -1 | cut -d' ' -f1-2), $("$NGINX" -v 2>&1 | cut -d' ' -f3), gatehouse $(cd "$ROOT" && git rev-parse --short HEAD 2>/dev/null || echo '?')$(cd "$ROOT" && git diff --quiet 2>/dev/null || echo '+dirty')"
  echo "wrk -d$DURATION, $REPEAT repetitions (medians); fixed rate $RATE/s over 10 connections for $RATE_DURATION; streamed TTFB: $REPEAT × $TTFB_N requests per target ($STREAM_OPTIONS)."
  echo "Load average at the end: $(cut -d' ' -f1-3 /proc/loadavg) (the machine is shared)."

  echo
  "$WORK/benchtool" summarize -wrk "$RESULTS" -rate "$RATES" -ttfb "$TTFB"
} >"$OUT/summary.md"
cat "$OUT/summary.md"
log "raw results in $OUT"

if [ "$KEEP" = 1 ]; then
  log "KEEP=1: servers left running (gatehouse pid $GH_PID, nginx pid $NGX_PID); work dir $WORK"
  printf 'GATEHOUSE_URL=%s\nTOKEN_FILE=%s\nCA=%s\nGATEHOUSE_PID=%s\nNGINX_PID=%s\nSERVER_PIDS="%s"\nWORK=%s\n' \
    "${URL[gatehouse]}" "$WORK/token" "$CA" "$GH_PID" "$NGX_PID" "${PIDS[*]} $NGX_PID" "$WORK" | tee "$OUT/keep.env"
fi
