"use client";
// Publish the saved draft as the next version (with a note). When it opens, the dialog checks
// the flow as it is now (the server's validation, with the publisher's rights) and compares it
// with the last published version, so problems and changes are in front of the publisher before
// the click. Errors hold the Publish button; clicking a problem focuses its node.
import { useEffect, useId, useMemo, useState } from "react";
import type { Diagnostic } from "../../flow/diagnostics";
import { diffFlows, type FlowChange } from "../../flow/diff";
import type { FlowGraph } from "../../flow/graph";
import { api, ApiError, type FlowVersionSummary } from "../lib/client/api";
import { Dialog } from "../components/Dialog";
import { useDesignerStore } from "./context";
import { useFocusNode } from "./useFocusNode";

/** IVR1030: a prompt this server does not have; shown apart, it never blocks publishing. */
const MISSING_PROMPT = "IVR1030";
/** Changes listed before "and N more". */
const CHANGES_SHOWN = 12;

type Check =
  | { state: "checking" }
  | { state: "failed"; message: string }
  | { state: "done"; diagnostics: Diagnostic[]; last: number | null; changes: FlowChange[]; counts: { nodes: number; edges: number } };

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
  const [refused, setRefused] = useState<Diagnostic[]>([]);
  const [check, setCheck] = useState<Check>({ state: "checking" });

  useEffect(() => {
    const s = store.getState();
    const base = `/api/flows/${encodeURIComponent(s.flowId)}`;
    const graph = s.graph();
    let live = true;
    (async () => {
      const [validation, list] = await Promise.all([
        api<{ diagnostics: Diagnostic[] }>("POST", `${base}/validate`, { graph }),
        api<{ versions: FlowVersionSummary[] }>("GET", `${base}/versions`),
      ]);
      const last = list.versions.reduce<number | null>((m, v) => (m === null || v.number > m ? v.number : m), null);
      const changes =
        last === null ? [] : diffFlows((await api<{ version: { graph: FlowGraph } }>("GET", `${base}/versions/${last}`)).version.graph, graph);
      if (live) setCheck({ state: "done", diagnostics: validation.diagnostics, last, changes, counts: { nodes: graph.nodes.length, edges: graph.edges.length } });
    })().catch((e) => live && setCheck({ state: "failed", message: e instanceof Error ? e.message : String(e) }));
    return () => {
      live = false;
    };
  }, [store]);

  const labels = useMemo(() => new Map(store.getState().nodes.map((n) => [n.id, n.data.label])), [store]);
  const problems = check.state === "done" ? check.diagnostics.filter((d) => d.code !== MISSING_PROMPT) : [];
  const missingPrompts = check.state === "done" ? check.diagnostics.filter((d) => d.code === MISSING_PROMPT) : [];
  const errorCount = problems.filter((d) => d.severity === "error").length;

  const goTo = (d: Diagnostic) => {
    if (!d.nodeId) return;
    focusNode(d.nodeId);
    onClose();
  };

  const publish = async () => {
    setBusy(true);
    setError(null);
    setRefused([]);
    try {
      if (!(await saveNow())) {
        setError(store.getState().conflictMessage ?? store.getState().saveError ?? "The draft could not be saved.");
        return;
      }
      const s = store.getState();
      const { version } = await api<{ version: FlowVersionSummary }>("POST", `/api/flows/${encodeURIComponent(s.flowId)}/publish`, {
        note,
        baseRevision: s.revision,
        // The check above put missing prompts, gateways, users and phrases in front of the
        // publisher; the server refuses them (422) unless told to go ahead.
        publishAnyway: check.state === "done",
      });
      onPublished(version);
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
      if (e instanceof ApiError) setRefused(e.diagnostics);
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

      {check.state === "checking" && (
        <p className="muted" role="status">
          Checking the flow…
        </p>
      )}
      {check.state === "failed" && (
        <p className="warning-box" role="status">
          The flow could not be checked ({check.message}); publishing still validates it.
        </p>
      )}
      {check.state === "done" && (
        <>
          {problems.length > 0 ? (
            <section className={errorCount ? "error-box" : "warning-box"} aria-label="Problems">
              <p>
                {errorCount
                  ? `${errorCount} error${errorCount === 1 ? "" : "s"} must be fixed before this flow can be published.`
                  : "Warnings: the flow can be published, but check these first."}
              </p>
              <DiagnosticList items={problems} labels={labels} onPick={goTo} />
            </section>
          ) : (
            <p className="ok-text" role="status">
              No problems found.
            </p>
          )}
          {missingPrompts.length > 0 && (
            <div className="warning-box" role="status" aria-label="Missing prompts">
              <p>These prompts are not on this server yet; callers would hear nothing there. Upload them (Prompts page) or publish anyway.</p>
              <DiagnosticList items={missingPrompts} labels={labels} onPick={goTo} />
            </div>
          )}
          <ChangeSummary last={check.last} changes={check.changes} counts={check.counts} />
        </>
      )}

      {error && (
        <div className="error-box" role="alert">
          <p>{error}</p>
          {refused.length > 0 && <DiagnosticList items={refused} labels={labels} onPick={goTo} />}
        </div>
      )}
      <footer className="dialog-actions">
        <button type="button" onClick={onClose}>
          Cancel
        </button>
        <button
          type="button"
          className="primary"
          disabled={busy || check.state === "checking" || errorCount > 0}
          title={errorCount > 0 ? "Fix the errors listed above first" : undefined}
          onClick={publish}
        >
          {busy ? "Publishing…" : "Publish"}
        </button>
      </footer>
    </Dialog>
  );
}

