-- wrk: confirmation POSTs, one token per request, each token used once (then wrk stops sending).
local cookie = os.getenv("BENCH_COOKIE")
local csrf = os.getenv("BENCH_CSRF")
local path = os.getenv("BENCH_PATH")
local tokens = {}
local index = 0
local thread_id = 0

function setup(thread)
  thread_id = thread_id + 1
  thread:set("tid", thread_id)
end

function init(args)
  local file = io.open(os.getenv("BENCH_TOKENS") .. "." .. tid, "r")
  for line in file:lines() do tokens[#tokens + 1] = line end
  file:close()
end

function request()
  index = index + 1
  local token = tokens[index] or tokens[#tokens]
  local headers = {["Content-Type"] = "application/x-www-form-urlencoded", ["Cookie"] = cookie}
  return wrk.format("POST", path, headers, "csrf_token=" .. csrf .. "&token=" .. token)
end
