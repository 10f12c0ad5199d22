// The canvas-side shape of a flow node: React Flow's Node with our kind/label/params as data.
import type { Edge, Node } from "@xyflow/react";

export type IvrNodeData = {
  kind: string;
  label: string;
  params: Record<string, unknown>;
};
export type IvrNode = Node<IvrNodeData>;
/** `sourceHandle` is the outcome key. */
export type IvrEdge = Edge;

export type SaveStatus = "saved" | "saving" | "unsaved" | "conflict" | "error";
