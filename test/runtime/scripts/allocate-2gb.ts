// Answers, then asks for 2 GB and writes all of it. Only its own call may end (heap limit).
import type { Session } from "ivr-studio/runtime";

export default async function main(session: Session): Promise<void> {
  await session.answer();
  const big = new Uint8Array(2 * 1024 ** 3);
  big.fill(1);
  await session.consoleLog("info", `allocated ${big.length} bytes\n`);
}
