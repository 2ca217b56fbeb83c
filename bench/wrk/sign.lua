-- Sign with the page's real form token (BENCH_FORM_TOKEN), a new address each time; BENCH_RUN
-- keeps addresses of different runs on one database apart.
local token = os.getenv("BENCH_FORM_TOKEN")
local path = os.getenv("BENCH_PATH")
local run = os.getenv("BENCH_RUN") or ""
local n = 0
request = function()
  n = n + 1
  local body = "form_token=" .. token .. "&name=Bench+Signer&email=bench" .. run .. "-" .. thread_id .. "-" .. n .. "%40example.org"
  return wrk.format("POST", path, {
    ["Content-Type"] = "application/x-www-form-urlencoded",
  }, body)
end
