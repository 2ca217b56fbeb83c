-- Sign with a real CSRF token and its session cookie (BENCH_CSRF, BENCH_COOKIE), a new address each
-- time; BENCH_RUN keeps addresses of different runs on one database apart.
local token = os.getenv("BENCH_CSRF")
local cookie = os.getenv("BENCH_COOKIE")
local path = os.getenv("BENCH_PATH")
local run = os.getenv("BENCH_RUN") or ""
local n = 0
request = function()
  n = n + 1
  local body = "csrf_token=" .. token .. "&name=Bench+Signer&email=bench" .. run .. "-" .. thread_id .. "-" .. n .. "%40example.org"
  return wrk.format("POST", path, {
    ["Content-Type"] = "application/x-www-form-urlencoded",
    ["Cookie"] = cookie,
  }, body)
end
