// Answers, plays a short prompt, then hangs up itself (our BYE).
import type { Session } from "ivr-studio/runtime";

export default async function main(session: Session): Promise<void> {
  await session.answer();
  await session.streamFile("silence_stream://300");
  await session.hangup("NORMAL_CLEARING");
}
