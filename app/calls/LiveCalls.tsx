"use client";
// The Calls page's live list: every call in progress with the node it is in, updated by the
// server's events; an admin may hang a call up.
import { useState } from "react";
import { api, errorText, type User } from "../lib/client/api";
import { formatDuration, formatTime } from "./format";
import { useLiveCalls, useNow } from "./useLiveCalls";

export function LiveCalls({ user }: { user: User }) {
  const { calls, error } = useLiveCalls(true);
  const now = useNow();
  const [actionError, setActionError] = useState<string | null>(null);
  const [ending, setEnding] = useState<Set<string>>(new Set());
  const isAdmin = user.role === "admin";

  const hangUp = async (callId: string) => {
    setActionError(null);
    setEnding((s) => new Set(s).add(callId));
    try {
      await api("POST", `/api/calls/live/${encodeURIComponent(callId)}/hangup`);
    } catch (e) {
      setActionError(errorText(e));
      setEnding((s) => {
        const next = new Set(s);
        next.delete(callId);
        return next;
      });
    }
  };

  return (
    <section className="card live-calls" aria-label="Live calls">
      <h2>
        Live <span className="muted">{calls === null ? "" : `${calls.length} call${calls.length === 1 ? "" : "s"} in progress`}</span>
      </h2>
      {error && <p className="muted">{error}</p>}
      {actionError && (
        <p className="error-box" role="alert">
          {actionError}
        </p>
      )}
      {calls && calls.length > 0 && (
        <table className="data-table" aria-label="In progress">
          <thead>
            <tr>
              <th>Started</th>
              <th>Caller</th>
              <th>Called</th>
              <th>Flow</th>
              <th>Version</th>
              <th>Node</th>
              <th>In node</th>
              {isAdmin && <th aria-label="Actions" />}
            </tr>
          </thead>
          <tbody>
            {calls.map((c) => (
              <tr key={c.callId} data-call={c.callId}>
                <td className="nowrap">{formatTime(c.startedAt)}</td>
                <td>{c.from}</td>
                <td>{c.to}</td>
                <td>{c.flowName ?? c.flowId ?? <span className="muted">none</span>}</td>
                <td>{c.version ?? ""}</td>
                <td data-testid="live-node">{c.node ?? <span className="muted">starting</span>}</td>
                <td className="nowrap">{formatDuration(Math.max(0, now - Date.parse(c.nodeSince)))}</td>
                {isAdmin && (
                  <td>
                    <button type="button" className="danger" disabled={ending.has(c.callId)} onClick={() => void hangUp(c.callId)}>
                      Hang up
                    </button>
                  </td>
                )}
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
