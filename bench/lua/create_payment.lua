-- POST /v1/payments with a unique Idempotency-Key per request.
-- Arguments: <api key> <key prefix> <phone>
package.path = debug.getinfo(1, "S").source:sub(2):match("(.*/)") .. "?.lua;" .. package.path
local summary = require("summary")

local threads = {}
local counter = 0
local prefix = "bench"
local body = ""

function setup(thread)
  thread:set("thread_number", #threads + 1)
  table.insert(threads, thread)
end

function init(args)
  prefix = args[2] .. "-" .. thread_number
  wrk.method = "POST"
  wrk.headers["Authorization"] = "Bearer " .. args[1]
  wrk.headers["Content-Type"] = "application/json"
  body = '{"amount": 10000, "currency": "KES", "method": "mobile_money", "phone": "' .. args[3] .. '"}'
end

function request()
  counter = counter + 1
  wrk.headers["Idempotency-Key"] = prefix .. "-" .. counter
  return wrk.format(nil, "/v1/payments", nil, body)
end

function done(s, latency, requests)
  summary.print(s, latency)
end
