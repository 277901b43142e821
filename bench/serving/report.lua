-- Shared done() hook (appended to each wrk script by run.sh): one line "RESULT rps mean_us p50_us p99_us errors non2xx".
function done(summary, latency, requests)
  local secs = summary.duration / 1e6
  local e = summary.errors
  io.write(string.format("RESULT %.0f %.1f %.0f %.0f %d %d\n", summary.requests / secs, latency.mean,
    latency:percentile(50), latency:percentile(99), e.connect + e.read + e.write + e.timeout, e.status))
end
