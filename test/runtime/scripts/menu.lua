-- FreeSWITCH documentation style: answer, collect digits ending with #, say what was pressed.
session:answer()
session:sleep(100)
local digits = session:playAndGetDigits(1, 6, 2, 1000, "#", "silence_stream://100", "silence_stream://100", "\\d+", "lua_choice", 800)
freeswitch.consoleLog("info", "lua menu got '" .. digits .. "'\n")
session:setVariable("lua_digits", digits)
if digits == "" then
  session:hangup("NORMAL_CLEARING")
  return
end
-- the caller ends the call
session:sleep(8000)
