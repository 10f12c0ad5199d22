"use client";
// The React Flow canvas: drop from the palette, double-click for quick-add, one edge per
// outcome. Node/edge arrays live in the designer store; React Flow only reports changes.
import {
  Background,
  ControlButton,
  Controls,
  MarkerType,
  MiniMap,
  ReactFlow,
  useNodesInitialized,
  useReactFlow,
  useStore,
  type Connection,
  type Edge,
  type EdgeTypes,
  type IsValidConnection,
  type NodeMouseHandler,
} from "@xyflow/react";
import { useCallback, useEffect, useRef, useState, type DragEvent, type MouseEvent } from "react";
import { outcomesOf, specOf } from "../../flow/catalog";
import { CallsOverlay } from "./CallsOverlay";
import { useDesigner, useDesignerStore } from "./context";
import { nodeTypes } from "./nodeTypes";
import { DND_KIND_TYPE } from "./palette-items";
import { layoutMeasured, looksLaidOut } from "./layout";
import { QuickAdd } from "./QuickAdd";
import { ROUTED_EDGE_TYPE, RoutedEdge } from "./RoutedEdge";
import { LOD_BELOW, MINIMAP_SIZE, NO_TEXT_BELOW, useFitFlow } from "./viewport";
import type { IvrNode } from "./types";

const DEFAULT_EDGE_OPTIONS = { type: ROUTED_EDGE_TYPE, markerEnd: { type: MarkerType.ArrowClosed, width: 16, height: 16 } };
const EDGE_TYPES: EdgeTypes = { [ROUTED_EDGE_TYPE]: RoutedEdge };
const MULTI_SELECT_KEYS = ["Control", "Meta"];
const CATEGORY_COLORS: Record<string, string> = { call: "#2563eb", media: "#7c3aed", input: "#059669", logic: "#d97706" };
const PRO_OPTIONS = { hideAttribution: true };
/** Past this many nodes, routes are not looked for on load (ELK takes seconds on the main thread). */
const ROUTES_ON_LOAD_MAX_NODES = 400;
const miniMapColor = (n: IvrNode) => CATEGORY_COLORS[specOf(n.data.kind)?.category ?? ""] ?? "#9ca3af";

/** `onNodeClick`: a node was clicked (the designer then shows what belongs to it). */
export function Canvas({ onNodeClick }: { onNodeClick?: (id: string) => void }) {
  const store = useDesignerStore();
  const nodes = useDesigner((s) => s.nodes);
  const edges = useDesigner((s) => s.edges);
  const readOnly = useDesigner((s) => s.readOnly);
  const rf = useReactFlow<IvrNode>();
  const wrapper = useRef<HTMLDivElement>(null);
  // Level of detail: zoomed out, small text is unreadable; nodes show their kind colour and a
  // large label only (CSS), and far out no text at all, so big flows also raster less per
  // frame. A string selector: the canvas re-renders only when the detail level changes.
  const detail = useStore((st) => (st.transform[2] < NO_TEXT_BELOW ? " lod no-text" : st.transform[2] < LOD_BELOW ? " lod" : ""));
  const fitFlow = useFitFlow();
  const nodeClick: NodeMouseHandler<IvrNode> = useCallback((_, n) => onNodeClick?.(n.id), [onNodeClick]);
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
      fitFlow(0);
      wrapper.current?.setAttribute("data-fitted", "true"); // tests and screenshots wait for it
    }
  }, [initialized, fitFlow]);

  // Routes are not saved: when the loaded positions are exactly an auto layout's (same ELK
  // input, same output), lay out again while idle and keep only the routes.
  const routesLooked = useRef(false);
  useEffect(() => {
    if (!initialized || routesLooked.current) return;
    routesLooked.current = true;
    const s = store.getState();
    if (s.nodes.length > ROUTES_ON_LOAD_MAX_NODES || !looksLaidOut(s.nodes) || Object.keys(s.routes).length > 0) return;
    setTimeout(() => {
      const { nodes, edges } = store.getState();
      layoutMeasured(nodes, edges, (id) => rf.getInternalNode(id))
        .then(({ positions, routes }) => {
          const now = store.getState();
          const same = now.nodes.every((n) => positions[n.id]?.x === n.position.x && positions[n.id]?.y === n.position.y);
          if (same && Object.keys(now.routes).length === 0) now.setRoutes(routes);
        })
        .catch(() => undefined); // no routes: plain curves, as before any layout
    }, 300);
  }, [initialized, store, rf]);

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
        edgeTypes={EDGE_TYPES}
        onNodeClick={nodeClick}
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
        proOptions={PRO_OPTIONS}
      >
        <Background gap={16} />
        <MiniMap<IvrNode> pannable zoomable nodeColor={miniMapColor} ariaLabel="Mini map" style={MINIMAP_SIZE} />
        <Controls showInteractive={false} showFitView={false}>
          <ControlButton onClick={() => fitFlow()} title="Fit view" aria-label="Fit view" className="react-flow__controls-fitview">
            <svg viewBox="0 0 32 30" aria-hidden="true">
              <path d="M3.692 4.63c0-.53.4-.938.939-.938h5.215V0H4.708C2.13 0 0 2.054 0 4.63v5.216h3.692V4.631zM27.354 0h-5.2v3.692h5.17c.53 0 .984.4.984.939v5.215H32V4.631A4.624 4.624 0 0027.354 0zm.954 24.83c0 .532-.4.94-.939.94h-5.215v3.768h5.215c2.577 0 4.631-2.13 4.631-4.707v-5.139h-3.692v5.139zm-23.677.94c-.531 0-.939-.4-.939-.94v-5.138H0v5.139c0 2.577 2.13 4.707 4.708 4.707h5.138V25.77H4.631z" />
            </svg>
          </ControlButton>
        </Controls>
        <CallsOverlay />
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
