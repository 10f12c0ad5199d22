"use client";
// The flow editor: palette | canvas | properties, problems and code tabs.
import "@xyflow/react/dist/style.css";
import "./designer.css";
import { ReactFlowProvider, useReactFlow } from "@xyflow/react";
import dynamic from "next/dynamic";
import { useCallback, useMemo, useState } from "react";
import { downloadBlob, fileStem, type User } from "../lib/client/api";
import { Canvas } from "./Canvas";
import { DesignerProvider, useDesigner, useDesignerStore } from "./context";
import { HelpDialog } from "./HelpDialog";
import { layoutMeasured } from "./layout";
import { Palette } from "./Palette";
import { PropertiesPanel } from "./PropertiesPanel";
import { PublishDialog } from "./PublishDialog";
import { useShortcuts } from "./shortcuts";
import { SidePanelResizer, useSidePanelWidth } from "./SidePanelResizer";
import { useFitFlow } from "./viewport";
import type { IvrNode } from "./types";
import type { DesignerInit } from "./store";
import { Toolbar } from "./Toolbar";
import { useAutosave } from "./useAutosave";
import { useValidation } from "./useValidation";
import { ValidationPanel } from "./ValidationPanel";
import { SimulatorPanel } from "./simulator/SimulatorPanel";
import { TestCasesPanel } from "./simulator/TestCasesPanel";

// Monaco is big: load it after the canvas is interactive, in the browser only.
const CodeView = dynamic(() => import("./code/CodeView"), {
  ssr: false,
  loading: () => <div className="code-loading">Loading code view…</div>,
});

type Tab = "properties" | "problems" | "code" | "test";

export function Designer({ init, user }: { init: DesignerInit; user: User }) {
  return (
    <ReactFlowProvider>
      <DesignerProvider init={{ ...init, readOnly: init.readOnly || user.role === "viewer" }}>
        <DesignerShell user={user} />
      </DesignerProvider>
    </ReactFlowProvider>
  );
}

