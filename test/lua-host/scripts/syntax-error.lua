-- A script that does not compile.
session:answer()
if session:ready() then
  session:streamFile("short.wav"
end
