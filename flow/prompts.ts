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

/** A sound source with every part that is `from` now `to` (file_string:// lists part by part); the same string when none is. */
export function renamePromptInSource(value: string, from: string, to: string): string {
  const parts = soundParts(value);
  if (!parts.some((p) => p.trim() === from)) return value;
  const swapped = parts.map((p) => (p.trim() === from ? to : p));
  return value.startsWith("file_string://") ? `file_string://${swapped.join("!")}` : swapped[0];
}

/**
 * The flow with every prompt parameter (the catalog's `files`, sounds root) that plays `from`
 * playing `to` instead, or undefined when no node plays it. Raw params are edited in place of a
 * copy, so nothing else in the document changes.
 */
export function renamePromptRefs(flow: FlowGraph, from: string, to: string): FlowGraph | undefined {
  let changed = false;
  const nodes = flow.nodes.map((node) => {
    const spec = specOf(node.kind);
    if (!spec?.files || !isNodeKind(node.kind)) return node;
    const params = parseParams(node.kind, node.params);
    if (!params) return node;
    let raw: Record<string, unknown> | undefined;
    for (const ref of spec.files(params)) {
      if (ref.root !== "sounds") continue;
      const keys = ref.param.split(".");
      const source = raw ?? node.params;
      const value = keys.reduce<unknown>((o, k) => (o && typeof o === "object" ? (o as Record<string, unknown>)[k] : undefined), source);
      if (typeof value !== "string") continue;
      const next = renamePromptInSource(value, from, to);
      if (next === value) continue;
      raw ??= structuredClone(node.params);
      let o = raw as Record<string, unknown>;
      for (const k of keys.slice(0, -1)) o = o[k] as Record<string, unknown>;
      o[keys[keys.length - 1]] = next;
      changed = true;
    }
    return raw ? { ...node, params: raw } : node;
  });
  return changed ? { ...flow, nodes } : undefined;
}
