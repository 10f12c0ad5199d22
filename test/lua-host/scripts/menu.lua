-- A one-key menu: 1, 3 or 4; three failures transfer the caller to the operator.
session:answer()
digits = session:playAndGetDigits(1, 1, 3, 3000, "", "short.wav", "short.wav", "[134]", "digits_received", 3, "operator XML default")
session:consoleLog("info", "Got DTMF digits: " .. digits .. "\n")
session:consoleLog("info", "digits_received: " .. tostring(session:getVariable("digits_received")) .. "\n")
