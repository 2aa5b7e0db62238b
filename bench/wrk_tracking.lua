-- Public tracking of random existing dossiers. Arguments (after `--`): the sample file, one
-- "code,check" line per dossier (check = the last 4 digits of the applicant's phone), and the
-- mode: "api" for GET /api/v1/tracking/<code>?check=NNNN, "page" for the HTML page
-- GET /tra-cuu-ho-so/?ma=<code>&kiem_tra=NNNN. Every response outside 2xx is counted, as in
-- wrk.lua: a valid lookup must never be refused.
local threads = {}
local counter = 0

function setup(thread)
  counter = counter + 1
  thread:set("id", counter)
  table.insert(threads, thread)
end

function init(args)
  non2xx = 0
  paths = {}
  local mode = args[2] or "api"
  for line in io.lines(args[1]) do
    local code, check = line:match("^([^,]+),(%d%d%d%d)$")
    if code then
      if mode == "page" then
        table.insert(paths, "/tra-cuu-ho-so/?ma=" .. code .. "&kiem_tra=" .. check)
      else
        table.insert(paths, "/api/v1/tracking/" .. code .. "?check=" .. check)
      end
    end
  end
  if #paths == 0 then
    error("no code,check lines in " .. tostring(args[1]))
  end
  math.randomseed(os.time() + id * 7919)
end

function request()
  return wrk.format("GET", paths[math.random(#paths)])
end

function response(status, headers, body)
  if status < 200 or status > 299 then
    non2xx = non2xx + 1
  end
end

function done(summary, latency, requests)
  local total = 0
  for _, thread in ipairs(threads) do
    total = total + thread:get("non2xx")
  end
  io.write(string.format("non-2xx: %d\n", total))
end
