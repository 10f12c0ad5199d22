// The designer's state: one store per open flow, created by createDesignerStore() inside
// DesignerProvider (never a module global). Every edit goes through a named change
// function below: that is where undo history, the autosave counter and the
// "logic changed" counter (which drives validation and code generation) are kept.
import { applyEdgeChanges, applyNodeChanges, type Connection, type EdgeChange, type NodeChange } from "@xyflow/react";
import { createStore } from "zustand/vanilla";
import { defaultParams, isNodeKind, outcomesOf, specOf } from "../../flow/catalog";
import type { FlowGraph, FlowSettings } from "../../flow/graph";
import type { FlowTestCase } from "../../flow/test-cases";
import type { Diagnostic } from "../../flow/diagnostics";
import { edgeId, freshNodeId, nodeTypeOf, toCanvasEdge, toCanvasNode, toFlowGraph } from "./convert";
import type { IvrEdge, IvrNode, SaveStatus } from "./types";

interface Snapshot {
  nodes: IvrNode[];
  edges: IvrEdge[];
  settings: FlowSettings;
  name: string;
  tests: FlowTestCase[] | undefined;
}

export interface ClipboardPayload {
  type: "ivr-studio/nodes";
  nodes: Array<{ id: string; kind: string; label: string; params: Record<string, unknown>; position: { x: number; y: number } }>;
  edges: Array<{ source: string; outcome: string; target: string }>;
}

export interface DesignerInit {
  flowId: string;
  revision: number;
  graph: FlowGraph;
  readOnly?: boolean;
  /** The published version whose logic the loaded draft is, if any. */
  publishedVersion?: number | null;
}

export interface DesignerState {
  flowId: string;
  revision: number;
  name: string;
  description: string;
  settings: FlowSettings;
  nodes: IvrNode[];
  edges: IvrEdge[];
  readOnly: boolean;
  past: Snapshot[];
  future: Snapshot[];
  /** Bumped by every change that must be saved (positions included). */
  docVersion: number;
  /** Bumped by changes that can change validation or generated code (not positions). */
  logicVersion: number;
  saveStatus: SaveStatus;
  saveError: string | null;
  conflictMessage: string | null;
  selectedNodeIds: string[];
  /** Derived (debounced) from the graph by useValidation; never saved. */
  diagnostics: Diagnostic[];
  /** Per node: "errors,warnings" (a string so node components re-render only when it changes). */
  badges: Record<string, string>;
  /** The document's test cases, saved with it; edited in the Test tab's case editor (only valid cases reach here). */
  tests: FlowTestCase[] | undefined;
  /** Replace the test cases (one undo step per `key`, coalesced like a field's keystrokes). */
  updateTests(tests: FlowTestCase[], key?: string): void;
  /** A node the simulator or a test run points at (the current node of a call, a failing step); never saved. */
  highlight: { nodeId: string; tone: "current" | "failed" } | null;
  setHighlight(h: { nodeId: string; tone: "current" | "failed" } | null): void;
  /**
   * Per edge id: the orthogonal route of the last auto layout (start, bends, end; flow
   * coordinates). Not saved; RoutedEdge draws it while the edge's ends are still where they were.
   */
  routes: Record<string, Array<{ x: number; y: number }>>;
  /** The published version the current logic is (logicVersion at publish time), or null. */
  publishedAs: { number: number; logicVersion: number } | null;

  onNodesChange(changes: NodeChange<IvrNode>[]): void;
  onEdgesChange(changes: EdgeChange<IvrEdge>[]): void;
  connect(c: Connection): void;
  beginDrag(): void;
  addNode(kind: string, position: { x: number; y: number }): string | undefined;
  updateParams(id: string, params: Record<string, unknown>, field?: string): void;
  updateLabel(id: string, label: string): void;
  updateSettings(settings: FlowSettings): void;
  rename(name: string): void;
  deleteSelection(): void;
  selectOnly(ids: string[]): void;
  copySelection(): ClipboardPayload | null;
  paste(payload: ClipboardPayload, offset?: number): void;
  applyPositions(positions: Record<string, { x: number; y: number }>): void;
  /** Auto layout: new positions (one undo step) and the edges' routes. */
  applyLayout(positions: Record<string, { x: number; y: number }>, routes: DesignerState["routes"]): void;
  /** Routes found again for the current positions (Canvas, on load); not an edit. */
  setRoutes(routes: DesignerState["routes"]): void;
  /** The current logic was just published (or found equal to) version `number`. */
  markPublished(number: number): void;
  undo(): void;
  redo(): void;
  graph(): FlowGraph;
  markSaving(): void;
  markSaved(revision: number, savedDocVersion: number): void;
  markConflict(message: string): void;
  markSaveError(message: string): void;
}

