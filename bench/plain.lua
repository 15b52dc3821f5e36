-- wrk: POSTs of a form with a unique e-mail per request (the floor endpoint).
local counter = 0
function request()
  counter = counter + 1
  local body = "email=floor-" .. counter .. "-" .. math.random(1, 1e9) .. "@example.org"
  return wrk.format("POST", nil, {["Content-Type"] = "application/x-www-form-urlencoded"}, body)
end