function DiagnosticList({ items, labels, onPick }: { items: Diagnostic[]; labels: Map<string, string>; onPick: (d: Diagnostic) => void }) {
  return (
    <ul className="diagnostics">
      {items.map((d, i) => (
        <li key={i} className={`diag diag-${d.severity}`}>
          <button type="button" disabled={!d.nodeId} onClick={() => onPick(d)} title={d.nodeId ? "Show this node" : undefined}>
            <span className={`sev sev-${d.severity}`}>{d.severity}</span>
            {d.nodeId && (
              <span className="diag-node">
                {labels.get(d.nodeId) ? `${labels.get(d.nodeId)} · ` : ""}
                {d.nodeId}
              </span>
            )}
            <span className="diag-msg">{d.message}</span>
          </button>
        </li>
      ))}
    </ul>
  );
}

function ChangeSummary({ last, changes, counts }: { last: number | null; changes: FlowChange[]; counts: { nodes: number; edges: number } }) {
  if (last === null) {
    return (
      <section className="publish-changes" aria-label="Changes">
        <h3>First version</h3>
        <p className="muted">
          Nothing is published yet: version 1 will be the flow as it is now ({counts.nodes} node{counts.nodes === 1 ? "" : "s"}, {counts.edges}{" "}
          connection{counts.edges === 1 ? "" : "s"}).
        </p>
      </section>
    );
  }
  return (
    <section className="publish-changes" aria-label="Changes">
      <h3>Changes since version {last}</h3>
      {changes.length === 0 ? (
        <p className="muted">None: the new version would run exactly like version {last}.</p>
      ) : changes.every((c) => c.type === "test_case_changed") && changes.length <= CHANGES_SHOWN ? (
        <>
          <p className="muted">Only test cases changed: the new version would run exactly like version {last}.</p>
          <ul className="changes">
            {changes.map((c, i) => (
              <li key={i} className={`change change-${c.type}`}>
                {c.text}
              </li>
            ))}
          </ul>
        </>
      ) : (
        <ul className="changes">
          {changes.slice(0, CHANGES_SHOWN).map((c, i) => (
            <li key={i} className={`change change-${c.type}`}>
              {c.text}
            </li>
          ))}
          {changes.length > CHANGES_SHOWN && <li className="muted">and {changes.length - CHANGES_SHOWN} more (see Versions after publishing)</li>}
        </ul>
      )}
    </section>
  );
}
