// Built once at module scope (a new object per render makes React Flow re-mount every node).
import type { NodeTypes } from "@xyflow/react";
import { NODE_KINDS } from "../../flow/catalog";
import { UNKNOWN_KIND_TYPE } from "./convert";
import { FlowNodeView } from "./FlowNodeView";

export const nodeTypes: NodeTypes = Object.fromEntries([
  ...NODE_KINDS.map((kind) => [kind, FlowNodeView]),
  [UNKNOWN_KIND_TYPE, FlowNodeView],
]);
