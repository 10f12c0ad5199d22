-- The load-test IVR (Lua), the workload of issue 12: answer, a 10 s prompt, then a menu over the
-- same prompt collecting up to 4 digits ended by #; the digits are logged, then we hang up.
-- The same as ivr.ts.
session:answer()
session:streamFile("prompt.wav")
local digits = session:playAndGetDigits(1, 4, 1, 3000, "#", "prompt.wav", "", "\\d+")
session:consoleLog("info", "bench digits=" .. digits .. "\n")
session:hangup()
