-- read: 5 to 10 digits, * or # ends the entry early.
session:answer()
digits = session:read(5, 10, "short.wav", 3000, "*#")
terminator = session:getVariable("read_terminator_used")
session:consoleLog("info", "Got: " .. digits .. " terminator: " .. tostring(terminator) .. "\n")
