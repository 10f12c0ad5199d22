"use client";
// The designer's top bar: name, save status, history, layout, publish.
import Link from "next/link";
import { specOf } from "../../flow/catalog";
import type { Role } from "../lib/client/api";
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
  role: Role;
}) {
  const store = useDesignerStore();
  const name = useDesigner((s) => s.name);
  const flowId = useDesigner((s) => s.flowId);
  const status = useDesigner((s) => s.saveStatus);
  const saveError = useDesigner((s) => s.saveError);
  const canUndo = useDesigner((s) => s.past.length > 0);
  const canRedo = useDesigner((s) => s.future.length > 0);
  const readOnly = useDesigner((s) => s.readOnly);
  // Custom code is admin-only: the server refuses an editor's publish, so say why up front.
  const editorBlocked = useDesigner((s) => props.role === "editor" && s.nodes.some((n) => specOf(n.data.kind)?.adminOnly));
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
      {readOnly ? (
        <span className="readonly-badge" role="status" aria-label="Save status" title="You can look at this flow but not change it.">
          {props.role === "viewer" ? "Read-only (viewer)" : "Read-only"}
        </span>
      ) : (
        <span className={`save-status status-${status}`} role="status" aria-label="Save status" title={saveError ?? undefined}>
          {STATUS_TEXT[status]}
        </span>
      )}
      {props.publishedNote && <span className="published-note">{props.publishedNote}</span>}
      <span className="spacer" />
      {!readOnly && (
        <>
          <button type="button" disabled={!canUndo} onClick={() => store.getState().undo()} title="Ctrl+Z">
            Undo
          </button>
          <button type="button" disabled={!canRedo} onClick={() => store.getState().redo()} title="Ctrl+Shift+Z">
            Redo
          </button>
          <button type="button" onClick={props.onLayout} title="L">
            Auto layout
          </button>
        </>
      )}
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
      {!readOnly && editorBlocked && (
        <span className="publish-hint" id="publish-hint">
          Contains Custom code: only an admin can publish.
        </span>
      )}
      {!readOnly && (
        <button
          type="button"
          className="primary"
          disabled={status === "conflict" || editorBlocked}
          aria-describedby={editorBlocked ? "publish-hint" : undefined}
          title={editorBlocked ? "Custom code runs arbitrary Lua: only an admin can publish this flow." : undefined}
          onClick={props.onPublish}
        >
          Publish
        </button>
      )}
    </header>
  );
}
