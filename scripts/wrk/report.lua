-- Shared by the wrk scripts in this folder: prints one machine-readable
-- summary line that scripts/bench parses (latencies in ms), e.g.
--   WRK_RESULT requests=150000 duration_s=15.00 rps=10000.0 avg_ms=6.3 p50_ms=5.9 p90_ms=8.1 p99_ms=14.2 max_ms=40.1 non2xx=0 socket_errors=0
function mall_report(summary, latency)
  local e = summary.errors
  local seconds = summary.duration / 1e6
  io.write(string.format(
    "WRK_RESULT requests=%d duration_s=%.2f rps=%.1f avg_ms=%.3f p50_ms=%.3f p90_ms=%.3f p99_ms=%.3f max_ms=%.3f non2xx=%d socket_errors=%d\n",
    summary.requests, seconds, summary.requests / seconds,
    latency.mean / 1000, latency:percentile(50) / 1000, latency:percentile(90) / 1000,
    latency:percentile(99) / 1000, latency.max / 1000,
    e.status, e.connect + e.read + e.write + e.timeout))
end
