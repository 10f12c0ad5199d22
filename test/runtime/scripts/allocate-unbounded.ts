// Answers, then keeps every array it makes. Only its own call may end (heap limit).
import type { Session } from "ivr-studio/runtime";

export default async function main(session: Session): Promise<void> {
  await session.answer();
  const keep: number[][] = [];
  for (;;) keep.push(new Array(1_000_000).fill(1.5));
}
