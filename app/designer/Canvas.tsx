"use client";
// The React Flow canvas: drop from the palette, double-click for quick-add, one edge per
// outcome. Node/edge arrays live in the designer store; React Flow only reports changes.
import {
  Background,
  Controls,
  MarkerType,
  MiniMap,
  ReactFlow,
  useNodesInitialized,
  useReactFlow,
  useStore,
  type Connection,
  type Edge,
  type IsValidConnection,
} from "@xyflow/react";
import { useCallback, useEffect, useRef, useState, type DragEvent, type MouseEvent } from "react";
import { outcomesOf, specOf } from "../../flow/catalog";
import { useDesigner, useDesignerStore } from "./context";
import { nodeTypes } from "./nodeTypes";
import { DND_KIND_TYPE } from "./palette-items";
import { QuickAdd } from "./QuickAdd";
import { FIT_OPTIONS_NOW, MINIMAP_SIZE } from "./viewport";
import type { IvrNode } from "./types";

const DEFAULT_EDGE_OPTIONS = { markerEnd: { type: MarkerType.ArrowClosed, width: 16, height: 16 } };
const MULTI_SELECT_KEYS = ["Control", "Meta"];
const CATEGORY_COLORS: Record<string, string> = { call: "#2563eb", media: "#7c3aed", input: "#059669", logic: "#d97706" };
/** Below this zoom, summaries and outcome labels are hidden; below ZOOM_FAR_BELOW, all node text. */
const ZOOMED_OUT_BELOW = 0.45;
const ZOOM_FAR_BELOW = 0.3;
const PRO_OPTIONS = { hideAttribution: true };
const miniMapColor = (n: IvrNode) => CATEGORY_COLORS[specOf(n.data.kind)?.category ?? ""] ?? "#9ca3af";

export function Canvas() {
  const store = useDesignerStore();
  const nodes = useDesigner((s) => s.nodes);
  const edges = useDesigner((s) => s.edges);
  const readOnly = useDesigner((s) => s.readOnly);
  const rf = useReactFlow<IvrNode>();
  const wrapper = useRef<HTMLDivElement>(null);
  // Zoomed out, small text is unreadable: hide it (CSS) so big flows raster less per frame.
  // A string selector: the canvas re-renders only when the detail level changes.
  const detail = useStore((st) => (st.transform[2] < ZOOM_FAR_BELOW ? " zoom-far zoomed-out" : st.transform[2] < ZOOMED_OUT_BELOW ? " zoomed-out" : ""));
  const [quickAdd, setQuickAdd] = useState<{ x: number; y: number; flow: { x: number; y: number } } | null>(null);

  const onDragOver = useCallback((e: DragEvent) => {
    if (e.dataTransfer.types.includes(DND_KIND_TYPE)) {
      e.preventDefault();
      e.dataTransfer.dropEffect = "move";
    }
  }, []);

  const onDrop = useCallback(
    (e: DragEvent) => {
      const kind = e.dataTransfer.getData(DND_KIND_TYPE);
      if (!kind) return;
      e.preventDefault();
      const p = rf.screenToFlowPosition({ x: e.clientX, y: e.clientY });
      store.getState().addNode(kind, { x: p.x - 90, y: p.y - 20 });
    },
    [rf, store],
  );

  const onDoubleClick = useCallback(
    (e: MouseEvent) => {
      if (readOnly || !(e.target as HTMLElement).classList.contains("react-flow__pane")) return;
      const box = wrapper.current!.getBoundingClientRect();
      setQuickAdd({
        x: e.clientX - box.left,
        y: e.clientY - box.top,
        flow: rf.screenToFlowPosition({ x: e.clientX, y: e.clientY }),
      });
    },
    [rf, readOnly],
  );

  // Valid when the handle is a real outcome of the source; a second connection from the
  // same outcome is allowed and replaces the first (see store.connect).
  const isValidConnection: IsValidConnection = useCallback(
    (c: Connection | Edge) => {
      if (!c.sourceHandle || !c.target) return false;
      const src = store.getState().nodes.find((n) => n.id === c.source);
      const tgt = store.getState().nodes.find((n) => n.id === c.target);
      if (!src || !tgt || specOf(tgt.data.kind)?.entry) return false;
      return outcomesOf(src.data.kind, src.data.params).some((o) => o.key === c.sourceHandle);
    },
    [store],
  );

  // Fit the whole flow once every node has been measured (the fitView prop can run
  // while only some nodes have sizes).
  const initialized = useNodesInitialized();
  const fitted = useRef(false);
  useEffect(() => {
    if (initialized && !fitted.current) {
      fitted.current = true;
      rf.fitView(FIT_OPTIONS_NOW);
    }
  }, [initialized, rf]);

  // While a node is dragged, a transparent overlay (CSS, .node-dragging::after) takes every
  // mouse move: Chromium then hit-tests one box instead of hundreds of nodes and edge SVGs
  // (d3-drag listens on window, so the drag itself does not need the node under the
  // pointer). A class, not state: no re-render.
  const onDragStart = useCallback(() => {
    wrapper.current?.classList.add("node-dragging");
    store.getState().beginDrag();
  }, [store]);
  const onDragStop = useCallback(() => wrapper.current?.classList.remove("node-dragging"), []);

  const s = store.getState();
  return (
    <div className={`canvas${detail}`} ref={wrapper} onDragOver={onDragOver} onDrop={onDrop} onDoubleClick={onDoubleClick}>
      <ReactFlow<IvrNode>
        nodes={nodes}
        edges={edges}
        nodeTypes={nodeTypes}
        onNodesChange={s.onNodesChange}
        onEdgesChange={s.onEdgesChange}
        onConnect={s.connect}
        onNodeDragStart={onDragStart}
        onNodeDragStop={onDragStop}
        onSelectionDragStart={onDragStart}
        onSelectionDragStop={onDragStop}
        isValidConnection={isValidConnection}
        defaultEdgeOptions={DEFAULT_EDGE_OPTIONS}
        deleteKeyCode={null}
        multiSelectionKeyCode={MULTI_SELECT_KEYS}
        selectionKeyCode="Shift"
        zoomOnDoubleClick={false}
        nodesDraggable={!readOnly}
        nodesConnectable={!readOnly}
        minZoom={0.1}
        fitView
        fitViewOptions={FIT_OPTIONS_NOW}
        proOptions={PRO_OPTIONS}
      >
        <Background gap={16} />
        <MiniMap<IvrNode> pannable zoomable nodeColor={miniMapColor} ariaLabel="Mini map" style={MINIMAP_SIZE} />
        <Controls showInteractive={false} />
      </ReactFlow>
      {quickAdd && (
        <QuickAdd
          x={quickAdd.x}
          y={quickAdd.y}
          onClose={() => setQuickAdd(null)}
          onPick={(kind) => {
            store.getState().addNode(kind, quickAdd.flow);
            setQuickAdd(null);
          }}
        />
      )}
    </div>
  );
}
