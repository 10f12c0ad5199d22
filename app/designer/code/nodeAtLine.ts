import type { NodeLineMap } from "../../../generators";

/** The node whose line range contains `line` (the innermost, if ranges nest). */
export function nodeAtLine(map: NodeLineMap, line: number): string | undefined {
  let best: { id: string; size: number } | undefined;
  for (const [id, r] of Object.entries(map)) {
    if (line >= r.start && line <= r.end && (!best || r.end - r.start < best.size)) best = { id, size: r.end - r.start };
  }
  return best?.id;
}
