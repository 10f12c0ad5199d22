// The load-test IVR (TS): answer, a one-key menu over a 2 s prompt, then hold music until the
// caller hangs up. The same as ivr.lua.
import type { Session } from "ivr-studio/runtime";

export default async function main(session: Session): Promise<void> {
  await session.answer();
  const choice = await session.playAndGetDigits(1, 1, 2, 4000, "#", "menu.wav", "", "[12]");
  await session.setVariable("menu_choice", choice);
  while (await session.ready()) await session.streamFile("hold.wav");
}
