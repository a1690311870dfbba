-- Shared by the wrk scripts: print wrk's own summary as one JSON line the Python side reads.
local summary = {}

function summary.print(s, latency)
  local p = function(q) return latency:percentile(q) / 1000.0 end
  io.write(string.format(
    'WRK-JSON {"requests": %d, "duration_s": %.3f, "errors_status": %d, "errors_connect": %d, ' ..
    '"errors_read": %d, "errors_write": %d, "errors_timeout": %d, "p50_ms": %.3f, "p90_ms": %.3f, ' ..
    '"p95_ms": %.3f, "p99_ms": %.3f, "max_ms": %.3f, "mean_ms": %.3f}\n',
    s.requests, s.duration / 1e6, s.errors.status, s.errors.connect, s.errors.read, s.errors.write,
    s.errors.timeout, p(50), p(90), p(95), p(99), latency.max / 1000.0, latency.mean / 1000.0))
end

return summary
