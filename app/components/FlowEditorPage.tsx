"use client";
// Loads one flow and its user, then mounts the designer.
import { useEffect, useState } from "react";
import { Designer } from "../designer/Designer";
import { api, ApiError, errorText, type FlowDetail } from "../lib/client/api";
import { useRequireUser } from "../lib/client/auth";
import { diffFlows } from "../../flow/diff";
import { loadFlow, type FlowGraph } from "../../flow/graph";

export function FlowEditorPage({ id }: { id: string }) {
  const { user, error: authError } = useRequireUser();
  const [flow, setFlow] = useState<(FlowDetail & { draftIsPublished: boolean }) | null>(null);
  const [error, setError] = useState<string | null>(null);
  // Fetched at once, in parallel with the auth status (a 401 here means the redirect to
  // /login is on its way).
  useEffect(() => {
    const flowApi = `/api/flows/${encodeURIComponent(id)}`;
    api<{ flow: FlowDetail }>("GET", flowApi)
      .then(async ({ flow }) => {
        const graph = loadFlow(flow.graph);
        setFlow({ ...flow, graph, draftIsPublished: await sameAsPublished(flowApi, flow.publishedVersion, graph) });
      })
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
  return (
    <Designer
      init={{
        flowId: flow.id,
        revision: flow.revision,
        graph: flow.graph,
        publishedVersion: flow.draftIsPublished ? flow.publishedVersion : null,
      }}
      user={user}
    />
  );
}

/** Is the draft's logic that of the latest published version (so its code is that version's)? */
async function sameAsPublished(flowApi: string, version: number | null, draft: FlowGraph): Promise<boolean> {
  if (version === null) return false;
  try {
    const { version: v } = await api<{ version: { graph: FlowGraph } }>("GET", `${flowApi}/versions/${version}`);
    const published = loadFlow(v.graph);
    // Test cases are versioned with the flow but are not its code.
    return published.name === draft.name && diffFlows(published, draft).every((c) => c.type === "test_case_changed");
  } catch {
    return false; // unknown: the code view says "draft", which is never wrong about the draft
  }
}
