"use client";
// Published versions of a flow: list, readable diff against the previous one (or the
// draft), and rollback (publishes a copy of an old version as the next one; not offered on the
// current version, which is what rolling back would copy). Version 1 has no previous version:
// its "changes" are what it contained.
import Link from "next/link";
import { useCallback, useEffect, useState } from "react";
import { api, errorText, type DiffChange, type FlowDetail, type FlowVersionSummary } from "../lib/client/api";
import { useRequireUser } from "../lib/client/auth";
import { AppHeader } from "./AppHeader";
import { Dialog } from "./Dialog";

export function VersionHistory({ id }: { id: string }) {
  const { user, error: authError } = useRequireUser();
  const base = `/api/flows/${encodeURIComponent(id)}`;
  const [flow, setFlow] = useState<FlowDetail | null>(null);
  const [versions, setVersions] = useState<FlowVersionSummary[] | null>(null);
  const [selected, setSelected] = useState<number | null>(null);
  const [against, setAgainst] = useState<"previous" | "draft">("previous");
  const [changes, setChanges] = useState<DiffChange[] | null>(null);
  /** The version the shown changes start from; null: none (the first version, shown as its content). */
  const [from, setFrom] = useState<number | "draft" | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [rollingBack, setRollingBack] = useState<number | null>(null);

  const refresh = useCallback(() => {
    Promise.all([api<{ flow: FlowDetail }>("GET", base), api<{ versions: FlowVersionSummary[] }>("GET", `${base}/versions`)])
      .then(([f, v]) => {
        setFlow(f.flow);
        const list = [...v.versions].sort((a, b) => b.number - a.number);
        setVersions(list);
        setSelected((s) => s ?? list[0]?.number ?? null);
      })
      .catch((e) => setError(errorText(e)));
  }, [base]);
  useEffect(() => {
    if (user) refresh();
  }, [user, refresh]);

  useEffect(() => {
    if (selected === null) return;
    setChanges(null);
    const q = against === "draft" ? "?against=draft" : "";
    api<{ changes: DiffChange[]; from: { version: number | null } }>("GET", `${base}/versions/${selected}/diff${q}`)
      .then((r) => {
        setFrom(against === "draft" ? "draft" : r.from.version);
        setChanges(r.changes);
      })
      .catch((e) => setError(errorText(e)));
  }, [base, selected, against]);

  const rollback = async (n: number) => {
    setError(null);
    try {
      const { version } = await api<{ version: FlowVersionSummary }>("POST", `${base}/versions/${n}/rollback`, {
        note: `Rollback to version ${n}`,
      });
      setNotice(`Version ${n} was published again as version ${version.number}; the draft is now that graph.`);
      setSelected(version.number);
      refresh();
    } catch (e) {
      setError(errorText(e));
    } finally {
      setRollingBack(null);
    }
  };

  // The version routes run by default and the draft started from: the newest one.
  const current = flow?.publishedVersion ?? versions?.[0]?.number ?? null;

  if (authError) return <main className="page error-box">{authError}</main>;
  return (
    <>
      <AppHeader user={user} current="versions" />
      <main className="page">
        <p>
          <Link href={`/flows/${encodeURIComponent(id)}`}>← Back to the designer</Link>
        </p>
        <h1>Versions{flow ? ` of ${flow.name}` : ""}</h1>
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
        {!versions ? (
          <p className="muted">Loading…</p>
        ) : versions.length === 0 ? (
          <p className="muted">Nothing published yet. Publish from the designer.</p>
        ) : (
          <div className="versions-layout">
            <table className="data-table" aria-label="Versions">
              <thead>
                <tr>
                  <th>Version</th>
                  <th>Note</th>
                  <th>Author</th>
                  <th>Published</th>
                  <th />
                </tr>
              </thead>
              <tbody>
                {versions.map((v) => (
                  <tr key={v.number} className={v.number === selected ? "selected" : ""}>
                    <td>
                      <button type="button" className="link" onClick={() => setSelected(v.number)} aria-label={`Show changes in version ${v.number}`}>
                        Version {v.number}
                      </button>
                      {v.number === current && <span className="tag current-tag">current</span>}
                    </td>
                    <td>{v.note}</td>
                    <td>{v.author}</td>
                    <td>{new Date(v.createdAt).toLocaleString()}</td>
                    <td>
                      {user?.role !== "viewer" && v.number !== current && (
                        <button type="button" className="small" onClick={() => setRollingBack(v.number)}>
                          Roll back to this
                        </button>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
            {selected !== null && (
              <section className="card diff" aria-label="Changes">
                <header className="diff-head">
                  <h2>Version {selected}</h2>
                  <label>
                    compared with{" "}
                    <select value={against} onChange={(e) => setAgainst(e.target.value as "previous" | "draft")} aria-label="Compare with">
                      <option value="previous">the previous version</option>
                      <option value="draft">the current draft</option>
                    </select>
                  </label>
                </header>
                {changes && from === null && (
                  <p className="muted">First version: nothing was published before it, so this is everything it contained.</p>
                )}
                {!changes ? (
                  <p className="muted">Loading…</p>
                ) : changes.length === 0 ? (
                  <p className="muted">No changes.</p>
                ) : (
                  <ul className="changes">
                    {changes.map((c, i) => (
                      <li key={i} className={`change change-${c.type}`}>
                        <span className="change-type">{c.type.replace(/_/g, " ")}</span> {c.text}
                      </li>
                    ))}
                  </ul>
                )}
              </section>
            )}
          </div>
        )}
      </main>
      {rollingBack !== null && (
        <Dialog title="Roll back" onClose={() => setRollingBack(null)}>
          <p>
            Publish a copy of version {rollingBack} as the next version? The draft becomes that graph too; unsaved designer changes in
            other tabs will conflict.
          </p>
          <footer className="dialog-actions">
            <button type="button" onClick={() => setRollingBack(null)}>
              Cancel
            </button>
            <button type="button" className="primary" onClick={() => void rollback(rollingBack)}>
              Roll back
            </button>
          </footer>
        </Dialog>
      )}
    </>
  );
}
