-- wrk: sign POSTs with a unique e-mail per request, from many client addresses (via a trusted proxy).
local counter = 0
local thread_id = 0
local cookie = os.getenv("BENCH_COOKIE")
local body_prefix = os.getenv("BENCH_BODY")
local path = os.getenv("BENCH_PATH")

function setup(thread)
  thread_id = thread_id + 1
  thread:set("tid", thread_id)
end

function request()
  counter = counter + 1
  local email = "bench-" .. os.getenv("BENCH_RUN") .. "-" .. tid .. "-" .. counter .. "@example.org"
  local ip = "10." .. math.random(0, 255) .. "." .. math.random(0, 255) .. "." .. math.random(1, 254)
  local headers = {
    ["Content-Type"] = "application/x-www-form-urlencoded",
    ["Cookie"] = cookie,
    ["X-Forwarded-For"] = ip,
  }
  return wrk.format("POST", path, headers, body_prefix .. "&email=" .. email)
end
