// Plays what cannot be played (missing, corrupt, a bad tone spec, a file_string with a missing
// part) and a say whose files are in FreeSWITCH's rate folder, then hangs up.
import type { Session } from "ivr-studio/runtime";

export default async function main(session: Session): Promise<void> {
  await session.answer();
  await session.streamFile("missing.wav");
  await session.streamFile("corrupt.wav");
  await session.streamFile("tone_stream://%(100,0)");
  await session.streamFile("file_string://gone.wav!ok.wav");
  await session.say("21", "en", "number", "pronounced");
  await session.playAndGetDigits(1, 1, 1, 100, "#", "missing-menu.wav", "ok.wav", "\\d");
  await session.hangup("NORMAL_CLEARING");
}
