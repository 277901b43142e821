-- wrk script: POST the body in the file named by the BODY environment variable; at the end print one
-- machine-readable line (requests/s, mean, p50, p99 in microseconds, errors) for run.sh to parse.
local f = assert(io.open(os.getenv("BODY"), "r"))
wrk.method = "POST"
wrk.body = f:read("*a")
f:close()
wrk.headers["Content-Type"] = "application/json"
