"use client";
// Audit log (admin): who did what, newest first, filtered by actor, action and time, paged
// through GET /api/audit.
import { useEffect, useId, useState } from "react";
import { api, errorText } from "../../lib/client/api";
import { useRequireUser } from "../../lib/client/auth";
import type { AuditView } from "../../lib/server/audit";
import { AppHeader } from "../AppHeader";
import { DataTable, ErrorLine } from "../list/DataTable";
import { Pager, useFilteredPages } from "../list/Pager";

interface Filters {
  actor: string;
  action: string;
  since: string;
  until: string;
}
const NO_FILTERS: Filters = { actor: "", action: "", since: "", until: "" };
const PAGE = 50;

/** A datetime-local value (the browser's zone) as an ISO instant. */
const instant = (local: string) => (local ? new Date(local).toISOString() : "");

function queryOf(f: Filters, cursor: string | null): string {
  const q = new URLSearchParams({ limit: String(PAGE) });
  if (f.actor) q.set("actor", f.actor);
  if (f.action) q.set("action", f.action);
  if (f.since) q.set("since", instant(f.since));
  if (f.until) q.set("until", instant(f.until));
  if (cursor) q.set("cursor", cursor);
  return q.toString();
}

function detailsText(d: unknown): string {
  if (d === null || d === undefined) return "";
  const text = JSON.stringify(d);
  return text.length > 300 ? `${text.slice(0, 300)}…` : text;
}

export function AuditLogPage() {
  const { user, error: authError } = useRequireUser();
  const ids = { actor: useId(), action: useId(), since: useId(), until: useId() };
  const pages = useFilteredPages(NO_FILTERS);
  const { draft, setDraft, filters, cursor, apply, clear } = pages;
  const [entries, setEntries] = useState<AuditView[] | null>(null);
  const [nextCursor, setNextCursor] = useState<string | null>(null);
  const [facets, setFacets] = useState<{ actions: string[]; actors: string[] }>({ actions: [], actors: [] });
  const [error, setError] = useState<string | null>(null);
  const isAdmin = user?.role === "admin";

  useEffect(() => {
    if (!isAdmin) return;
    api<{ actions: string[]; actors: string[] }>("GET", "/api/audit/facets")
      .then(setFacets)
      .catch(() => undefined);
  }, [isAdmin]);

  useEffect(() => {
    if (!isAdmin) return;
    let live = true;
    setError(null);
    api<{ entries: AuditView[]; nextCursor: string | null }>("GET", `/api/audit?${queryOf(filters, cursor)}`)
      .then((r) => {
        if (!live) return;
        setEntries(r.entries);
        setNextCursor(r.nextCursor);
      })
      .catch((e) => live && setError(errorText(e)));
    return () => {
      live = false;
    };
  }, [isAdmin, filters, cursor]);

  const set = (k: keyof Filters) => (e: { target: { value: string } }) => setDraft({ ...draft, [k]: e.target.value });

  if (authError) return <main className="page error-box">{authError}</main>;
  return (
    <>
      <AppHeader user={user} current="admin" />
      <main className="page">
        <h1>Audit log</h1>
        {user && !isAdmin && <p className="error-box">The audit log is for admins.</p>}
        {isAdmin && (
          <>
            <form className="card toolbar-card" aria-label="Audit filters" onSubmit={apply}>
              <div className="field">
                <label htmlFor={ids.actor}>Actor</label>
                <select id={ids.actor} value={draft.actor} onChange={set("actor")}>
                  <option value="">anyone</option>
                  {facets.actors.map((a) => (
                    <option key={a} value={a}>
                      {a}
                    </option>
                  ))}
                </select>
              </div>
              <div className="field">
                <label htmlFor={ids.action}>Action</label>
                <input id={ids.action} list={`${ids.action}-list`} value={draft.action} placeholder="user, flow.publish…" onChange={set("action")} />
                <datalist id={`${ids.action}-list`}>
                  {[...new Set(facets.actions.map((a) => a.split(".")[0]))].map((noun) => (
                    <option key={noun} value={noun} />
                  ))}
                  {facets.actions.map((a) => (
                    <option key={a} value={a} />
                  ))}
                </datalist>
              </div>
              <div className="field">
                <label htmlFor={ids.since}>From</label>
                <input id={ids.since} type="datetime-local" value={draft.since} onChange={set("since")} />
              </div>
              <div className="field">
                <label htmlFor={ids.until}>To</label>
                <input id={ids.until} type="datetime-local" value={draft.until} onChange={set("until")} />
              </div>
              <button type="submit" className="primary">
                Filter
              </button>
              <button type="button" onClick={clear}>
                Clear
              </button>
            </form>
            <ErrorLine error={error} />
            <DataTable
              label="Audit log"
              rows={entries}
              showLoading={!error}
              empty={`No entries${filters === NO_FILTERS ? " yet" : " match these filters"}.`}
              columns={["Time", "Actor", "Action", "Target", "Details"]}
            >
              {(e) => (
                <tr key={e.id} data-action={e.action}>
                  <td className="nowrap">{new Date(e.at).toLocaleString()}</td>
                  <td>
                    {e.actor || <span className="muted">{e.via === "system" ? "system" : "anonymous"}</span>}
                    {e.via === "token" && <div className="help">API token</div>}
                  </td>
                  <td>
                    <code>{e.action}</code>
                  </td>
                  <td>
                    {e.target || e.targetId} {e.targetType && <span className="tag">{e.targetType}</span>}
                  </td>
                  <td className="mono small">{detailsText(e.details)}</td>
                </tr>
              )}
            </DataTable>
            <Pager page={pages.page} nextCursor={nextCursor} onNewer={pages.newer} onOlder={pages.older} />
          </>
        )}
      </main>
    </>
  );
}
