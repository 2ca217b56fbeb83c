-- Press Confirm for pending signatures, a different one each time, from BENCH_TOKENS (one a line).
local tokens = {}
init = function(args)
  local i = 0
  for line in io.lines(os.getenv("BENCH_TOKENS")) do
    if i % tonumber(os.getenv("BENCH_THREADS")) == thread_id then
      tokens[#tokens + 1] = line
    end
    i = i + 1
  end
end
local n = 0
request = function()
  n = n + 1
  return wrk.format("POST", "/confirm/" .. tokens[(n - 1) % #tokens + 1])
end
