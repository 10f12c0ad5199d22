-- The operator extension a failed menu transfers to.
session:consoleLog("notice", "operator: call for " .. session:getVariable("destination_number") .. " in state " .. session:getState() .. "\n")
session:streamFile("short.wav")
session:hangup("NORMAL_CLEARING")
