// Lua helper functions a generated script may include (only those it uses). They call
// only the allowed surface: session methods, freeswitch.API():execute with regex /
// strftime_tz / curl, freeswitch.JSON():decode, and the Lua standard library.
import type { HelperName } from "../common/ir";

export const LUA_HELPER_NAMES: Record<HelperName, string> = {
  regex: "ivr_regex",
  num: "ivr_num",
  timeOfDay: "ivr_time_of_day",
  http: "ivr_http",
  fileName: "ivr_file_name",
};

const REGEX = `-- PCRE test by FreeSWITCH itself (mod_commands "regex m:<d>subject<d>pattern").
-- The subject is escaped for FreeSWITCH's argument splitter; the pattern was at generation.
local function ivr_regex(subject, delim, pattern)
  local escaped = string.gsub(subject, "[\\\\' %" .. delim .. "]", function (c)
    if c == " " then return "\\\\s" end
    return "\\\\" .. c
  end)
  return freeswitch.API():execute("regex", "m:" .. delim .. escaped .. delim .. pattern) == "true"
end`;

const NUM = `-- A decimal number, or nil (hex, inf and nan are not numbers here).
local function ivr_num(v)
  if v == nil or string.find(v, "[xXnN]") then return nil end
  return tonumber(v)
end`;

const TIME_OF_DAY = `-- "open", "closed" or "holiday" now in time zone tz (mod_commands strftime_tz).
-- hours: { { days = { 0-6, Sunday = 0 }, from = minutes, to = minutes } }, to exclusive.
local function ivr_time_of_day(tz, hours, holidays)
  local now = freeswitch.API():execute("strftime_tz", tz .. " %Y-%m-%d %w %H:%M")
  local y, mo, d, wd, h, mi = string.match(now or "", "(%d%d%d%d)%-(%d%d)%-(%d%d) (%d) (%d%d):(%d%d)")
  if y == nil then
    session:consoleLog("err", "ivr: strftime_tz failed for " .. tz .. ": " .. tostring(now) .. "\\n")
    return "closed"
  end
  for _, day in ipairs(holidays) do
    if day == y .. "-" .. mo .. "-" .. d or day == mo .. "-" .. d then return "holiday" end
  end
  local weekday, minutes = tonumber(wd), tonumber(h) * 60 + tonumber(mi)
  for _, range in ipairs(hours) do
    for _, day in ipairs(range.days) do
      if day == weekday and minutes >= range.from and minutes < range.to then return "open" end
    end
  end
  return "closed"
end`;

const HTTP = `-- One argument of mod_curl's space-separated list, quoted for switch_separate_string.
local function ivr_curl_quote(s)
  s = string.gsub(s, "[\\r\\n]", " ")
  s = string.gsub(s, "[\\\\'\\"]", "\\\\%0")
  return "'" .. s .. "'"
end

-- Percent-encode every byte outside \`keep\` (a Lua character class).
local function ivr_percent(s, keep)
  return (string.gsub(s, "[^" .. keep .. "]", function (c)
    return string.format("%%%02X", string.byte(c))
  end))
end

-- JSON value at a dotted path ("items.0.id"); numeric segments index arrays from 0.
local function ivr_json_path(value, path)
  for seg in string.gmatch(path, "[^%.]+") do
    if type(value) ~= "table" then return nil end
    local nextv = nil
    if string.match(seg, "^%d+$") then nextv = value[tonumber(seg) + 1] end
    if nextv == nil then nextv = value[seg] end
    value = nextv
  end
  return value
end

-- A JSON scalar as a channel variable value (nil for objects, arrays and null).
local function ivr_json_string(v)
  if type(v) == "string" then return v end
  if type(v) == "boolean" then return tostring(v) end
  if type(v) == "number" then
    if v == math.floor(v) and v > -1e15 and v < 1e15 then return string.format("%d", v) end
    return tostring(v)
  end
  return nil
end

-- HTTP request through mod_curl; true on a 2xx status. Stores the status and the
-- requested response fields in channel variables. mod_curl keeps a fixed number of
-- arguments: the method and body come first, so only trailing headers could be lost.
local function ivr_http(req)
  local method = string.lower(req.method)
  local args = ivr_percent(req.url, "%w%-%._~:/%?#%[%]@!%$&%(%)%*%+,;=%%")
    .. " json timeout " .. string.format("%d", math.ceil(req.timeoutMs / 1000))
  local has_body = method == "post" or method == "put"
  if has_body then
    -- mod_curl takes the argument after post/put as the body: '' when there is none.
    local body = ivr_percent(req.body, "%w%-%._~")
    if body == "" then body = "''" end
    args = args .. " " .. method .. " " .. body
    if req.contentType ~= "" then args = args .. " content-type " .. ivr_curl_quote(req.contentType) end
  end
  for _, h in ipairs(req.headers) do
    args = args .. " append_headers " .. ivr_curl_quote(h.name .. ": " .. h.value)
  end
  if not has_body then args = args .. " " .. method end
  local out = freeswitch.API():execute("curl", args)
  local ok, res = pcall(function () return freeswitch.JSON():decode(out) end)
  if not ok or type(res) ~= "table" then
    session:consoleLog("err", "ivr: HTTP request failed: no response\\n")
    if req.statusVariable ~= "" then session:setVariable(req.statusVariable, "0") end
    return false
  end
  local status = tonumber(res.status_code) or 0
  if status == 0 then session:consoleLog("err", "ivr: HTTP request failed: no response\\n") end
  if req.statusVariable ~= "" then session:setVariable(req.statusVariable, string.format("%d", status)) end
  if status < 200 or status > 299 then return false end
  local okb, data = pcall(function () return freeswitch.JSON():decode(res.body or "") end)
  if not okb then data = nil end
  for _, rv in ipairs(req.responseVariables) do
    session:setVariable(rv.name, ivr_json_string(ivr_json_path(data, rv.path)))
  end
  return true
end`;

const FILE_NAME = `-- A variable's value as part of a file name, never a folder: only letters, digits and - _ . + @ = ,
-- (anything else becomes _), and no leading dot.
local function ivr_file_name(v)
  return (string.gsub(string.gsub(v, "[^%w%-_%.%+@=,]", "_"), "^%.", "_"))
end`;

export const LUA_HELPERS: Record<HelperName, string> = { regex: REGEX, num: NUM, timeOfDay: TIME_OF_DAY, http: HTTP, fileName: FILE_NAME };
