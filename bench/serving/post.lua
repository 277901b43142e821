-- wrk script: POST the body in the file named by the BODY environment variable; at the end print one
-- machine-readable line (requests/s, mean, p50, p99 in microseconds, errors) for run.sh to parse.
-- With HEADER_LENGTH set, the body is a request of Triton's binary tensor data extension: a JSON header of that
-- many bytes, then the tensors' bytes, sent as tritonclient sends them.
local f = assert(io.open(os.getenv("BODY"), "rb"))
wrk.method = "POST"
wrk.body = f:read("*a")
f:close()
local headerLength = os.getenv("HEADER_LENGTH")
if headerLength and headerLength ~= "" then
  wrk.headers["Content-Type"] = "application/octet-stream"
  wrk.headers["Inference-Header-Content-Length"] = headerLength
else
  wrk.headers["Content-Type"] = "application/json"
end
