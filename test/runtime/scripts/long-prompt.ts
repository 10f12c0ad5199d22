// Answers and plays a 5-second prompt: a caller BYE in the middle makes streamFile return 0.
import type { Session } from "ivr-studio/runtime";

export default async function main(session: Session): Promise<void> {
  await session.answer();
  await session.streamFile("tone_stream://%(1000,0,440);loops=4");
  await session.consoleLog("info", `after prompt ready=${await session.ready()}\n`);
}
