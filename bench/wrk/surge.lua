-- Replay a surge at a fixed arrival rate, open loop: BENCH_RATE requests/s over all threads, each
-- sent at its scheduled time whether or not earlier ones have been answered (a connection that is
-- still busy makes the next one late, which "late" counts). Every 32 requests hold 1 confirmation
-- (BENCH_TOKENS, one a line), 1 signature (as in sign.lua), 10 views of BENCH_PAGE (in English, at
-- the address a shared cache keeps) and 20 polls of its JSON count.
local ffi = require("ffi")
ffi.cdef [[
typedef struct { long tv_sec; long tv_nsec; } bench_timespec;
int clock_gettime(int clock, bench_timespec *now);
]]
local clock = ffi.new("bench_timespec")
local function now_ms()
  ffi.C.clock_gettime(1, clock) -- CLOCK_MONOTONIC
  return tonumber(clock.tv_sec) * 1000 + tonumber(clock.tv_nsec) / 1e6
end

local cycle = {}
for i = 1, 30 do
  cycle[#cycle + 1] = (i % 3 == 0) and "page" or "json"
end
table.insert(cycle, 1, "confirm")
table.insert(cycle, 17, "sign")

local form_token = os.getenv("BENCH_FORM_TOKEN")
local sign_path = os.getenv("BENCH_PATH")
local page = os.getenv("BENCH_PAGE")
local run = os.getenv("BENCH_RUN") or ""
local tokens = {}
local interval, next_at
local n, confirmed = 0, 0
late, signed = 0, 0 -- globals: report.lua reads them from each thread

init = function(args)
  local count = tonumber(os.getenv("BENCH_THREADS"))
  local i = 0
  for line in io.lines(os.getenv("BENCH_TOKENS")) do
    if i % count == thread_id then
      tokens[#tokens + 1] = line
    end
    i = i + 1
  end
  interval = 1000 * count / tonumber(os.getenv("BENCH_RATE"))
  -- Threads take turns, so arrivals are evenly spaced over all of them.
  next_at = now_ms() + interval * thread_id / count
  n = thread_id * 16
end

delay = function()
  local now = now_ms()
  local wait = next_at - now
  next_at = next_at + interval
  if wait < -10 then
    late = late + 1
  end
  return math.max(wait, 0)
end

request = function()
  n = n + 1
  local kind = cycle[(n - 1) % #cycle + 1]
  if kind == "json" then
    return wrk.format("GET", page .. ".json")
  elseif kind == "page" then
    return wrk.format("GET", page .. "?lang=en")
  elseif kind == "sign" then
    signed = signed + 1
    local body = "form_token=" .. form_token .. "&name=Surge+Signer&email=surge" .. run .. "-" .. thread_id .. "-" .. signed .. "%40example.org"
    return wrk.format("POST", sign_path, {
      ["Content-Type"] = "application/x-www-form-urlencoded",
    }, body)
  end
  confirmed = confirmed + 1
  return wrk.format("POST", "/confirm/" .. tokens[(confirmed - 1) % #tokens + 1])
end
