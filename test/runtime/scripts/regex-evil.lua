-- Catastrophic-for-backtracking patterns from a Lua script: the regex API and playAndGetDigits
-- (the caller keys 60 ones, a 2 and #). They must answer at once; other calls go on.
session:answer()
local api = freeswitch.API()
freeswitch.consoleLog("info", "api regex: " .. api:execute("regex", string.rep("1", 60) .. "x|^(1+)+$") .. "\n")
freeswitch.consoleLog("info", "api regex backreference: " .. api:execute("regex", "aa|(a)\\1") .. "\n")
local d = session:playAndGetDigits(1, 64, 1, 5000, "#", "silence_stream://10", "", "^(1+)+$", "evil", 3000)
freeswitch.consoleLog("info", "lua pagd: '" .. d .. "' invalid " .. tostring(session:getVariable("evil_invalid")) .. "\n")
session:hangup("NORMAL_CLEARING")
