"use client";
// The path of one call drawn on its flow version (read-only): the version's nodes as the designer
// draws them, the nodes the call went through and the edges it took highlighted, in order.
import "@xyflow/react/dist/style.css";
import "../designer/designer.css";
import { Background, Controls, ReactFlow, ReactFlowProvider } from "@xyflow/react";
import { useMemo } from "react";
import type { FlowGraph } from "../../flow/graph";
import { DesignerProvider } from "../designer/context";
import { toCanvasEdge, toCanvasNode } from "../designer/convert";
import { nodeTypes } from "../designer/nodeTypes";

const PRO_OPTIONS = { hideAttribution: true };

export function CallPathCanvas({ flowId, graph, path }: { flowId: string; graph: FlowGraph; path: string[] }) {
  const { nodes, edges } = useMemo(() => {
    const visited = new Set(path);
    const taken = new Set(path.slice(1).map((to, i) => `${path[i]}\u0000${to}`));
    return {
      nodes: graph.nodes.map((n) => ({ ...toCanvasNode(n), className: visited.has(n.id) ? "path-visited" : "path-skipped", draggable: false, selectable: false, connectable: false })),
      edges: graph.edges.map((e) => {
        const on = taken.has(`${e.source}\u0000${e.target}`);
        return { ...toCanvasEdge(e), className: on ? "path-taken" : "path-not-taken", animated: on };
      }),
    };
  }, [graph, path]);
  return (
    <div className="call-path-canvas" aria-label="Path on the flow">
      <ReactFlowProvider>
        <DesignerProvider init={{ flowId, revision: 0, graph, readOnly: true }}>
          <ReactFlow nodes={nodes} edges={edges} nodeTypes={nodeTypes} fitView nodesDraggable={false} nodesConnectable={false} elementsSelectable={false} proOptions={PRO_OPTIONS} minZoom={0.1}>
            <Background gap={16} />
            <Controls showInteractive={false} />
          </ReactFlow>
        </DesignerProvider>
      </ReactFlowProvider>
    </div>
  );
}
