-- Lua bench: a call that waits (answered, sleeping) until the caller hangs up.
session:answer()
while session:ready() do
  session:sleep(1000)
end
