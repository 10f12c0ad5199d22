// Sound files a flow references: every sounds-root file its nodes' catalog entries declare
// (`files`), so a new kind with a prompt is picked up by itself.
import { isNodeKind, parseParams, specOf } from "./catalog";
import { isSoundFile, soundParts } from "./file-paths";
import type { FlowGraph } from "./graph";

/** The prompt files a flow references, in order of first use, without duplicates. */
export function collectPromptRefs(flow: FlowGraph): string[] {
  const refs = new Set<string>();
  for (const node of flow.nodes) {
    const spec = specOf(node.kind);
    if (!spec?.files || !isNodeKind(node.kind)) continue;
    const params = parseParams(node.kind, node.params);
    if (!params) continue;
    for (const ref of spec.files(params)) {
      if (ref.root !== "sounds") continue;
      for (const part of soundParts(ref.path)) if (isSoundFile(part)) refs.add(part.trim());
    }
  }
  return [...refs];
}
