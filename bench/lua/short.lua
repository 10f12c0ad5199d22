-- Lua bench: a short call: answer, a short prompt, hang up.
session:answer()
session:streamFile("short.wav")
session:hangup()
