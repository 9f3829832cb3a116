-- wrk script for scripts/lab-load.sh and scripts/lab-fault-load.sh: a preflight + actual mix, half scenario
-- endpoints, half builder, what a page running probes sends.
local origin = "http://127.0.0.1:41234"
local requests = {}
local n = 0
init = function(args)
  local pf = { ["Origin"] = origin, ["Access-Control-Request-Method"] = "PUT",
               ["Access-Control-Request-Headers"] = "content-type,x-custom" }
  requests[1] = wrk.format("OPTIONS", "/s/preflight-put-ok", pf)
  requests[2] = wrk.format("GET", "/s/simple-get-wildcard", { ["Origin"] = origin })
  requests[3] = wrk.format("OPTIONS", "/b?pf_acao=echo&pf_acam=PUT&pf_acah=echo&acao=echo", pf)
  requests[4] = wrk.format("GET", "/b?pf_acao=echo&acao=echo&aceh=X-A&aceh=X-B", { ["Origin"] = origin })
end
request = function()
  n = n % #requests + 1
  return requests[n]
end
