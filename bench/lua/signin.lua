-- POST /login: one password sign-in per request, each in a session of its own with a drawn
-- captcha (bench/run makes them beforehand), for members taken in turn.
--   wrk -t N -c N ... -s bench/lua/signin.lua <url> -- <session file> <id file> <password> <captcha> <N>
-- Run it with one connection per thread (-t equal to -c): each thread then sees its own
-- answers in order, and a sign-in refused for want of a core (503; the captcha is kept) is
-- sent again in the same session a second later, while any other answer moves on to the next
-- session.
-- The session file has "<cookie token> <csrf token>" per line; thread n of t uses lines n, n+t, …
-- done() reports how many sign-ins succeeded (303), were refused fast (429/503), or got
-- anything else (200 = refused, e.g. a session used up: the run had too few sessions).

local threads = {}

function setup(thread)
  thread:set("number", #threads + 1)
  table.insert(threads, thread)
end

local sessions = {}
local ids = {}
local password, captcha
local thread_count = 1
signed_in = 0
refused = 0
other = 0
ran_out = 0

local function encode(text)
  return (text:gsub("[^%w%-%._~]", function(c) return string.format("%%%02X", string.byte(c)) end))
end

function init(args)
  local count = tonumber(args[5])
  thread_count = count
  local line_number = 0
  for line in io.lines(args[1]) do
    line_number = line_number + 1
    if line_number % count == number - 1 then
      local token, csrf = line:match("^(%S+) (%S+)$")
      sessions[#sessions + 1] = { token = token, csrf = csrf }
    end
  end
  for line in io.lines(args[2]) do
    if line ~= "" then
      ids[#ids + 1] = line
    end
  end
  password = encode(args[3])
  captcha = encode(args[4])
end

local current = 1
local wait = 0

-- After a refusal, wait the second its Retry-After asks for, as a browser's member would
-- before pressing 登入 again; sending it again at once would only load the server.
function delay()
  local ms = wait
  wait = 0
  return ms
end

function request()
  if current > #sessions then
    ran_out = 1
    current = 1
  end
  local session = sessions[current]
  -- Session k of thread n is line (k - 1) * t + n of the file: members are taken in the same turn.
  local id = ids[((current - 1) * thread_count + number - 1) % #ids + 1]
  local body = "csrf=" .. session.csrf .. "&id_number=" .. id .. "&password=" .. password .. "&captcha=" .. captcha
  return wrk.format("POST", "/login", {
    Cookie = "huzhu_session=" .. session.token,
    ["Content-Type"] = "application/x-www-form-urlencoded",
  }, body)
end

function response(status)
  if status == 303 then
    signed_in = signed_in + 1
    current = current + 1
  elseif status == 429 or status == 503 then
    refused = refused + 1
    wait = 1000
  else
    other = other + 1
    current = current + 1
  end
end

function done()
  local totals = { signed_in = 0, refused = 0, other = 0, ran_out = 0 }
  for _, thread in ipairs(threads) do
    for key, _ in pairs(totals) do
      totals[key] = totals[key] + thread:get(key)
    end
  end
  io.write(string.format("signed_in %d\nrefused %d\nother %d\nran_out %d\n",
    totals.signed_in, totals.refused, totals.other, totals.ran_out))
end
