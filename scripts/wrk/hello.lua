-- wrk script for the hello-world baseline: plain GET of the URL given to wrk
-- (scripts/bench http, against `mall bench hello-server`). It only adds the
-- summary line scripts/bench reads.
local here = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
dofile(here .. "report.lua")

function done(summary, latency, requests)
  mall_report(summary, latency)
end
