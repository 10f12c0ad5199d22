// A catastrophic-for-backtracking digit pattern from a TS script (the caller keys 60 ones, a 2
// and #): the host matches it on RE2 and answers at once; other calls go on.
import type { Session } from "ivr-studio/runtime";

export default async function main(session: Session): Promise<void> {
  await session.answer();
  const d = await session.playAndGetDigits(1, 64, 1, 5000, "#", "silence_stream://10", "", "^(1+)+$", "evil", 3000);
  await session.consoleLog("info", `ts pagd: '${d}' invalid ${await session.getVariable("evil_invalid")}\n`);
  await session.hangup("NORMAL_CLEARING");
}
