// Answers and plays a tone until the caller hangs up: a call whose media must not be disturbed.
import type { Session } from "ivr-studio/runtime";

export default async function main(session: Session): Promise<void> {
  await session.answer();
  while (await session.ready()) await session.streamFile("tone_stream://%(1000,0,440);loops=10");
}
