"use client";
// Cluster (viewer; drain: admin): the runtimes that share this database, as their heartbeats
// say: address (what Kamailio's dispatcher list names), version, calls in progress, state and
// how old the last heartbeat is. A runtime whose heartbeat stopped is shown down. An admin can
// drain one: it answers new calls 503 (Kamailio sends them to the others), lets its calls
// finish, then exits, so it can be upgraded and started again (docs/deploy.md).
import { useCallback, useEffect, useState } from "react";
import { api, errorText } from "../lib/client/api";
import { useRequireUser } from "../lib/client/auth";
import type { RuntimeNodeView } from "../lib/server/runtime/cluster";
import { AppHeader } from "./AppHeader";
import { Dialog } from "./Dialog";

function stateLabel(r: RuntimeNodeView): string {
  if (r.state === "up" && r.drainRequested) return "drain requested";
  return r.state;
}

export function ClusterPage() {
  const { user, error: authError } = useRequireUser();
  const [runtimes, setRuntimes] = useState<RuntimeNodeView[] | null>(null);
  const [staleAfter, setStaleAfter] = useState(10);
  const [draining, setDraining] = useState<RuntimeNodeView | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const isAdmin = user?.role === "admin";

  const refresh = useCallback(() => {
    api<{ runtimes: RuntimeNodeView[]; staleAfterSeconds: number }>("GET", "/api/cluster")
      .then((r) => {
        setRuntimes(r.runtimes);
        setStaleAfter(r.staleAfterSeconds);
      })
      .catch((e) => setError(errorText(e)));
  }, []);
  useEffect(() => {
    if (!user) return;
    refresh();
    // Heartbeats come every 2 s.
    const t = setInterval(refresh, 2000);
    return () => clearInterval(t);
  }, [user, refresh]);

  const drain = async (r: RuntimeNodeView) => {
    setDraining(null);
    setError(null);
    try {
      await api("POST", `/api/cluster/${encodeURIComponent(r.id)}/drain`);
      setNotice(`${r.id} will drain at its next heartbeat: new calls go to the other runtimes and its ${r.activeCalls} call(s) finish (an ivr serve runtime then exits).`);
      refresh();
    } catch (e) {
      setError(errorText(e));
    }
  };

  if (authError) return <main className="page error-box">{authError}</main>;
  const up = runtimes?.filter((r) => r.state === "up").length ?? 0;
  const calls = runtimes?.reduce((s, r) => s + r.activeCalls, 0) ?? 0;
  return (
    <>
      <AppHeader user={user} current="cluster" />
      <main className="page">
        <h1>Cluster</h1>
        <p className="help">
          The runtimes that answer calls from this database (<code>ivr serve --database</code>, behind Kamailio), as their heartbeats say. A
          runtime with no heartbeat for {staleAfter} s is shown down. Draining a runtime sends new calls to the others and lets its calls
          finish; then an <code>ivr serve</code> runtime exits (its supervisor starts it again, e.g. with a new version).
        </p>
        {error && (
          <p className="error-box" role="alert">
            {error}
          </p>
        )}
        {notice && (
          <p role="status">
            {notice}
          </p>
        )}
        {!runtimes ? (
          <p className="muted">Loading…</p>
        ) : runtimes.length === 0 ? (
          <p className="muted">No runtime has written a heartbeat to this database yet.</p>
        ) : (
          <>
            <p className="muted" aria-label="Cluster summary">
              {up} of {runtimes.length} runtime(s) up, {calls} call(s) in progress.
            </p>
            <table className="data-table" aria-label="Runtimes">
              <thead>
                <tr>
                  <th>Runtime</th>
                  <th>Address</th>
                  <th>Version</th>
                  <th>Calls</th>
                  <th>State</th>
                  <th>Last heartbeat</th>
                  <th />
                </tr>
              </thead>
              <tbody>
                {runtimes.map((r) => (
                  <tr key={r.id} data-state={r.state}>
                    <td>
                      <code>{r.id}</code>
                    </td>
                    <td>
                      <code>{r.address}</code>
                    </td>
                    <td>{r.version}</td>
                    <td>{r.activeCalls}</td>
                    <td>{stateLabel(r)}</td>
                    <td title={r.lastHeartbeat}>
                      {new Date(r.lastHeartbeat).toLocaleTimeString()} ({r.heartbeatAgeSeconds} s ago)
                    </td>
                    <td className="actions">
                      {isAdmin && r.state === "up" && !r.drainRequested && (
                        <button type="button" className="small danger" aria-label={`Drain runtime ${r.id}`} onClick={() => setDraining(r)}>
                          Drain
                        </button>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </>
        )}
      </main>
      {draining && (
        <Dialog title="Drain runtime" onClose={() => setDraining(null)}>
          <p>
            Drain <code>{draining.id}</code> ({draining.address})? It stops taking new calls now; its {draining.activeCalls} call(s) in progress
            finish, then it exits (its supervisor may start it again).
          </p>
          <footer className="dialog-actions">
            <button type="button" onClick={() => setDraining(null)}>
              Cancel
            </button>
            <button type="button" className="danger" onClick={() => void drain(draining)}>
              Drain
            </button>
          </footer>
        </Dialog>
      )}
    </>
  );
}
