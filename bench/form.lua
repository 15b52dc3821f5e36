-- wrk: the same form POST every time (BENCH_BODY), with a browser's cookie (BENCH_COOKIE), from
-- many client addresses through the trusted proxy (per-client limits would stop one address).
function request()
  local headers = {["Content-Type"] = "application/x-www-form-urlencoded"}
  if os.getenv("BENCH_COOKIE") then headers["Cookie"] = os.getenv("BENCH_COOKIE") end
  headers["X-Forwarded-For"] = "10." .. math.random(0, 255) .. "." .. math.random(0, 255) .. "." .. math.random(1, 254)
  return wrk.format("POST", nil, headers, os.getenv("BENCH_BODY"))
end
