-- The mod_lua globals for one call, on the runtime: `session`, `freeswitch`, `argv`.
-- Loaded into a fresh Lua state before the script. __ivr is the JS bridge; it is
-- removed from the globals before the script runs (only these closures keep it).
local bridge, SIGNATURES, json = ...
local await_exit_marker = "__ivr_exit__"

local function swig_type(v)
  local t = type(v)
  if t == "nil" then return "nil" end
  if t == "userdata" then return "userdata" end
  return t
end

-- Session objects and their handles on the JS side (1 = the call's own session).
local handle_of = setmetatable({}, { __mode = "k" })
local object_of = setmetatable({}, { __mode = "v" })

-- SWIG-style argument checks: arity including self, 'int' = number or numeric string,
-- 'string' = string, number (converted) or nil, 'session' = a Session object or nil.
local function check_args(method, sig, n, args)
  local class = sig.class
  local min, max = sig.min, sig.max
  if n < min or n > max then
    error(string.format("Error in %s::%s expected %d..%d args, got %d", class, method, min + 1, max + 1, n + 1), 3)
  end
  for i = 1, n do
    local want = sig.types[i]
    local v = args[i]
    if want == "int" then
      if not (type(v) == "number" or (type(v) == "string" and tonumber(v))) then
        error(string.format("Error in %s::%s (arg %d), expected 'int' got '%s'", class, method, i + 1, swig_type(v)), 3)
      end
      args[i] = tonumber(v)
    elseif want == "string" then
      if v ~= nil and type(v) ~= "string" and type(v) ~= "number" then
        error(string.format("Error in %s::%s (arg %d), expected 'char const *' got '%s'", class, method, i + 1, swig_type(v)), 3)
      end
      if type(v) == "number" then args[i] = tostring(v) end
    elseif want == "bool" then
      args[i] = (v ~= nil and v ~= false and v ~= 0) and true or false
    elseif want == "session" then
      if v ~= nil and not handle_of[v] then
        error(string.format("Error in %s::%s (arg %d), expected 'CoreSession *' got '%s'", class, method, i + 1, swig_type(v)), 3)
      end
      args[i] = v ~= nil and handle_of[v] or nil
    end
  end
end

-- Wait for a session method: the host resumes this coroutine with (true, value) or
-- (false, error) when the promise settles (lua-host.ts runThread).
local yield = coroutine.yield
local function await_result(p)
  local ok, r = yield(p)
  if not ok then error(r, 0) end
  if type(r) == "userdata" and r[await_exit_marker] then
    error(r[await_exit_marker], 0)
  end
  if type(r) == "number" then return r + 0.0 end
  return r
end

-- Bind `obj` to a JS session handle: every method of the binding, checked like SWIG does.
-- Methods that return nothing in FreeSWITCH return no value at all here either.
local function attach(obj, handle, class)
  class = class or "CoreSession"
  handle_of[obj] = handle
  object_of[handle] = obj
  local mt = { __name = "Session" }
  mt.__index = function(_, method)
    local sig = SIGNATURES[method]
    if not sig then return nil end
    return function(self, ...)
      if self ~= obj then
        error(string.format("Error in %s::%s (arg 1), expected 'Session *' got '%s'", class, method, swig_type(self)), 2)
      end
      local n = select("#", ...)
      local args = { ... }
      check_args(method, sig, n, args)
      local r = await_result(bridge.call(handle_of[obj], method, n, args[1], args[2], args[3], args[4], args[5], args[6], args[7], args[8], args[9], args[10], args[11]))
      if sig.returns == "nothing" then return end
      return r
    end
  end
  mt.__tostring = function() return "Session: " .. tostring(handle_of[obj]) end
  return setmetatable(obj, mt)
end

local function make_session(handle, class)
  return attach({}, handle, class)
end

local fs = {}

local function log_line(level, msg)
  bridge.log(tostring(level), tostring(msg == nil and "" or msg))
end

fs.consoleLog = function(level, msg) log_line(level, msg) end
fs.console_log = fs.consoleLog
fs.consoleCleanLog = function(msg) bridge.log("clean", tostring(msg)) end
fs.console_clean_log = fs.consoleCleanLog
fs.consoleLog2 = function(level, file, func, line, msg) log_line(level, msg) end
fs.msleep = function(ms) await_result(bridge.msleep(tonumber(ms) or 0)) end
fs.getGlobalVariable = function(name) return bridge.getGlobal(tostring(name)) end
fs.setGlobalVariable = function(name, value) bridge.setGlobal(tostring(name), value ~= nil and tostring(value) or nil) end
fs.running = function() return true end
fs.S_HUP, fs.S_FREE, fs.S_RDLOCK = 1, 2, 4

-- API(): execute(cmd[, args]) -> output string; executeString("cmd args"); getTime() in ms.
local api_mt = {}
api_mt.__index = api_mt
function api_mt:execute(cmd, args)
  if cmd == nil or cmd == "" then return "-ERR No application specified" end
  return await_result(bridge.api(tostring(cmd), args ~= nil and tostring(args) or ""))
end
function api_mt:executeString(s)
  s = tostring(s or "")
  local cmd, args = s:match("^(%S*)%s*(.*)$")
  return self:execute(cmd, args)
end
function api_mt:getTime() return bridge.nowMs() end
fs.API = function() return setmetatable({}, api_mt) end

-- JSON()
local json_mt = {}
json_mt.__index = json_mt
function json_mt:decode(s) return json.decode(s) end
function json_mt:encode(t) return json.encode(t, self.empty_as_object) end
function json_mt:encode_empty_table_as_object(b) self.empty_as_object = b and true or false end
function json_mt:return_unformatted_json(b) end
fs.JSON = function() return setmetatable({}, json_mt) end

-- Event(type[, subclass]): headers, body, serialize, fire (to the runtime's event log).
local event_mt = {}
event_mt.__index = event_mt
function event_mt:addHeader(k, v) self.headers[#self.headers + 1] = { tostring(k), tostring(v) }; return true end
function event_mt:getHeader(k)
  for _, h in ipairs(self.headers) do if h[1] == k then return h[2] end end
  return nil
end
function event_mt:delHeader(k)
  for i = #self.headers, 1, -1 do if self.headers[i][1] == k then table.remove(self.headers, i) end end
  return true
end
function event_mt:addBody(s) self.body = (self.body or "") .. tostring(s); return true end
function event_mt:getBody() return self.body end
function event_mt:getType() return self.type end
function event_mt:setPriority() return true end
function event_mt:serialize(fmt)
  local all = { { "Event-Name", self.type } }
  if self.subclass then all[#all + 1] = { "Event-Subclass", self.subclass } end
  for _, h in ipairs(self.headers) do all[#all + 1] = h end
  if fmt == "json" then
    local t = {}
    for _, h in ipairs(all) do t[h[1]] = h[2] end
    if self.body then t["_body"] = self.body end
    return json.encode(t)
  elseif fmt == "xml" then
    local out = { "<event>", "  <headers>" }
    local function x(s) return (s:gsub("&", "&amp;"):gsub("<", "&lt;"):gsub(">", "&gt;")) end
    for _, h in ipairs(all) do out[#out + 1] = "    <" .. h[1] .. ">" .. x(h[2]) .. "</" .. h[1] .. ">" end
    out[#out + 1] = "  </headers>"
    if self.body then out[#out + 1] = "  <body>" .. x(self.body) .. "</body>" end
    out[#out + 1] = "</event>"
    return table.concat(out, "\n")
  end
  local out = {}
  for _, h in ipairs(all) do out[#out + 1] = h[1] .. ": " .. h[2] end
  local s = table.concat(out, "\n") .. "\n"
  if self.body then s = s .. "Content-Length: " .. #self.body .. "\n\n" .. self.body end
  return s
end
function event_mt:fire() bridge.fire(self:serialize("json")); return true end
local EVENT_TYPES = { CUSTOM = true, MESSAGE = true, MESSAGE_WAITING = true, NOTIFY = true, PRESENCE_IN = true,
  PRESENCE_OUT = true, HEARTBEAT = true, LOG = true, GENERAL = true, COMMAND = true, RECV_MESSAGE = true,
  CHANNEL_DATA = true, API = true, BACKGROUND_JOB = true, DTMF = true, TALK = true, NOTALK = true }
fs.Event = function(etype, subclass)
  etype = tostring(etype or "MESSAGE")
  if subclass ~= nil then etype = "CUSTOM"
  elseif not EVENT_TYPES[etype:upper()] then etype = "MESSAGE" end
  return setmetatable({ type = etype:upper(), subclass = subclass, headers = {} }, event_mt)
end

-- Session([dialstring[, a_leg]]): a leg originated by the script (60 s to answer), or a blank
-- object for :originate(a_leg, dest, timeout). A failed originate leaves an object without a
-- channel: ready() false, hangupCause() the cause.
fs.Session = function(dial, a_leg)
  if a_leg ~= nil and not handle_of[a_leg] then
    error("Error in new_Session (arg 2), expected 'CoreSession *' got '" .. swig_type(a_leg) .. "'", 2)
  end
  if dial ~= nil and type(dial) ~= "string" and type(dial) ~= "number" then
    error("Error in new_Session (arg 1), expected 'char *' got '" .. swig_type(dial) .. "'", 2)
  end
  local h = await_result(bridge.newSession(dial ~= nil and tostring(dial) or nil, a_leg ~= nil and handle_of[a_leg] or nil))
  return make_session(h, "Session")
end
-- bridge(a, b): blocks until the bridge ends; nothing is returned.
fs.bridge = function(a, b)
  local ha, hb = a ~= nil and handle_of[a] or nil, b ~= nil and handle_of[b] or nil
  if not ha or not hb then
    error("Error in bridge, expected two 'CoreSession &'", 2)
  end
  await_result(bridge.bridge(ha, hb))
end
fs.email = function() return false end

-- Callback entry points the host calls by name (FreeSWITCH looks functions up with lua_getglobal).
local function invoke_input(fname, argname, kind, digit, duration, sess)
  local f = _G[fname]
  if type(f) ~= "function" then error("input callback '" .. tostring(fname) .. "' is not a global function", 0) end
  local arg = nil
  if argname ~= nil and argname ~= "" then arg = _G[argname] end
  local obj = { digit = digit, duration = duration and (duration + 0.0) or nil }
  local r = f(sess, kind, obj, arg)
  if type(r) == "string" then return r end
  if type(r) == "number" then return tostring(r) end
  return nil
end

local function invoke_hook(fname, argname, status, sess)
  local f = _G[fname]
  if type(f) ~= "function" then error("hangup hook '" .. tostring(fname) .. "' is not a global function", 0) end
  local arg = nil
  if argname ~= nil and argname ~= "" then arg = _G[argname] end
  local r = f(sess, status, arg)
  if type(r) == "string" then return r end
  return nil
end

-- A runaway loop is stopped by a timeout error that scripts must not be able to swallow.
local function is_budget_error(e)
  return type(e) == "userdata" and bridge.isTimeout(e)
end
local raw_pcall, raw_xpcall = pcall, xpcall
pcall = function(f, ...)
  local r = table.pack(raw_pcall(f, ...))
  if not r[1] and is_budget_error(r[2]) then error(r[2], 0) end
  return table.unpack(r, 1, r.n)
end
xpcall = function(f, handler, ...)
  local r = table.pack(raw_xpcall(f, function(e)
    if is_budget_error(e) then return e end
    return handler(e)
  end, ...))
  if not r[1] and is_budget_error(r[2]) then error(r[2], 0) end
  return table.unpack(r, 1, r.n)
end
local raw_resume = coroutine.resume
coroutine.resume = function(co, ...)
  local r = table.pack(raw_resume(co, ...))
  if not r[1] and is_budget_error(r[2]) then error(r[2], 0) end
  return table.unpack(r, 1, r.n)
end

-- os.time / os.date read the runtime's clock and zone (runtime/clock.ts: tests pin them),
-- with Lua 5.4's argument rules.
local CONVERSIONS = bridge.conversions
local function check_format(fmt)
  local i = 1
  while true do
    local p = fmt:find("%", i, true)
    if not p then return end
    local c = fmt:sub(p + 1, p + 1)
    local len = 1
    if c == "E" or c == "O" then
      local c2 = fmt:sub(p + 2, p + 2)
      local ok = (c == "E" and ("cCxXyY"):find(c2, 1, true)) or (c == "O" and ("deHImMSuUVwWy"):find(c2, 1, true))
      if c2 == "" or not ok then error("bad argument #1 to 'date' (invalid conversion specifier '%" .. c .. c2 .. "')", 0) end
      len = 2
    elseif c == "" or not CONVERSIONS:find(c, 1, true) then
      error("bad argument #1 to 'date' (invalid conversion specifier '%" .. c .. "')", 0)
    end
    i = p + 1 + len
  end
end
local function date_table(sec, utc)
  local f = {}
  for n in bridge.dateFields(sec, utc):gmatch("[^,]+") do f[#f + 1] = math.tointeger(tonumber(n)) end
  return { year = f[1], month = f[2], day = f[3], hour = f[4], min = f[5], sec = f[6], wday = f[7], yday = f[8], isdst = f[9] == 1 }
end
os.time = function(t)
  if t == nil then return math.tointeger(bridge.nowSec()) end
  if type(t) ~= "table" then error("bad argument #1 to 'time' (table expected, got " .. type(t) .. ")", 0) end
  local function field(k, d)
    local v = t[k]
    if v == nil then
      if d == nil then error("field '" .. k .. "' missing in date table", 0) end
      return d
    end
    local n = math.tointeger(tonumber(v))
    if n == nil then error("field '" .. k .. "' is not an integer", 0) end
    return n
  end
  local sec = math.tointeger(bridge.mktime(field("year"), field("month"), field("day"), field("hour", 12), field("min", 0), field("sec", 0)))
  for k, v in pairs(date_table(sec, false)) do t[k] = v end -- normalised, as Lua does
  return sec
end
os.date = function(format, time)
  local fmt = format == nil and "%c" or tostring(format)
  local sec = time == nil and math.tointeger(bridge.nowSec()) or math.tointeger(tonumber(time))
  if sec == nil then error("bad argument #2 to 'date' (number has no integer representation)", 0) end
  local utc = fmt:sub(1, 1) == "!"
  if utc then fmt = fmt:sub(2) end
  if fmt:sub(1, 2) == "*t" then return date_table(sec, utc) end
  check_format(fmt)
  return bridge.strftime(fmt, sec, utc)
end

os.exit = function() log_line("err", "Surely you jest! exiting is a bad plan....\n") end

-- The sandbox. Every call's Lua state lives in one WebAssembly module of this process, so what
-- mod_lua leaves to the host is closed here, with ordinary Lua failures (pcall catches them):
-- * no bytecode: string.dump is gone and load() reads text only (bytecode is the classic way
--   out of a Lua sandbox; mod_lua scripts never need it);
-- * no shell: os.execute and io.popen fail (os.execute also took the whole call down, as an
--   uncatchable host error);
-- * no files: io.open & co would reach an in-memory file system that every call shares (one
--   call could leave data for another, or fill the process's memory); they fail as a refused open;
-- * no debug hooks or upvalue surgery: those could switch the CPU budget off.
local raw_load = load
load = function(chunk, chunkname, mode, ...)
  -- Always text: a binary chunk fails as with mode "t" ("attempt to load a binary chunk").
  -- An env argument passes through as given (even nil), as in load itself.
  if select("#", ...) > 0 then return raw_load(chunk, chunkname, "t", ...) end
  return raw_load(chunk, chunkname, "t")
end
string.dump = function() error("string.dump is not available (bytecode cannot be loaded on this runtime)", 2) end

os.execute = function(cmd)
  if cmd == nil then return false end -- no shell available (Lua's own answer to os.execute())
  error("os.execute is not available to scripts on this runtime", 2)
end
io.popen = function() error("io.popen is not available to scripts on this runtime", 2) end

local function no_file(path)
  local p = path ~= nil and tostring(path) or "file"
  return nil, p .. ": files are not available to scripts on this runtime", 13
end
io.open = no_file
io.lines = function(path) error(select(2, no_file(path)), 2) end
io.input = function(f) if f ~= nil then error(select(2, no_file(f)), 2) end return nil end
io.output = function(f) if f ~= nil then error(select(2, no_file(f)), 2) end return nil end
io.tmpfile = function() return no_file("tmpfile") end
os.remove = no_file
os.rename = no_file
os.tmpname = function() error("os.tmpname is not available to scripts on this runtime", 2) end
loadfile = function(path) return no_file(path) end
dofile = function(path) error(select(2, no_file(path)), 2) end
package.loadlib = function(path) return nil, tostring(path) .. ": native libraries are not available", "absent" end
package.searchers = { package.searchers[1] } -- preloaded modules only (no file search)

debug = { traceback = debug.traceback, getinfo = debug.getinfo }

return {
  make_session = make_session,
  object_of = function(handle) return object_of[handle] end,
  freeswitch = fs,
  invoke_input = invoke_input,
  invoke_hook = invoke_hook,
  is_budget_error = is_budget_error,
  raw_xpcall = raw_xpcall,
}