const HISTORY_LIMIT = 100;
/** Keystrokes in the same field within this window are one undo step. */
const COALESCE_MS = 1000;

export type DesignerStore = ReturnType<typeof createDesignerStore>;

export function createDesignerStore(init: DesignerInit) {
  let lastCommitKey = "";
  let lastCommitAt = 0;

  return createStore<DesignerState>()((set, get) => {
    const snapshot = (): Snapshot => {
      const s = get();
      return { nodes: s.nodes, edges: s.edges, settings: s.settings, name: s.name, tests: s.tests };
    };

    /** Record an undo step before a change (coalescing repeated edits of one field). */
    const commit = (key: string) => {
      const now = Date.now();
      if (key && key === lastCommitKey && now - lastCommitAt < COALESCE_MS) {
        lastCommitAt = now;
        return;
      }
      lastCommitKey = key;
      lastCommitAt = now;
      set((s) => ({ past: [...s.past.slice(-HISTORY_LIMIT + 1), snapshot()], future: [] }));
    };

    const changed = (logic: boolean) =>
      set((s) => ({
        docVersion: s.docVersion + 1,
        logicVersion: logic ? s.logicVersion + 1 : s.logicVersion,
        saveStatus: s.saveStatus === "conflict" ? "conflict" : "unsaved",
      }));

    const selectedIds = (nodes: IvrNode[]) => nodes.filter((n) => n.selected).map((n) => n.id);

    const restore = (snap: Snapshot) => {
      set({ ...snap, selectedNodeIds: selectedIds(snap.nodes) });
      lastCommitKey = "";
      changed(true);
    };

    return {
      flowId: init.flowId,
      revision: init.revision,
      name: init.graph.name,
      description: init.graph.description,
      settings: init.graph.settings,
      nodes: init.graph.nodes.map(toCanvasNode),
      edges: init.graph.edges.map(toCanvasEdge),
      readOnly: init.readOnly ?? false,
      past: [],
      future: [],
      docVersion: 0,
      logicVersion: 0,
      saveStatus: "saved",
      saveError: null,
      conflictMessage: null,
      selectedNodeIds: [],
      tests: init.graph.tests,
      highlight: null,
      setHighlight(h) {
        const now = get().highlight;
        if (now?.nodeId === h?.nodeId && now?.tone === h?.tone) return;
        set({ highlight: h });
      },
      diagnostics: [],
      badges: {},
      routes: {},
      publishedAs: init.publishedVersion ? { number: init.publishedVersion, logicVersion: 0 } : null,

      onNodesChange(changes) {
        // Removals go through deleteSelection (one undo step with their edges).
        const kept = changes.filter((c) => c.type !== "remove" && c.type !== "add" && c.type !== "replace");
        if (kept.length === 0) return;
        const s = get();
        const nodes = applyNodeChanges(kept, s.nodes);
        const selectionChanged = kept.some((c) => c.type === "select");
        const moved = !s.readOnly && kept.some((c) => c.type === "position" && c.position);
        // One set per drag frame: every subscriber's selector runs once per set.
        set({
          nodes,
          ...(selectionChanged ? { selectedNodeIds: selectedIds(nodes) } : {}),
          ...(moved
            ? { docVersion: s.docVersion + 1, saveStatus: s.saveStatus === "conflict" ? "conflict" : "unsaved" }
            : {}),
        });
      },

      onEdgesChange(changes) {
        const kept = changes.filter((c) => c.type === "select");
        if (kept.length) set({ edges: applyEdgeChanges(kept, get().edges) });
      },

      connect(c) {
        if (!c.source || !c.target || !c.sourceHandle || get().readOnly) return;
        commit("");
        const outcome = c.sourceHandle;
        // One edge per outcome: connecting an already-connected outcome replaces its edge.
        const edges = get().edges.filter((e) => !(e.source === c.source && e.sourceHandle === outcome));
        edges.push({ id: edgeId(c.source, outcome), source: c.source, sourceHandle: outcome, target: c.target });
        set({ edges });
        changed(true);
      },

      beginDrag() {
        if (!get().readOnly) commit("");
      },

      addNode(kind, position) {
        if (!isNodeKind(kind) || get().readOnly) return undefined;
        commit("");
        const taken = new Set(get().nodes.map((n) => n.id));
        const id = freshNodeId(kind, taken);
        const node: IvrNode = {
          id,
          type: nodeTypeOf(kind),
          position,
          data: { kind, label: "", params: defaultParams(kind) as Record<string, unknown> },
          selected: true,
        };
        const nodes = get().nodes.map((n) => (n.selected ? { ...n, selected: false } : n));
        nodes.push(node);
        set({ nodes, selectedNodeIds: [id] });
        changed(true);
        return id;
      },

      updateParams(id, params, field = "") {
        if (get().readOnly) return;
        const node = get().nodes.find((n) => n.id === id);
        if (!node) return;
        commit(`params:${id}:${field}`);
        const before = outcomesOf(node.data.kind, node.data.params).map((o) => o.key);
        const after = outcomesOf(node.data.kind, params).map((o) => o.key);
        let edges = get().edges;
        // A renamed outcome (same position in the list, e.g. a menu choice's digits edited)
        // keeps its edge instead of leaving it dangling.
        if (before.length === after.length && before.length > 0) {
          const renamed = new Map<string, string>();
          before.forEach((k, i) => k !== after[i] && renamed.set(k, after[i]));
          if (renamed.size > 0) {
            const used = new Set(edges.filter((e) => e.source === id).map((e) => e.sourceHandle));
            edges = edges.map((e) => {
              const to = e.source === id && e.sourceHandle ? renamed.get(e.sourceHandle) : undefined;
              if (to === undefined || (used.has(to) && !renamed.has(to))) return e;
              return { ...e, id: edgeId(id, to), sourceHandle: to };
            });
          }
        }
        set({
          nodes: get().nodes.map((n) => (n.id === id ? { ...n, data: { ...n.data, params } } : n)),
          edges,
        });
        changed(true);
      },

      updateLabel(id, label) {
        if (get().readOnly) return;
        commit(`label:${id}`);
        set({ nodes: get().nodes.map((n) => (n.id === id ? { ...n, data: { ...n.data, label } } : n)) });
        changed(true);
      },

      updateSettings(settings) {
        if (get().readOnly) return;
        commit("settings");
        set({ settings });
        changed(true);
      },

      updateTests(tests, key = "") {
        if (get().readOnly) return;
        commit(key ? `tests:${key}` : "");
        set({ tests });
        changed(true);
      },

      rename(name) {
        if (get().readOnly) return;
        commit("name");
        set({ name });
        changed(true);
      },

      deleteSelection() {
        const s = get();
        if (s.readOnly) return;
        const gone = new Set(s.nodes.filter((n) => n.selected).map((n) => n.id));
        const edgesGone = s.edges.some((e) => e.selected || gone.has(e.source) || gone.has(e.target));
        if (gone.size === 0 && !edgesGone) return;
        commit("");
        set({
          nodes: s.nodes.filter((n) => !gone.has(n.id)),
          edges: s.edges.filter((e) => !e.selected && !gone.has(e.source) && !gone.has(e.target)),
          selectedNodeIds: [],
        });
        changed(true);
      },

      selectOnly(ids) {
        const want = new Set(ids);
        set({
          nodes: get().nodes.map((n) => (want.has(n.id) !== !!n.selected ? { ...n, selected: want.has(n.id) } : n)),
          edges: get().edges.map((e) => (e.selected ? { ...e, selected: false } : e)),
          selectedNodeIds: ids.filter((id) => get().nodes.some((n) => n.id === id)),
        });
      },

      copySelection() {
        const s = get();
        const picked = s.nodes.filter((n) => n.selected);
        if (picked.length === 0) return null;
        const ids = new Set(picked.map((n) => n.id));
        return {
          type: "ivr-studio/nodes",
          nodes: picked.map((n) => ({
            id: n.id,
            kind: n.data.kind,
            label: n.data.label,
            params: n.data.params,
            position: { x: n.position.x, y: n.position.y },
          })),
          edges: s.edges
            .filter((e) => ids.has(e.source) && ids.has(e.target))
            .map((e) => ({ source: e.source, outcome: e.sourceHandle ?? "next", target: e.target })),
        };
      },

      paste(payload, offset = 40) {
        const s = get();
        if (s.readOnly || payload?.type !== "ivr-studio/nodes" || !Array.isArray(payload.nodes)) return;
        const hasEntry = s.nodes.some((n) => specOf(n.data.kind)?.entry);
        const taken = new Set(s.nodes.map((n) => n.id));
        const idMap = new Map<string, string>();
        const added: IvrNode[] = [];
        for (const n of payload.nodes) {
          if (typeof n?.kind !== "string") continue;
          // A flow has one entry point: a pasted Start is dropped when one exists.
          if (hasEntry && specOf(n.kind)?.entry) continue;
          const id = freshNodeId(n.kind, taken);
          taken.add(id);
          idMap.set(n.id, id);
          added.push({
            id,
            type: nodeTypeOf(n.kind),
            position: { x: (n.position?.x ?? 0) + offset, y: (n.position?.y ?? 0) + offset },
            data: { kind: n.kind, label: n.label ?? "", params: structuredClone(n.params ?? {}) },
            selected: true,
          });
        }
        if (added.length === 0) return;
        commit("");
        const newEdges: IvrEdge[] = [];
        for (const e of payload.edges ?? []) {
          const source = idMap.get(e.source);
          const target = idMap.get(e.target);
          if (source && target) newEdges.push({ id: edgeId(source, e.outcome), source, sourceHandle: e.outcome, target });
        }
        set({
          nodes: [...s.nodes.map((n) => (n.selected ? { ...n, selected: false } : n)), ...added],
          edges: [...s.edges.map((e) => (e.selected ? { ...e, selected: false } : e)), ...newEdges],
          selectedNodeIds: added.map((n) => n.id),
        });
        changed(true);
      },

      applyPositions(positions) {
        if (get().readOnly) return;
        commit("");
        set({ nodes: get().nodes.map((n) => (positions[n.id] ? { ...n, position: positions[n.id] } : n)) });
        changed(false);
      },

      applyLayout(positions, routes) {
        if (get().readOnly) return;
        get().applyPositions(positions);
        set({ routes });
      },

      setRoutes(routes) {
        set({ routes });
      },

      markPublished(number) {
        set({ publishedAs: { number, logicVersion: get().logicVersion } });
      },

      undo() {
        const s = get();
        const prev = s.past[s.past.length - 1];
        if (!prev || s.readOnly) return;
        set({ past: s.past.slice(0, -1), future: [snapshot(), ...s.future] });
        restore(prev);
      },

      redo() {
        const s = get();
        const next = s.future[0];
        if (!next || s.readOnly) return;
        set({ past: [...s.past, snapshot()], future: s.future.slice(1) });
        restore(next);
      },

      graph() {
        const tests = get().tests;
        const g = toFlowGraph(get());
        return tests ? { ...g, tests } : g;
      },

      markSaving() {
        if (get().saveStatus !== "conflict") set({ saveStatus: "saving", saveError: null });
      },
      markSaved(revision, savedDocVersion) {
        set((s) => ({
          revision,
          saveError: null,
          saveStatus: s.saveStatus === "conflict" ? "conflict" : s.docVersion === savedDocVersion ? "saved" : "unsaved",
        }));
      },
      markConflict(message) {
        set({ saveStatus: "conflict", conflictMessage: message });
      },
      markSaveError(message) {
        set({ saveStatus: "error", saveError: message });
      },
    };
  });
}
