-- setHangupHook: the hook returns "exit", which stops the script when the caller hangs up.
function myHangupHook(s, status, arg)
  freeswitch.consoleLog("NOTICE", "myHangupHook: " .. status .. " arg " .. tostring(arg) .. "\n")
  -- close any open files, save any data
  return "exit"
end

blah = "w00t"
session:answer()
session:setHangupHook("myHangupHook", "blah")
while session:ready() do
  session:streamFile("short.wav")
end
freeswitch.consoleLog("err", "after the loop: this must not run\n")
