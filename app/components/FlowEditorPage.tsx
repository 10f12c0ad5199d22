"use client";
// Loads one flow and its user, then mounts the designer.
import { useEffect, useState } from "react";
import { Designer } from "../designer/Designer";
import { api, ApiError, errorText, type FlowDetail } from "../lib/client/api";
import { useRequireUser } from "../lib/client/auth";
import { loadFlow } from "../../flow/graph";

export function FlowEditorPage({ id }: { id: string }) {
  const { user, error: authError } = useRequireUser();
  const [flow, setFlow] = useState<FlowDetail | null>(null);
  const [error, setError] = useState<string | null>(null);
  // Fetched at once, in parallel with the auth status (a 401 here means the redirect to
  // /login is on its way).
  useEffect(() => {
    api<{ flow: FlowDetail }>("GET", `/api/flows/${encodeURIComponent(id)}`)
      .then(({ flow }) => setFlow({ ...flow, graph: loadFlow(flow.graph) }))
      .catch((e) => {
        if (!(e instanceof ApiError && e.status === 401)) setError(errorText(e));
      });
  }, [id]);

  const problem = authError ?? error;
  if (problem) {
    return (
      <main className="page">
        <p className="error-box" role="alert">
          {problem}
        </p>
        <a href="/">Back to flows</a>
      </main>
    );
  }
  if (!user || !flow) return <main className="page muted">Loading…</main>;
  return <Designer init={{ flowId: flow.id, revision: flow.revision, graph: flow.graph }} user={user} />;
}
