// What every validation rule reads: the flow, each node's kind spec and parsed params
// (parsed once), the node index, and a helper that names things in words.
import type { z } from "zod";
import { specOf } from "../catalog";
import type { NodeKindSpec, OutcomeSpec } from "../catalog/spec";
import type { Diagnostic, ValidateOptions } from "../diagnostics";
import type { FlowGraph, FlowNode } from "../graph";

export interface NodeInfo {
  node: FlowNode;
  /** Position in flow.nodes. */
  index: number;
  spec?: NodeKindSpec;
  /** Params after the kind's schema (defaults filled); undefined if unknown kind or bad params. */
  params?: Record<string, unknown>;
  /** Outcomes when known (known kind and params that parse). */
  outcomes?: OutcomeSpec[];
  /** Zod issues when the params do not parse. */
  issues?: z.core.$ZodIssue[];
}

export interface ValidationContext {
  flow: FlowGraph;
  options: ValidateOptions;
  infos: NodeInfo[];
  /** First node with each id (duplicates are reported, later ones are ignored by graph rules). */
  byId: Map<string, NodeInfo>;
  out: Diagnostic[];
}

/** How a node is named in messages: its kind's label and its own label, or its id. */
export function nodeName(info: Pick<NodeInfo, "node" | "spec">): string {
  const kind = info.spec?.label ?? info.node.kind;
  const label = info.node.label?.trim();
  return label ? `${kind} "${label}"` : `${kind} node "${info.node.id}"`;
}

export { quote } from "../catalog/spec";

/** Parse every node once; the rules then read `infos`. */
export function buildContext(flow: FlowGraph, options: ValidateOptions, parse: ParseParams): ValidationContext {
  const infos: NodeInfo[] = [];
  const byId = new Map<string, NodeInfo>();
  // validate() takes a loaded flow; stay safe on hand-built objects all the same.
  const nodes = (Array.isArray(flow.nodes) ? flow.nodes : []).filter((n) => n && typeof n === "object");
  nodes.forEach((node, index) => {
    const spec = specOf(String(node.kind));
    const info: NodeInfo = { node, index, spec };
    if (spec) {
      const r = parse(spec, node.params ?? {});
      if (r.success) {
        info.params = r.data as Record<string, unknown>;
        info.outcomes = spec.outcomes(info.params);
      } else {
        info.issues = r.error.issues;
      }
    }
    infos.push(info);
    if (!byId.has(node.id)) byId.set(node.id, info);
  });
  return { flow, options, infos, byId, out: [] };
}

export type ParseParams = (
  spec: NodeKindSpec,
  params: unknown,
) => { success: true; data: unknown } | { success: false; error: { issues: z.core.$ZodIssue[] } };
