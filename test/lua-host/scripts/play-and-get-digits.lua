-- playAndGetDigits: a number of 2 to 5 digits ended by # (as on the FreeSWITCH mod_lua page).
session:answer()
digits = session:playAndGetDigits(2, 5, 3, 3000, "#", "short.wav", "short.wav", "\\d+")
session:consoleLog("info", "Got dtmf: " .. digits .. "\n")
session:hangup()
