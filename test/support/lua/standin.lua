-- A strict stand-in for FreeSWITCH's mod_lua binding (globals session, freeswitch, argv),
-- for running generated scripts without FreeSWITCH. Loaded by the driver that
-- test/support/lua-runner.ts writes; returns function(config) that installs the globals
-- and runs the script.
--
-- Strict like SWIG (mod_lua_wrap.cpp): argument counts (self included, as
-- SWIG_check_num_args counts them), "int" = number or numeric string, "char *" = string,
-- number or nil; anything else raises the same error text. Methods missing from the
-- signature table do not exist (session:executeString fails as in FreeSWITCH).
--
-- Behaviour lives on the TS side (test/support/session-model.ts, shared with the TS
-- stand-in): every call is one request line on stdout ("\1" + JSON) answered by one Lua
-- chunk on stdin. The answer may first ask to run the input callback or the hangup hook
-- (by global name, as mod_lua does), whose return value goes back as a "cbret" line.
-- Works on Lua 5.2, 5.3 and 5.4.

local SOH = "\1"

local function json_string(s)
  return '"' .. s:gsub('[%c"\\]', function(c)
    if c == '"' then return '\\"' end
    if c == "\\" then return "\\\\" end
    return string.format("\\u%04x", c:byte())
  end) .. '"'
end

local function json_value(v)
  local t = type(v)
  if t == "nil" then return "null" end
  if t == "boolean" then return tostring(v) end
  if t == "number" then
    if v ~= v or v == math.huge or v == -math.huge then return "null" end
    return string.format("%.17g", v)
  end
  if t == "string" then return json_string(v) end
  return json_string("<" .. t .. ">")
end

local function json_array(list, n)
  local parts = {}
  for i = 1, n do parts[i] = json_value(list[i]) end
  return "[" .. table.concat(parts, ",") .. "]"
end

local function send(line)
  io.stdout:write(SOH, line, "\n")
  io.stdout:flush()
end

local function receive()
  local line = io.stdin:read("*l")
  if not line then error("stand-in: the test driver closed the pipe", 0) end
  local chunk, err = load(line, "=stand-in reply", "t", {})
  if not chunk then error("stand-in: bad reply: " .. tostring(err), 0) end
  return chunk()
end

