-- GET one path, each request with the session cookie of a member chosen at random.
--   wrk ... -s bench/lua/sessions.lua <url> -- <cookie file> <path>
-- The cookie file has one session token per line. Every answer other than 200 (a 303 to the
-- sign-in page would mean the session was lost) is counted and reported by done().

local threads = {}

function setup(thread)
  thread:set("number", #threads + 1)
  table.insert(threads, thread)
end

local cookies = {}
local path = "/"
unexpected = 0

function init(args)
  for line in io.lines(args[1]) do
    if line ~= "" then
      cookies[#cookies + 1] = line
    end
  end
  path = args[2]
  math.randomseed(os.time() * 1000 + number)
end

function request()
  local token = cookies[math.random(#cookies)]
  return wrk.format("GET", path, { Cookie = "huzhu_session=" .. token })
end

function response(status)
  if status ~= 200 then
    unexpected = unexpected + 1
  end
end

function done()
  local total = 0
  for _, thread in ipairs(threads) do
    total = total + thread:get("unexpected")
  end
  io.write(string.format("unexpected %d\n", total))
end
