-- Forty session method calls (each one suspends and resumes the script), then hang up.
session:answer()
for i = 1, 40 do
  session:setVariable("step", tostring(i))
end
session:hangup()
