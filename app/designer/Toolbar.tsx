"use client";
// The designer's top bar: name, save status, history, layout, publish.
import Link from "next/link";
import type { SaveStatus } from "./types";
import { useDesigner, useDesignerStore } from "./context";

const STATUS_TEXT: Record<SaveStatus, string> = {
  saved: "Saved",
  saving: "Saving…",
  unsaved: "Unsaved",
  conflict: "Conflict",
  error: "Save failed",
};

export function Toolbar(props: {
  onLayout: () => void;
  onFit: () => void;
  onHelp: () => void;
  onPublish: () => void;
  onExport: () => void;
  publishedNote: string | null;
}) {
  const store = useDesignerStore();
  const name = useDesigner((s) => s.name);
  const flowId = useDesigner((s) => s.flowId);
  const status = useDesigner((s) => s.saveStatus);
  const saveError = useDesigner((s) => s.saveError);
  const canUndo = useDesigner((s) => s.past.length > 0);
  const canRedo = useDesigner((s) => s.future.length > 0);
  const readOnly = useDesigner((s) => s.readOnly);
  return (
    <header className="toolbar">
      <Link href="/" className="brand" aria-label="All flows">
        IVR Studio
      </Link>
      <input
        className="flow-name"
        aria-label="Flow name"
        value={name}
        disabled={readOnly}
        onChange={(e) => store.getState().rename(e.target.value)}
      />
      <span className={`save-status status-${status}`} role="status" aria-label="Save status" title={saveError ?? undefined}>
        {readOnly ? "Read only" : STATUS_TEXT[status]}
      </span>
      {props.publishedNote && <span className="published-note">{props.publishedNote}</span>}
      <span className="spacer" />
      <button type="button" disabled={!canUndo || readOnly} onClick={() => store.getState().undo()} title="Ctrl+Z">
        Undo
      </button>
      <button type="button" disabled={!canRedo || readOnly} onClick={() => store.getState().redo()} title="Ctrl+Shift+Z">
        Redo
      </button>
      <button type="button" disabled={readOnly} onClick={props.onLayout} title="L">
        Auto layout
      </button>
      <button type="button" onClick={props.onFit} title="F">
        Fit view
      </button>
      <button type="button" onClick={props.onExport}>
        Export JSON
      </button>
      <Link className="button" href={`/flows/${encodeURIComponent(flowId)}/versions`}>
        Versions
      </Link>
      <button type="button" aria-label="Keyboard shortcuts" onClick={props.onHelp} title="?">
        ?
      </button>
      <button type="button" className="primary" disabled={readOnly || status === "conflict"} onClick={props.onPublish}>
        Publish
      </button>
    </header>
  );
}
