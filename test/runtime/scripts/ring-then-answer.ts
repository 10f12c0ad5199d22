// Early media (183), then a pause before answering: leaves room for the caller's CANCEL.
import type { Session } from "ivr-studio/runtime";

export default async function main(session: Session): Promise<void> {
  await session.preAnswer();
  const slept = await session.sleep(3000);
  if (!(await session.ready())) return;
  await session.consoleLog("info", `slept=${slept}, answering\n`);
  await session.answer();
  await session.sleep(8000);
}
