-- A runaway script: the CPU budget must end this call only.
session:answer()
while true do end
