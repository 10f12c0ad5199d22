-- The load-test IVR (Lua): answer, a one-key menu over a 2 s prompt, then hold music until
-- the caller hangs up. The same as ivr.ts.
session:answer()
local choice = session:playAndGetDigits(1, 1, 2, 4000, "#", "menu.wav", "", "[12]")
session:setVariable("menu_choice", choice)
while session:ready() do
  session:streamFile("hold.wav")
end
