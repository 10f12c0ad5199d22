// FreeSWITCH modules a generated Lua script needs: the ones every script uses, plus what each
// node kind's catalog entry asks for.
import { parseParams, specOf, type FlowGraph, type NodeKind } from "../../flow";
import { MODULES_ALWAYS } from "../lua/binding";

export function modulesFor(flow: FlowGraph): string[] {
  const mods = new Set<string>(MODULES_ALWAYS);
  for (const node of flow.nodes) {
    const spec = specOf(node.kind);
    const params = spec?.modules ? parseParams(node.kind as NodeKind, node.params) : undefined;
    if (spec?.modules && params) for (const m of spec.modules(params)) mods.add(m);
  }
  return [...mods];
}
