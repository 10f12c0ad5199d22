// A digit menu: playAndGetDigits with the parameters in argv, then waits for the caller's BYE
// (or hangs up itself when the last argument is "hangup").
// argv: MIN MAX TRIES TIMEOUT_MS TERMINATORS REGEX [hangup]
import type { Session } from "ivr-studio/runtime";

export default async function main(session: Session, argv: string[]): Promise<void> {
  const [min, max, tries, timeout, terminators, regex, end] = argv;
  await session.answer();
  const digits = await session.playAndGetDigits(
    Number(min), Number(max), Number(tries), Number(timeout), terminators === "none" ? "" : terminators,
    "silence_stream://100", "silence_stream://100", regex, "menu_choice", 500,
  );
  await session.consoleLog("info", `menu got '${digits}'\n`);
  if (end === "hangup") {
    await session.hangup("NORMAL_CLEARING");
    return;
  }
  // The caller ends the call; sleep returns 0 when it does.
  await session.sleep(8000);
}
