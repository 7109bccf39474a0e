-- POST /login: one password sign-in per request, each in a session of its own with a drawn
-- captcha (bench/run makes them beforehand), for members taken in turn.
--   wrk ... -s bench/lua/signin.lua <url> -- <session file> <id file> <password> <captcha> <threads>
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
local next_session = 0
signed_in = 0
refused = 0
other = 0
ran_out = 0

local function encode(text)
  return (text:gsub("[^%w%-%._~]", function(c) return string.format("%%%02X", string.byte(c)) end))
end

function init(args)
  local count = tonumber(args[5])
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

function request()
  next_session = next_session + 1
  if next_session > #sessions then
    ran_out = 1
    next_session = 1
  end
  local session = sessions[next_session]
  local id = ids[(next_session * #threads + number) % #ids + 1]
  local body = "csrf=" .. session.csrf .. "&id_number=" .. id .. "&password=" .. password .. "&captcha=" .. captcha
  return wrk.format("POST", "/login", {
    Cookie = "huzhu_session=" .. session.token,
    ["Content-Type"] = "application/x-www-form-urlencoded",
  }, body)
end

function response(status)
  if status == 303 then
    signed_in = signed_in + 1
  elseif status == 429 or status == 503 then
    refused = refused + 1
  else
    other = other + 1
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
