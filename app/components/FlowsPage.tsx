"use client";
// The flows list: create (blank or from an example), rename, duplicate, delete, import,
// export, and the FreeSWITCH bundle download.
import Link from "next/link";
import { useCallback, useEffect, useId, useRef, useState, type FormEvent } from "react";
import { api, ApiError, errorText, type FlowDetail, type FlowSummary } from "../lib/client/api";
import { useRequireUser } from "../lib/client/auth";
import { AppHeader } from "./AppHeader";
import { Dialog } from "./Dialog";

type InUse = { flow: FlowSummary; routes: Array<{ pattern?: string; id?: string }>; message: string };

export function FlowsPage({ templates }: { templates: string[] }) {
  const { user, error: authError } = useRequireUser();
  const [flows, setFlows] = useState<FlowSummary[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [name, setName] = useState("");
  const [template, setTemplate] = useState("");
  const [renaming, setRenaming] = useState<FlowSummary | null>(null);
  const [deleting, setDeleting] = useState<FlowSummary | null>(null);
  const [inUse, setInUse] = useState<InUse | null>(null);
  const fileInput = useRef<HTMLInputElement>(null);
  const ids = { name: useId(), template: useId(), rename: useId() };
  const canEdit = user?.role !== "viewer";

  const refresh = useCallback(() => {
    api<{ flows: FlowSummary[] }>("GET", "/api/flows")
      .then((r) => setFlows(r.flows))
      .catch((e) => setError(errorText(e)));
  }, []);
  useEffect(() => {
    if (user) refresh();
  }, [user, refresh]);

  const run = async (fn: () => Promise<unknown>, ok?: string) => {
    setError(null);
    setNotice(null);
    try {
      await fn();
      if (ok) setNotice(ok);
      refresh();
    } catch (e) {
      setError(errorText(e));
    }
  };

  const create = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    try {
      const { flow } = await api<{ flow: FlowDetail }>("POST", "/api/flows", {
        name: name.trim() || template || "Untitled flow",
        template: template || null,
      });
      window.location.assign(`/flows/${encodeURIComponent(flow.id)}`);
    } catch (err) {
      setError(errorText(err));
    }
  };

  const importFile = async (file: File) => {
    await run(async () => {
      let graph: unknown;
      try {
        graph = JSON.parse(await file.text());
      } catch {
        throw new Error(`${file.name} is not JSON.`);
      }
      await api("POST", "/api/flows/import", { graph });
    }, `Imported ${file.name}.`);
    if (fileInput.current) fileInput.current.value = "";
  };

  const remove = async (flow: FlowSummary, force = false) => {
    setError(null);
    try {
      await api("DELETE", `/api/flows/${encodeURIComponent(flow.id)}?confirm=true${force ? "&force=true" : ""}`);
      setDeleting(null);
      setInUse(null);
      setNotice(`Deleted “${flow.name}”.`);
      refresh();
    } catch (e) {
      setDeleting(null);
      if (e instanceof ApiError && e.status === 409 && e.code === "in_use") {
        setInUse({ flow, routes: (e.body.routes as InUse["routes"]) ?? [], message: e.message });
      } else setError(errorText(e));
    }
  };

  if (authError) return <main className="page error-box">{authError}</main>;
  return (
    <>
      <AppHeader user={user} current="flows" />
      <main className="page">
        <h1>Flows</h1>
        {canEdit && (
          <section className="card toolbar-card">
            <form className="create-flow" onSubmit={create} aria-label="Create a flow">
              <div className="field">
                <label htmlFor={ids.name}>New flow name</label>
                <input id={ids.name} value={name} placeholder="Main menu" onChange={(e) => setName(e.target.value)} />
              </div>
              <div className="field">
                <label htmlFor={ids.template}>Start from</label>
                <select id={ids.template} value={template} onChange={(e) => setTemplate(e.target.value)}>
                  <option value="">Blank flow</option>
                  {templates.map((t) => (
                    <option key={t} value={t}>
                      Example: {t}
                    </option>
                  ))}
                </select>
              </div>
              <button type="submit" className="primary">
                Create flow
              </button>
            </form>
            <div className="import">
              <label className="button" htmlFor="import-file">
                Import JSON…
              </label>
              <input
                id="import-file"
                ref={fileInput}
                className="visually-hidden"
                type="file"
                accept="application/json,.json"
                aria-label="Import flow JSON"
                onChange={(e) => e.target.files?.[0] && void importFile(e.target.files[0])}
              />
            </div>
          </section>
        )}
        {error && (
          <p className="error-box" role="alert">
            {error}
          </p>
        )}
        {notice && (
          <p className="notice" role="status">
            {notice}
          </p>
        )}
        {!flows ? (
          <p className="muted">Loading…</p>
        ) : flows.length === 0 ? (
          <p className="muted">No flows yet. Create one above.</p>
        ) : (
          <table className="data-table" aria-label="Flows">
            <thead>
              <tr>
                <th>Name</th>
                <th>Revision</th>
                <th>Published</th>
                <th>Updated</th>
                <th>Actions</th>
              </tr>
            </thead>
            <tbody>
              {flows.map((f) => (
                <tr key={f.id}>
                  <td>
                    <Link href={`/flows/${encodeURIComponent(f.id)}`}>{f.name}</Link>
                    {f.description && <div className="muted small">{f.description}</div>}
                  </td>
                  <td>{f.revision}</td>
                  <td className="nowrap">{f.publishedVersion === null ? <span className="muted">draft only</span> : `v${f.publishedVersion}`}</td>
                  <td className="nowrap">{new Date(f.updatedAt).toLocaleString()}</td>
                  <td className="actions">
                    {canEdit && (
                      <>
                        <button type="button" className="small" aria-label={`Rename ${f.name}`} onClick={() => setRenaming(f)}>
                          Rename
                        </button>
                        <button
                          type="button"
                          className="small"
                          aria-label={`Duplicate ${f.name}`}
                          onClick={() => void run(() => api("POST", `/api/flows/${encodeURIComponent(f.id)}/duplicate`), `Duplicated “${f.name}”.`)}
                        >
                          Duplicate
                        </button>
                      </>
                    )}
                    <a className="button small" href={`/api/flows/${encodeURIComponent(f.id)}/export.json`} download aria-label={`Export ${f.name}`}>
                      Export
                    </a>
                    <a className="button small" href={`/api/flows/${encodeURIComponent(f.id)}/bundle.zip`} download aria-label={`Download bundle of ${f.name}`}>
                      Bundle
                    </a>
                    <Link className="button small" href={`/flows/${encodeURIComponent(f.id)}/versions`} aria-label={`Versions of ${f.name}`}>
                      Versions
                    </Link>
                    {canEdit && (
                      <button type="button" className="small danger" aria-label={`Delete ${f.name}`} onClick={() => setDeleting(f)}>
                        Delete
                      </button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </main>
      {renaming && (
        <RenameDialog
          flow={renaming}
          inputId={ids.rename}
          onClose={() => setRenaming(null)}
          onSave={(newName) =>
            void run(async () => {
              await api("PATCH", `/api/flows/${encodeURIComponent(renaming.id)}`, { name: newName });
              setRenaming(null);
            })
          }
        />
      )}
      {deleting && (
        <Dialog title="Delete flow" onClose={() => setDeleting(null)}>
          <p>
            Delete <strong>{deleting.name}</strong> with its draft and all published versions? This cannot be undone.
          </p>
          <footer className="dialog-actions">
            <button type="button" onClick={() => setDeleting(null)}>
              Cancel
            </button>
            <button type="button" className="danger" onClick={() => void remove(deleting)}>
              Delete
            </button>
          </footer>
        </Dialog>
      )}
      {inUse && (
        <Dialog title="Flow in use" onClose={() => setInUse(null)}>
          <p role="alert">{inUse.message}</p>
          {inUse.routes.length > 0 && (
            <ul>
              {inUse.routes.map((r, i) => (
                <li key={r.id ?? i}>
                  <code>{r.pattern ?? r.id}</code>
                </li>
              ))}
            </ul>
          )}
          <p className="help">Point those routes at another flow first{user?.role === "admin" ? ", or delete the flow together with its routes" : ""}.</p>
          <footer className="dialog-actions">
            <button type="button" onClick={() => setInUse(null)}>
              Cancel
            </button>
            {user?.role === "admin" && (
              <button type="button" className="danger" onClick={() => void remove(inUse.flow, true)}>
                Delete flow and routes
              </button>
            )}
          </footer>
        </Dialog>
      )}
    </>
  );
}

function RenameDialog({
  flow,
  inputId,
  onClose,
  onSave,
}: {
  flow: FlowSummary;
  inputId: string;
  onClose: () => void;
  onSave: (name: string) => void;
}) {
  const [value, setValue] = useState(flow.name);
  return (
    <Dialog title="Rename flow" onClose={onClose}>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          if (value.trim()) onSave(value.trim());
        }}
      >
        <div className="field">
          <label htmlFor={inputId}>Name</label>
          <input id={inputId} autoFocus value={value} onChange={(e) => setValue(e.target.value)} />
        </div>
        <footer className="dialog-actions">
          <button type="button" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" className="primary">
            Rename
          </button>
        </footer>
      </form>
    </Dialog>
  );
}