return function(config)
  local session -- forward
  local unpack = table.unpack or unpack

  -- Runs a callback named by a global, as mod_lua does (lua_getglobal at call time).
  local function run_named(name, argname, ...)
    local f = _G[name]
    if type(f) ~= "function" then return false, "no such global function: " .. tostring(name) end
    local arg = nil
    if argname ~= nil then arg = _G[argname] end
    local extra = { ... }
    extra[#extra + 1] = arg
    return pcall(f, session, unpack(extra, 1, 3))
  end

  local function to_cbret(ok, ret)
    if not ok then return "SCRIPT_ERROR" end
    if type(ret) == "string" or type(ret) == "number" then return tostring(ret) end
    return nil
  end

  -- One call: request, then serve callback requests until the result (or an error) arrives.
  local function rpc(kind, method, args, n)
    send('{"t":"call","kind":' .. json_string(kind) .. ',"method":' .. json_string(method) ..
      ',"args":' .. json_array(args, n) .. '}')
    while true do
      local reply = receive()
      if reply.err then error(reply.err, 0) end
      if reply.cb == "input" then
        local ok, ret = run_named(reply.name, reply.argname, "dtmf", { digit = reply.digit, duration = reply.duration })
        send('{"t":"cbret","value":' .. json_value(to_cbret(ok, ret)) .. '}')
      elseif reply.cb == "hook" then
        local ok, ret = run_named(reply.name, reply.argname, reply.status)
        if not ok then io.stderr:write("stand-in: hangup hook error: ", tostring(ret), "\n") end
        send('{"t":"cbret","value":' .. json_value(to_cbret(ok, ret)) .. '}')
      else
        return reply
      end
    end
  end

  -- SWIG-style checking of one call (self, when there is one, is the first of `...` and
  -- counts, as lua_gettop counts it); returns the converted arguments after self.
  local function check(fname, sig, has_self, ...)
    local total = select("#", ...)
    local all = { ... }
    local offset = has_self and 1 or 0
    local min, max = sig.min + offset, sig.max + offset
    if total < min or total > max then
      error(string.format("Error in %s expected %d..%d args, got %d", fname, min, max, total), 0)
    end
    if has_self and all[1] ~= session then
      error(string.format("Error in %s (arg 1), expected '%s' got '%s'", fname, sig.selftype or "CoreSession *", type(all[1])), 0)
    end
    local args, n = {}, total - offset
    for i = 1, n do
      local t, v = sig.types[i], all[i + offset]
      args[i] = v
      if t == "int" then
        local num = (type(v) == "number" or type(v) == "string") and tonumber(v) or nil
        if num == nil then
          error(string.format("Error in %s (arg %d), expected 'int' got '%s'", fname, i + offset, type(v)), 0)
        end
        -- (int)lua_tonumber: truncation toward zero
        if num >= 0 then args[i] = math.floor(num) else args[i] = math.ceil(num) end
      elseif t == "string" then
        if v ~= nil and type(v) ~= "string" and type(v) ~= "number" then
          error(string.format("Error in %s (arg %d), expected 'char *' got '%s'", fname, i + offset, type(v)), 0)
        end
        if type(v) == "number" then args[i] = tostring(v) end -- lua_tostring
      end
    end
    return args, n
  end

  local function make_method(class, name, sig, kind)
    local fname = class .. "::" .. name
    return function(...)
      local args, n = check(fname, sig, true, ...)
      local reply = rpc(kind, name, args, n)
      if sig.returns == "nothing" then return end
      return reply.r
    end
  end

  -- session -----------------------------------------------------------------------------
  local methods = {}
  for name, sig in pairs(config.session) do
    methods[name] = make_method(sig.class or "CoreSession", name, sig, "session")
  end
  session = setmetatable({}, {
    __index = methods,
    __newindex = function(_, k) error("stand-in: cannot set field " .. tostring(k) .. " on session", 2) end,
    __tostring = function() return "userdata: CoreSession (stand-in)" end,
  })

  -- freeswitch ----------------------------------------------------------------------------
  local fs = {}
  for name, sig in pairs(config.freeswitch) do
    local fname = name
    fs[name] = function(...)
      local args, n = check(fname, sig, false, ...)
      local reply = rpc("api", "freeswitch." .. name, args, n)
      if sig.returns == "nothing" then return end
      return reply.r
    end
  end

  local api_class = {}
  api_class.__index = api_class
  local api_execute = { min = 1, max = 2, types = { "string", "string" }, selftype = "API *" }
  local api_execute_string = { min = 1, max = 1, types = { "string" }, selftype = "API *" }
  function api_class.execute(self, ...)
    if getmetatable(self) ~= api_class then error("Error in API::execute (arg 1), expected 'API *' got '" .. type(self) .. "'", 0) end
    local args, n = check("API::execute", api_execute, false, ...)
    return rpc("api", "execute", args, n).r
  end
  function api_class.executeString(self, ...)
    if getmetatable(self) ~= api_class then error("Error in API::executeString (arg 1), expected 'API *' got '" .. type(self) .. "'", 0) end
    local args = check("API::executeString", api_execute_string, false, ...)
    local s = args[1] or ""
    local cmd, rest = s:match("^(%S*)%s?(.*)$")
    return rpc("api", "execute", { cmd, rest }, 2).r
  end
  function api_class.getTime()
    return rpc("api", "getTime", {}, 0).r
  end
  fs.API = function(...)
    if select("#", ...) > 1 then error("Error in API::API expected 0..1 args, got " .. select("#", ...), 0) end
    return setmetatable({}, api_class)
  end

  local json_class = {}
  json_class.__index = json_class
  local json_decode = { min = 1, max = 1, types = { "string" }, selftype = "JSON *" }
  function json_class.decode(self, ...)
    if getmetatable(self) ~= json_class then error("Error in JSON::decode (arg 1), expected 'JSON *' got '" .. type(self) .. "'", 0) end
    local args, n = check("JSON::decode", json_decode, false, ...)
    return rpc("api", "json_decode", args, n).r
  end
  fs.JSON = function() return setmetatable({}, json_class) end
  fs.S_HUP, fs.S_FREE, fs.S_RDLOCK = 1, 2, 4

  -- globals, as mod_lua sets them up --------------------------------------------------------
  _G.session = session
  _G.freeswitch = fs
  local argv = { [0] = config.script_name }
  for i, a in ipairs(config.argv) do argv[i] = a end
  _G.argv = argv
  os.exit = function() io.stderr:write("Surely you jest! exiting is a bad plan....\n") end

  local traceback
  local ok, err = xpcall(function()
    local chunk, lerr = loadfile(config.script_path)
    if not chunk then error(lerr, 0) end
    chunk()
  end, function(e)
    traceback = debug.traceback("", 2)
    return e
  end)
  if ok then
    send('{"t":"end","ok":true}')
  else
    send('{"t":"end","ok":false,"err":' .. json_value(type(err) == "string" and err or tostring(err)) ..
      ',"traceback":' .. json_value(traceback) .. '}')
  end
end
