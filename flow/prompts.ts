// Sound files a flow references: every value of a parameter whose UI widget is "prompt"
// (derived from the catalog hints, so a new kind with a prompt is picked up by itself).
import type { z } from "zod";
import { CATALOG, isNodeKind, parseParams, uiHintOf } from "./catalog";
import type { FlowGraph } from "./graph";

/** Sources that are not files: generated tones/silence, phrase/say/TTS strings, channel variables. */
const NOT_A_FILE = /^(tone_stream|silence_stream):\/\/|^(phrase|say):|\$\{/;

/** The prompt files a flow references, in order of first use, without duplicates. */
export function collectPromptRefs(flow: FlowGraph): string[] {
  const refs = new Set<string>();
  const add = (value: string) => {
    const parts = value.startsWith("file_string://") ? value.slice("file_string://".length).split("!") : [value];
    for (const p of parts) {
      const v = p.trim();
      if (v !== "" && !NOT_A_FILE.test(v)) refs.add(v);
    }
  };
  for (const node of flow.nodes) {
    if (!isNodeKind(node.kind)) continue;
    const params = parseParams(node.kind, node.params) as Record<string, unknown> | undefined;
    if (!params) continue;
    const shape = (CATALOG[node.kind].params as z.ZodObject).shape as Record<string, z.ZodType>;
    for (const [key, schema] of Object.entries(shape)) {
      const value = params[key];
      if (uiHintOf(schema)?.widget === "prompt" && typeof value === "string") add(value);
    }
  }
  return [...refs];
}
