-- getState, the standard channel variables and consoleLog at every level.
session:answer()
freeswitch.consoleLog("info", "state: " .. session:getState() .. "\n")
for _, name in ipairs({ "destination_number", "caller_id_name", "caller_id_number", "ani",
                        "network_addr", "uuid", "chan_name", "context" }) do
  session:consoleLog("info", name .. "=" .. tostring(session:getVariable(name)) .. "\n")
end
for _, level in ipairs({ "console", "alert", "crit", "err", "warning", "notice", "info", "debug" }) do
  session:consoleLog(level, "level " .. level .. "\n")
end
session:consoleLog("error", "not a level name\n")
freeswitch.consoleLog("WARNING", "global log\n")
session:hangup()
