-- wrk script: the same chat-completions POST for every target.
--   BENCH_BODY   file with the JSON body (run.sh: bench/gateway/chat.json;
--                its "model" is what the simulator answers as; gatehouse
--                replaces it with the deployment's model)
--   BENCH_TOKEN  bearer token (unset or empty: no Authorization header)
-- done() prints one BENCH_JSON line (latencies in µs) that run.sh parses.
local f = assert(io.open(os.getenv("BENCH_BODY") or "chat.json", "rb"))
local body = f:read("*a"):gsub("%s+$", "")
f:close()
local token = os.getenv("BENCH_TOKEN")

wrk.method = "POST"
wrk.body = body
wrk.headers["Content-Type"] = "application/json"
if token and token ~= "" then
  wrk.headers["Authorization"] = "Bearer " .. token
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'BENCH_JSON {"requests":%d,"duration_us":%d,"rps":%.1f,"p50_us":%d,"p90_us":%d,"p99_us":%d,"max_us":%d,"mean_us":%.1f,"errors_connect":%d,"errors_read":%d,"errors_write":%d,"errors_timeout":%d}\n',
    summary.requests, summary.duration, summary.requests / (summary.duration / 1e6),
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max, latency.mean,
    e.connect, e.read, e.write, e.timeout))
end
