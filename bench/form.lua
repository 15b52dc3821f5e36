-- wrk: the same form POST every time (BENCH_BODY), with a browser's cookie (BENCH_COOKIE).
function request()
  local headers = {["Content-Type"] = "application/x-www-form-urlencoded"}
  if os.getenv("BENCH_COOKIE") then headers["Cookie"] = os.getenv("BENCH_COOKIE") end
  return wrk.format("POST", nil, headers, os.getenv("BENCH_BODY"))
end
