// Records the caller (argv: FILE MAX_SECONDS), plays the recording back, reports what
// FreeSWITCH reports (playback_ms), then waits for the caller's BYE.
import type { Session } from "ivr-studio/runtime";

export default async function main(session: Session, argv: string[]): Promise<void> {
  const [file, maxSeconds] = argv;
  await session.answer();
  await session.recordFile(file, Number(maxSeconds), 0, 0);
  await session.streamFile(file);
  await session.getVariable("playback_ms");
  await session.sleep(8000);
}
