// The load-test IVR (TS), the workload of issue 12: answer, a 10 s prompt, then a menu over the
// same prompt collecting up to 4 digits ended by #; the digits are logged, then we hang up.
// The same as ivr.lua.
import type { Session } from "ivr-studio/runtime";

export default async function main(session: Session): Promise<void> {
  await session.answer();
  await session.streamFile("prompt.wav");
  const digits = await session.playAndGetDigits(1, 4, 1, 3000, "#", "prompt.wav", "", "\\d+");
  await session.consoleLog("info", `bench digits=${digits}\n`);
  await session.hangup();
}
