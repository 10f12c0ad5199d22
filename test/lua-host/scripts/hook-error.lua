-- A hangup hook that raises an error when the caller hangs up.
function broken_hook(s, status)
  error("the hook failed on " .. status)
end

session:answer()
session:setHangupHook("broken_hook")
while session:ready() do
  session:sleep(200)
end
freeswitch.consoleLog("info", "hook-error: loop left\n")
