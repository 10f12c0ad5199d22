// A runaway script: answers, then spins forever. Only its own call may end (CPU budget).
import type { Session } from "ivr-studio/runtime";

export default async function main(session: Session): Promise<void> {
  await session.answer();
  for (;;) {
    // nothing
  }
}
