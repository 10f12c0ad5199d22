-- streamFile with an input callback: a key stops the playback.
function my_cb(s, type, obj, arg)
  if (type == "dtmf") then
    freeswitch.consoleLog("info", "my_cb: digit " .. obj.digit .. " duration " .. obj.duration .. " arg " .. arg .. "\n")
    return "break"
  end
end

blah = "arg value"
session:answer()
session:setInputCallback("my_cb", "blah")
session:streamFile("long.wav")
session:consoleLog("info", "played " .. session:getVariable("playback_ms") .. " ms\n")
