// Records the caller (argv: FILE MAX_SECONDS), then plays the recording back, then waits
// for the caller's BYE.
import type { Session } from "ivr-studio/runtime";

export default async function main(session: Session, argv: string[]): Promise<void> {
  const [file, maxSeconds] = argv;
  await session.answer();
  await session.recordFile(file, Number(maxSeconds), 0, 0);
  await session.streamFile(file);
  await session.sleep(8000);
}
