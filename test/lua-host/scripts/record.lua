-- recordFile with an input callback: any key stops the recording.
function onInput(s, type, obj)
  if (type == "dtmf") then
    freeswitch.consoleLog("info", "DTMF: " .. obj.digit .. "\n")
    return "break"
  end
end

recording = argv[1]
session:answer()
session:setInputCallback("onInput", "")
result = session:recordFile(recording, 30, 30, 5)
session:consoleLog("info", "recordFile returned " .. result .. "\n")
