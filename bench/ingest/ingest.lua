-- wrk -s ingest.lua: durable sensor ingest. Each request is a new reading: the sensors' tokens (one per line in
-- the file INGEST_TOKENS names) take turns, and each sensor's readings go one minute further back, so no post
-- merges into an earlier one (one reading per sensor per minute) and none is older than the 30 days allowed.
local tokens = {}
for line in io.lines(os.getenv("INGEST_TOKENS")) do tokens[#tokens + 1] = line end

local threads = {}
function setup(thread)
  thread:set("thread_index", #threads)
  threads[#threads + 1] = thread
end

local counter = 0
local start = os.time() - 60
function request()
  counter = counter + 1
  local slot = counter * 2 + thread_index  -- wrk -t2: the two threads never take the same slot
  local token = tokens[slot % #tokens + 1]
  local minutes_back = math.floor(slot / #tokens)
  local time = os.date("!%Y-%m-%dT%H:%M:00Z", start - minutes_back * 60)
  local temperature = 18 + (slot % 90) / 10
  local body = string.format('{"temperature":%.1f,"time":"%s"}', temperature, time)
  return wrk.format("POST", "/ingest/" .. token, {["Content-Type"] = "application/json"}, body)
end
