"use client";
// Publish the saved draft as the next version (with a note). Validation errors from the
// server (400) are listed; clicking one focuses its node.
import { useEffect, useId, useState } from "react";
import type { Diagnostic } from "../../flow/diagnostics";
import { api, ApiError, type FlowVersionSummary } from "../lib/client/api";
import { Dialog } from "../components/Dialog";
import { useDesignerStore } from "./context";
import { useFocusNode } from "./useFocusNode";

export function PublishDialog({
  onClose,
  saveNow,
  onPublished,
}: {
  onClose: () => void;
  saveNow: () => Promise<boolean>;
  onPublished: (v: FlowVersionSummary) => void;
}) {
  const store = useDesignerStore();
  const focusNode = useFocusNode();
  const noteId = useId();
  const [note, setNote] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [diagnostics, setDiagnostics] = useState<Diagnostic[]>([]);
  const [missingPrompts, setMissingPrompts] = useState<Diagnostic[]>([]);

  // Before publishing: prompt files this server does not have (IVR1030), from the server's validation.
  useEffect(() => {
    const s = store.getState();
    let live = true;
    api<{ diagnostics: Diagnostic[] }>("POST", `/api/flows/${encodeURIComponent(s.flowId)}/validate`, { graph: s.graph() })
      .then((r) => live && setMissingPrompts(r.diagnostics.filter((d) => d.code === "IVR1030")))
      .catch(() => undefined);
    return () => {
      live = false;
    };
  }, [store]);

  const publish = async () => {
    setBusy(true);
    setError(null);
    setDiagnostics([]);
    try {
      if (!(await saveNow())) {
        setError(store.getState().conflictMessage ?? store.getState().saveError ?? "The draft could not be saved.");
        return;
      }
      const s = store.getState();
      const { version } = await api<{ version: FlowVersionSummary }>("POST", `/api/flows/${encodeURIComponent(s.flowId)}/publish`, {
        note,
        baseRevision: s.revision,
      });
      onPublished(version);
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
      if (e instanceof ApiError) setDiagnostics(e.diagnostics);
    } finally {
      setBusy(false);
    }
  };

  return (
    <Dialog title="Publish flow" onClose={onClose}>
      <div className="field">
        <label htmlFor={noteId}>Note</label>
        <textarea id={noteId} rows={3} value={note} placeholder="What changed?" onChange={(e) => setNote(e.target.value)} />
      </div>
      {missingPrompts.length > 0 && (
        <div className="warning-box" role="status" aria-label="Missing prompts">
          <p>These prompts are not on this server yet; callers would hear nothing there. Upload them (Prompts page) or publish anyway.</p>
          <ul className="diagnostics">
            {missingPrompts.map((d, i) => (
              <li key={i} className="diag diag-warning">
                {d.nodeId && <code>{d.nodeId}</code>} {d.message}
              </li>
            ))}
          </ul>
        </div>
      )}
      {error && (
        <div className="error-box" role="alert">
          <p>{error}</p>
          {diagnostics.length > 0 && (
            <ul className="diagnostics">
              {diagnostics.map((d, i) => (
                <li key={i} className={`diag diag-${d.severity}`}>
                  <button
                    type="button"
                    disabled={!d.nodeId}
                    onClick={() => {
                      if (d.nodeId) focusNode(d.nodeId);
                      onClose();
                    }}
                  >
                    <span className={`sev sev-${d.severity}`}>{d.severity}</span> {d.nodeId && <code>{d.nodeId}</code>} {d.message}
                  </button>
                </li>
              ))}
            </ul>
          )}
        </div>
      )}
      <footer className="dialog-actions">
        <button type="button" onClick={onClose}>
          Cancel
        </button>
        <button type="button" className="primary" disabled={busy} onClick={publish}>
          {busy ? "Publishing…" : "Publish"}
        </button>
      </footer>
    </Dialog>
  );
}
