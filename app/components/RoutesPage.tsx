"use client";
// Routes: which dialled number (or ^regex$) runs which flow (and which version).
import { useCallback, useEffect, useId, useState, type FormEvent } from "react";
import { api, errorText, type FlowSummary, type RouteRecord } from "../lib/client/api";
import { useRequireUser } from "../lib/client/auth";
import { AppHeader } from "./AppHeader";
import { ConfirmDialog } from "./list/ConfirmDialog";
import { DataTable, ErrorLine, RowActions } from "./list/DataTable";
import { CheckField, FormActions } from "./list/FormParts";

interface Draft {
  id?: string;
  pattern: string;
  flowId: string;
  version: string;
  description: string;
  enabled: boolean;
}

const emptyDraft = (flowId = ""): Draft => ({ pattern: "", flowId, version: "", description: "", enabled: true });

export function RoutesPage() {
  const { user, error: authError } = useRequireUser();
  const [routes, setRoutes] = useState<RouteRecord[] | null>(null);
  const [flows, setFlows] = useState<FlowSummary[]>([]);
  const [draft, setDraft] = useState<Draft | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [warnings, setWarnings] = useState<string[]>([]);
  const [deleting, setDeleting] = useState<RouteRecord | null>(null);
  const canEdit = user?.role !== "viewer";

  const refresh = useCallback(() => {
    Promise.all([api<{ routes: RouteRecord[] }>("GET", "/api/routes"), api<{ flows: FlowSummary[] }>("GET", "/api/flows")])
      .then(([r, f]) => {
        setRoutes(r.routes);
        setFlows(f.flows);
      })
      .catch((e) => setError(errorText(e)));
  }, []);
  useEffect(() => {
    if (user) refresh();
  }, [user, refresh]);

  const save = async (d: Draft) => {
    setError(null);
    setWarnings([]);
    const body = {
      pattern: d.pattern.trim(),
      flowId: d.flowId,
      version: d.version === "" ? null : Number(d.version),
      description: d.description,
      enabled: d.enabled,
    };
    try {
      const r = d.id
        ? await api<{ route: RouteRecord; warnings?: string[] }>("PUT", `/api/routes/${encodeURIComponent(d.id)}`, body)
        : await api<{ route: RouteRecord; warnings?: string[] }>("POST", "/api/routes", body);
      setWarnings(r.warnings ?? []);
      setDraft(null);
      refresh();
    } catch (e) {
      setError(errorText(e));
    }
  };

  const remove = async (r: RouteRecord) => {
    setDeleting(null);
    try {
      await api("DELETE", `/api/routes/${encodeURIComponent(r.id)}`);
      refresh();
    } catch (e) {
      setError(errorText(e));
    }
  };

  if (authError) return <main className="page error-box">{authError}</main>;
  return (
    <>
      <AppHeader user={user} current="routes" />
      <main className="page">
        <h1>Routes</h1>
        <p className="help">
          A route sends calls for a dialled number to a flow. The pattern is an exact number (digits, *, #, +) or a regular expression
          written <code>^…$</code>. Version empty = the latest published version.
        </p>
        {canEdit && !draft && (
          <button type="button" className="primary" onClick={() => setDraft(emptyDraft(flows[0]?.id))}>
            New route
          </button>
        )}
        {draft && <RouteForm draft={draft} flows={flows} onCancel={() => setDraft(null)} onSave={save} />}
        <ErrorLine error={error} />
        {warnings.length > 0 && (
          <ul className="warning-box" role="status" aria-label="Route warnings">
            {warnings.map((w, i) => (
              <li key={i}>{w}</li>
            ))}
          </ul>
        )}
        <DataTable label="Routes" rows={routes} empty="No routes yet." columns={["Pattern", "Flow", "Version", "Description", "Enabled", ""]}>
          {(r) => (
            <tr key={r.id}>
              <td>
                <code>{r.pattern}</code>
              </td>
              <td>{r.flowName}</td>
              <td>{r.version ?? "latest"}</td>
              <td>{r.description}</td>
              <td>{r.enabled ? "yes" : "no"}</td>
              <td className="actions">
                {canEdit && (
                  <RowActions
                    what="route"
                    name={r.pattern}
                    onEdit={() =>
                      setDraft({
                        id: r.id,
                        pattern: r.pattern,
                        flowId: r.flowId,
                        version: r.version === null ? "" : String(r.version),
                        description: r.description,
                        enabled: r.enabled,
                      })
                    }
                    onDelete={() => setDeleting(r)}
                  />
                )}
              </td>
            </tr>
          )}
        </DataTable>
      </main>
      {deleting && (
        <ConfirmDialog title="Delete route" onCancel={() => setDeleting(null)} onConfirm={() => void remove(deleting)}>
          <p>
            Delete the route <code>{deleting.pattern}</code> → {deleting.flowName}? Calls to it will no longer reach the flow.
          </p>
        </ConfirmDialog>
      )}
    </>
  );
}

function RouteForm({ draft, flows, onCancel, onSave }: { draft: Draft; flows: FlowSummary[]; onCancel: () => void; onSave: (d: Draft) => void }) {
  const [d, setD] = useState(draft);
  const ids = { pattern: useId(), flow: useId(), version: useId(), description: useId() };
  const submit = (e: FormEvent) => {
    e.preventDefault();
    onSave(d);
  };
  return (
    <form className="card route-form" onSubmit={submit} aria-label={draft.id ? "Edit route" : "New route"}>
      <div className="field">
        <label htmlFor={ids.pattern}>Pattern</label>
        <input id={ids.pattern} required value={d.pattern} placeholder="5551000 or ^55510\d\d$" onChange={(e) => setD({ ...d, pattern: e.target.value })} />
      </div>
      <div className="field">
        <label htmlFor={ids.flow}>Flow</label>
        <select id={ids.flow} required value={d.flowId} onChange={(e) => setD({ ...d, flowId: e.target.value })}>
          <option value="" disabled>
            Choose a flow
          </option>
          {flows.map((f) => (
            <option key={f.id} value={f.id}>
              {f.name}
            </option>
          ))}
        </select>
      </div>
      <div className="field">
        <label htmlFor={ids.version}>Version</label>
        <input id={ids.version} type="number" min={1} value={d.version} placeholder="latest" onChange={(e) => setD({ ...d, version: e.target.value })} />
      </div>
      <div className="field">
        <label htmlFor={ids.description}>Description</label>
        <input id={ids.description} value={d.description} onChange={(e) => setD({ ...d, description: e.target.value })} />
      </div>
      <CheckField label="Enabled" checked={d.enabled} onChange={(enabled) => setD({ ...d, enabled })} />
      <FormActions submitText={draft.id ? "Save route" : "Create route"} onCancel={onCancel} />
    </form>
  );
}
