-- wrk script: seckill order attempts, one POST per request, as real buyers.
--
-- Environment:
--   TOKENS_FILE  access tokens, one per line (one per buyer)
--   ACTIVITY_ID  seckill activity to order from
--   SKU_ID       SKU inside that activity
--   WRK_THREADS  the -t given to wrk (default 1); each thread then takes every
--                WRK_THREADS-th token so two threads never share a buyer
--   WRK_COUNT_CODES=1  also count the responses by HTTP status and envelope
--                code (see below); off by default
--
-- POST /api/v1/seckill/activities/$ACTIVITY_ID/orders
--   Authorization: Bearer <token>    {"skuId":"$SKU_ID","quantity":1}
-- A thread hands its tokens out round-robin, so consecutive requests (and
-- thus its connections) act as different buyers.
--
-- Every run reports its non-2xx responses (`non2xx=` in WRK_RESULT, from wrk's
-- own count): the HTTP status matches the class of the envelope's code
-- (CONVENTIONS.md), so non2xx=0 means every purchase succeeded. With
-- WRK_COUNT_CODES=1 the responses are also counted by status and envelope
-- code and printed at the end, e.g.
--   WRK_STATUS 200/200=5000 409/40901=120000 409/40902=3000
-- That is off by default so that wrk does for each reply what it does under
-- hello.lua: with a `response` function it parses every reply's headers and
-- body into Lua, on the cores the server shares. (Measured 2026-12-05, the
-- difference was within the box's spread; see docs/benchmarks.md.)
local here = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
dofile(here .. "report.lua")

local function env(name)
  local value = os.getenv(name)
  if value == nil or value == "" then
    error("seckill.lua: environment variable " .. name .. " is not set")
  end
  return value
end

-- Runs in the main Lua state once per thread, before that thread's init().
local threads = {}
function setup(thread)
  table.insert(threads, thread)
  thread:set("thread_index", #threads)
end

-- Runs in each thread's own Lua state.
function init(args)
  local activity = env("ACTIVITY_ID")
  local body = string.format('{"skuId":"%s","quantity":1}', env("SKU_ID"))
  local path = "/api/v1/seckill/activities/" .. activity .. "/orders"
  local stride = tonumber(os.getenv("WRK_THREADS") or "1") or 1
  local file = assert(io.open(env("TOKENS_FILE"), "r"))
  local all = {}
  for line in file:lines() do
    local token = line:match("^%s*(.-)%s*$")
    if token ~= "" then table.insert(all, token) end
  end
  file:close()
  assert(#all > 0, "seckill.lua: no tokens in TOKENS_FILE")

  -- Requests are pre-formatted once per buyer; request() only picks one.
  requests_pool = {}
  local first = ((thread_index or 1) - 1) % #all + 1
  for i = first, #all, stride do
    table.insert(requests_pool, wrk.format("POST", path, {
      ["Authorization"] = "Bearer " .. all[i],
      ["Content-Type"] = "application/json",
    }, body))
  end
  if #requests_pool == 0 then -- fewer tokens than threads: share them
    for i = 1, #all do
      table.insert(requests_pool, wrk.format("POST", path, {
        ["Authorization"] = "Bearer " .. all[i],
        ["Content-Type"] = "application/json",
      }, body))
    end
  end
  next_request = 0
  counts = {}
end

function request()
  next_request = next_request % #requests_pool + 1
  return requests_pool[next_request]
end

local function count(status, headers, body)
  local code = body and body:match('"code"%s*:%s*(%d+)') or "-"
  local key = status .. "/" .. code
  counts[key] = (counts[key] or 0) + 1
end
-- wrk reads `response` after init(): left nil, it skips the replies' headers and bodies.
if os.getenv("WRK_COUNT_CODES") == "1" then response = count end

function done(summary, latency, requests)
  mall_report(summary, latency)
  if response == nil then return end
  local total = {}
  for _, thread in ipairs(threads) do
    for key, n in pairs(thread:get("counts") or {}) do
      total[key] = (total[key] or 0) + n
    end
  end
  local keys = {}
  for key in pairs(total) do table.insert(keys, key) end
  table.sort(keys)
  local parts = {}
  for _, key in ipairs(keys) do table.insert(parts, key .. "=" .. total[key]) end
  io.write("WRK_STATUS " .. table.concat(parts, " ") .. "\n")
end
