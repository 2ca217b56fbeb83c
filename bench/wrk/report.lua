-- Appended to every load script: print one JSON line wrk's own summary is parsed from.
-- "late" counts requests a paced script (surge.lua) sent behind their time; others send none late.
-- "signed" counts the signatures surge.lua posted, each owed one confirmation email.
done = function(summary, latency, requests)
  local e = summary.errors
  local late, signed = 0, 0
  for _, thread in ipairs(threads) do
    late = late + (thread:get("late") or 0)
    signed = signed + (thread:get("signed") or 0)
  end
  io.write(string.format(
    '{"requests": %d, "duration_us": %d, "p50_us": %d, "p99_us": %d, ' ..
    '"socket_errors": %d, "http_errors": %d, "late": %d, "signed": %d}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    e.connect + e.read + e.write + e.timeout, e.status, late, signed))
end
