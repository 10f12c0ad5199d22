-- sayPhrase with a key-press callback (no phrase macros are configured here).
function key_press(session, input_type, data, args)
  if input_type == "dtmf" then
    session:consoleLog("info", "Key pressed: " .. data["digit"] .. "\n")
    return "break"
  end
end

session:answer()
session:setInputCallback("key_press", "")
session:sayPhrase("voicemail_menu", "1:2:3:#:5", "en")
session:unsetInputCallback()
digits = session:getDigits(1, "", 3000)
session:consoleLog("info", "after the phrase: " .. digits .. "\n")