function DesignerShell({ user }: { user: User }) {
  const store = useDesignerStore();
  const rf = useReactFlow<IvrNode>();
  const fitFlow = useFitFlow();
  const isAdmin = user.role === "admin";
  useValidation(isAdmin);
  const { saveNow } = useAutosave();
  const [tab, setTab] = useState<Tab>("properties");
  const [codeOpened, setCodeOpened] = useState(false);
  const [codeFull, setCodeFull] = useState(false);
  const [sideWidth, setSideWidth] = useSidePanelWidth(user.id);
  const [dialog, setDialog] = useState<"help" | "publish" | null>(null);
  const [publishedNote, setPublishedNote] = useState<string | null>(null);
  const conflict = useDesigner((s) => s.conflictMessage);
  const problems = useDesigner((s) => s.diagnostics);
  const readOnly = useDesigner((s) => s.readOnly);
  const errorCount = problems.filter((d) => d.severity === "error").length;

  const layout = useCallback(async () => {
    const s = store.getState();
    if (s.nodes.length === 0) return;
    // Sizes and handles as React Flow measured them: the routes then end exactly on the handles.
    const { positions, routes } = await layoutMeasured(s.nodes, s.edges, (id) => rf.getInternalNode(id));
    store.getState().applyLayout(positions, routes);
    requestAnimationFrame(() => fitFlow());
  }, [store, rf, fitFlow]);

  const addAtCentre = useCallback(
    (kind: string) => {
      const box = document.querySelector(".canvas")?.getBoundingClientRect();
      const p = box
        ? rf.screenToFlowPosition({ x: box.left + box.width / 2, y: box.top + box.height / 2 })
        : { x: 0, y: 0 };
      // Nudge so repeated adds don't stack exactly.
      const n = store.getState().nodes.length % 5;
      store.getState().addNode(kind, { x: p.x - 90 + n * 24, y: p.y - 30 + n * 24 });
    },
    [rf, store],
  );

  const exportJson = useCallback(() => {
    const g = store.getState().graph();
    downloadBlob(new Blob([JSON.stringify(g, null, 2)], { type: "application/json" }), `${fileStem(g.name)}.json`);
  }, [store]);

  const shortcutActions = useMemo(
    () => ({
      openHelp: () => setDialog("help"),
      closeDialogs: () => setDialog(null),
      layout: () => void layout(),
      saveNow: () => void saveNow(),
      fit: () => fitFlow(),
    }),
    [layout, saveNow, fitFlow],
  );
  useShortcuts(shortcutActions);

  const openTab = (t: Tab) => {
    setTab(t);
    if (t === "code") setCodeOpened(true);
    else setCodeFull(false);
  };
  // A node clicked on the canvas: Problems gives way to its Properties; Code stays and
  // highlights the node's lines (CodeView follows the selection).
  const onNodeClick = useCallback(() => setTab((t) => (t === "problems" ? "properties" : t)), []);

  return (
    <div className="designer">
      <Toolbar
        onLayout={() => void layout()}
        onFit={() => fitFlow()}
        onHelp={() => setDialog("help")}
        onPublish={() => setDialog("publish")}
        onExport={exportJson}
        publishedNote={publishedNote}
        role={user.role}
      />
      {conflict && (
        <div className="conflict-banner" role="alert">
          <strong>Not saved.</strong> {conflict}{" "}
          <button type="button" onClick={() => window.location.reload()}>
            Reload
          </button>
        </div>
      )}
      <div
        className={`designer-main${codeFull && tab === "code" ? " code-full" : ""}`}
        style={{ gridTemplateColumns: `240px minmax(0, 1fr) ${sideWidth}px` }}
      >
        <Palette onAdd={addAtCentre} disabled={readOnly} />
        <Canvas onNodeClick={onNodeClick} />
        <aside className="side-panel" aria-label="Inspector">
          <SidePanelResizer width={sideWidth} onWidth={setSideWidth} />
          <div role="tablist" className="tabs" aria-label="Inspector tabs">
            <button role="tab" aria-selected={tab === "properties"} className={tab === "properties" ? "active" : ""} onClick={() => openTab("properties")}>
              Properties
            </button>
            <button role="tab" aria-selected={tab === "problems"} className={tab === "problems" ? "active" : ""} onClick={() => openTab("problems")}>
              Problems{problems.length > 0 && <span className={`count ${errorCount ? "count-error" : "count-warning"}`}>{problems.length}</span>}
            </button>
            <button role="tab" aria-selected={tab === "code"} className={tab === "code" ? "active" : ""} onClick={() => openTab("code")}>
              Code
            </button>
            <button role="tab" aria-selected={tab === "test"} className={tab === "test" ? "active" : ""} onClick={() => openTab("test")}>
              Test
            </button>
          </div>
          <div className="tab-panel" role="tabpanel" hidden={tab !== "properties"}>
            <PropertiesPanel />
          </div>
          <div className="tab-panel" role="tabpanel" hidden={tab !== "problems"}>
            <ValidationPanel />
          </div>
          <div className="tab-panel tab-test" role="tabpanel" hidden={tab !== "test"}>
            <TestCasesPanel readOnly={readOnly} />
            <SimulatorPanel readOnly={readOnly} saveNow={saveNow} />
          </div>
          {codeOpened && (
            <div className="tab-panel tab-code" role="tabpanel" hidden={tab !== "code"}>
              <CodeView authorIsAdmin={isAdmin} fullWidth={codeFull} onFullWidth={setCodeFull} />
            </div>
          )}
        </aside>
      </div>
      {dialog === "help" && <HelpDialog onClose={() => setDialog(null)} />}
      {dialog === "publish" && (
        <PublishDialog
          onClose={() => setDialog(null)}
          saveNow={saveNow}
          onPublished={(v) => {
            setDialog(null);
            setPublishedNote(`Published version ${v.number}`);
            store.getState().markPublished(v.number);
          }}
        />
      )}
    </div>
  );
}
