-- wrk script: POST the JSON body in $BENCH_BODY with the headers in $BENCH_HEADERS
-- ("Name: value" lines), as a client of that door would send them.
wrk.method = "POST"
wrk.body = os.getenv("BENCH_BODY")
wrk.headers["Content-Type"] = "application/json"
for line in (os.getenv("BENCH_HEADERS") or ""):gmatch("[^\n]+") do
  local name, value = line:match("^([^:]+):%s*(.*)$")
  if name then wrk.headers[name] = value end
end

-- No `response` callback: wrk then skips Lua for every answer (less load-generator CPU on a
-- machine the proxies share), and still counts answers with status >= 400 in errors.status.
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("BENCH requests=%d duration_us=%d p50_us=%d p99_us=%d errors=%d\n",
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    e.connect + e.read + e.write + e.timeout + e.status))
end
