// Transfer target: the call stays up until the caller hangs up (sleep returns 0 then).
import type { Session } from "ivr-studio/runtime";

export default async function main(session: Session): Promise<void> {
  await session.sleep(8000);
}
