"use client";
// Calls (viewer): the runtime's call log, newest first, filtered and paged through GET /api/calls.
import Link from "next/link";
import { useCallback, useEffect, useState } from "react";
import type { CallSummary } from "../lib/server/runtime/calls";
import { api, errorText, type FlowSummary } from "../lib/client/api";
import { useRequireUser } from "../lib/client/auth";
import { AppHeader } from "../components/AppHeader";
import { DataTable, ErrorLine } from "../components/list/DataTable";
import { Pager, useFilteredPages } from "../components/list/Pager";
import { HANGUP_CAUSE_NAMES, formatDuration, formatTime } from "./format";
import { LiveCalls } from "./LiveCalls";
import { RetentionCard } from "./RetentionCard";

interface Filters {
  since: string;
  until: string;
  called: string;
  caller: string;
  flowId: string;
  version: string;
  cause: string;
  minDuration: string;
  maxDuration: string;
}

const NO_FILTERS: Filters = { since: "", until: "", called: "", caller: "", flowId: "", version: "", cause: "", minDuration: "", maxDuration: "" };
const PAGE_SIZE = 25;

/** datetime-local values are the browser's local time; the API takes instants. */
const toInstant = (local: string) => (local ? new Date(local).toISOString() : "");

function queryOf(f: Filters, cursor: string | null): string {
  const q = new URLSearchParams({ limit: String(PAGE_SIZE) });
  const set = (k: string, v: string) => v.trim() && q.set(k, v.trim());
  set("since", toInstant(f.since));
  set("until", toInstant(f.until));
  set("called", f.called);
  set("caller", f.caller);
  set("flowId", f.flowId);
  set("version", f.version);
  set("cause", f.cause);
  set("minDuration", f.minDuration);
  set("maxDuration", f.maxDuration);
  if (cursor) q.set("cursor", cursor);
  return q.toString();
}

export function CallsPage() {
  const { user, error: authError } = useRequireUser();
  const pages = useFilteredPages(NO_FILTERS);
  const { draft, setDraft, filters, cursor, apply, clear } = pages;
  const [calls, setCalls] = useState<CallSummary[] | null>(null);
  const [nextCursor, setNextCursor] = useState<string | null>(null);
  const [flows, setFlows] = useState<FlowSummary[]>([]);
  const [error, setError] = useState<string | null>(null);

  const load = useCallback(() => {
    setError(null);
    api<{ calls: CallSummary[]; nextCursor: string | null }>("GET", `/api/calls?${queryOf(filters, cursor)}`)
      .then((r) => {
        setCalls(r.calls);
        setNextCursor(r.nextCursor);
      })
      .catch((e) => setError(errorText(e)));
  }, [filters, cursor]);

  useEffect(() => {
    if (user) load();
  }, [user, load]);
  useEffect(() => {
    if (user) api<{ flows: FlowSummary[] }>("GET", "/api/flows").then((r) => setFlows(r.flows), () => undefined);
  }, [user]);

  const field = (key: keyof Filters) => ({
    value: draft[key],
    onChange: (e: { target: { value: string } }) => setDraft({ ...draft, [key]: e.target.value }),
  });

  if (authError) return <main className="page error-box">{authError}</main>;
  return (
    <>
      <AppHeader user={user} current="calls" />
      <main className="page">
        <h1>Calls</h1>
        {user && <LiveCalls user={user} />}
        {user && <RetentionCard user={user} />}
        <form className="card toolbar-card calls-filters" aria-label="Call filters" onSubmit={apply}>
          <label className="field">
            From
            <input type="datetime-local" {...field("since")} />
          </label>
          <label className="field">
            To
            <input type="datetime-local" {...field("until")} />
          </label>
          <label className="field">
            Called number
            <input {...field("called")} maxLength={100} />
          </label>
          <label className="field">
            Caller
            <input {...field("caller")} maxLength={100} />
          </label>
          <label className="field">
            Flow
            <select aria-label="Flow" {...field("flowId")}>
              <option value="">Any</option>
              {flows.map((f) => (
                <option key={f.id} value={f.id}>
                  {f.name}
                </option>
              ))}
            </select>
          </label>
          <label className="field">
            Version
            <input inputMode="numeric" pattern="\d*" size={5} {...field("version")} />
          </label>
          <label className="field">
            Hangup cause
            <input list="hangup-causes" {...field("cause")} />
            <datalist id="hangup-causes">
              {HANGUP_CAUSE_NAMES.map((c) => (
                <option key={c} value={c} />
              ))}
            </datalist>
          </label>
          <label className="field">
            Min duration (s)
            <input inputMode="decimal" size={5} {...field("minDuration")} />
          </label>
          <label className="field">
            Max duration (s)
            <input inputMode="decimal" size={5} {...field("maxDuration")} />
          </label>
          <button type="submit" className="primary">
            Filter
          </button>
          <button type="button" onClick={clear}>
            Clear
          </button>
        </form>
        <ErrorLine error={error} />
        <DataTable
          label="Calls"
          rows={calls}
          empty={`No calls${filters === NO_FILTERS ? " yet" : " match these filters"}.`}
          columns={["Started", "Caller", "Called", "Flow", "Version", "Duration", "Path", "Last node", "Hangup cause"]}
        >
          {(c) => (
            <tr key={c.id}>
              <td className="nowrap">
                <Link href={`/calls/${encodeURIComponent(c.id)}`}>{formatTime(c.startedAt)}</Link>
              </td>
              <td>{c.from}</td>
              <td>{c.to}</td>
              <td>{c.flowName ?? c.flowId ?? <span className="muted">none</span>}</td>
              <td>{c.version ?? <span className="muted">draft</span>}</td>
              <td>{c.durationMs === null ? <span className="muted">in progress</span> : formatDuration(c.durationMs)}</td>
              <td>{c.pathLength}</td>
              <td>{c.lastNode ?? <span className="muted">none</span>}</td>
              <td>{c.cause ?? ""}</td>
            </tr>
          )}
        </DataTable>
        <Pager page={pages.page} nextCursor={nextCursor} onNewer={pages.newer} onOlder={pages.older} />
      </main>
    </>
  );
}
