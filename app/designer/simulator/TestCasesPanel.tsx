"use client";
// The flow's test cases, run on the server (POST /api/flows/:id/test-run: out of the web
// process, Lua and TS): green/red per case and language, the first divergence, and the node it
// happened at highlighted on the canvas (click a failing case to show its node again).
import { useState } from "react";
import { api, errorText } from "../../lib/client/api";
import { useDesigner, useDesignerStore } from "../context";

interface CaseResult {
  name: string;
  language: "lua" | "ts";
  passed: boolean;
  failure?: string;
  failedNode?: string;
}

interface TestRun {
  passed: number;
  failed: number;
  results: CaseResult[];
}

export function TestCasesPanel({ readOnly }: { readOnly: boolean }) {
  const store = useDesignerStore();
  const flowId = useDesigner((s) => s.flowId);
  const caseCount = useDesigner((s) => s.tests?.length ?? 0);
  const [running, setRunning] = useState(false);
  const [run, setRun] = useState<TestRun | null>(null);
  const [error, setError] = useState<string | null>(null);

  const show = (r: CaseResult) => {
    if (r.failedNode) store.getState().setHighlight({ nodeId: r.failedNode, tone: "failed" });
  };

  const runAll = async () => {
    setRunning(true);
    setError(null);
    try {
      // The graph as drawn now (unsaved edits included), with its cases.
      const result = await api<TestRun>("POST", `/api/flows/${encodeURIComponent(flowId)}/test-run`, { graph: store.getState().graph() });
      setRun(result);
      const firstFailing = result.results.find((r) => !r.passed);
      if (firstFailing) show(firstFailing);
      else store.getState().setHighlight(null);
    } catch (e) {
      setError(errorText(e));
      setRun(null);
    } finally {
      setRunning(false);
    }
  };

  return (
    <section className="test-cases" aria-label="Test cases">
      <div className="test-head">
        <h3>Test cases</h3>
        <button type="button" onClick={() => void runAll()} disabled={running || readOnly || caseCount === 0}>
          {running ? "Running…" : "Run test cases"}
        </button>
      </div>
      {caseCount === 0 && <p className="muted">This flow has no test cases (add them under &quot;tests&quot; in the flow document; see docs/flow-tests.md).</p>}
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      {run && (
        <>
          <p className="test-summary" role="status">
            {run.passed} passed, {run.failed} failed
          </p>
          <ul className="case-results">
            {run.results.map((r) => (
              <li key={`${r.language}:${r.name}`} className={`case-result ${r.passed ? "pass" : "fail"}`} data-status={r.passed ? "passed" : "failed"}>
                <button type="button" className="case-line" onClick={() => show(r)} disabled={!r.failedNode} title={r.failedNode ? `Show node ${r.failedNode}` : undefined}>
                  <span className="case-mark" aria-hidden>
                    {r.passed ? "✓" : "✗"}
                  </span>
                  <span className="case-lang">{r.language}</span> <span className="case-name">{r.name}</span>
                </button>
                {r.failure && <div className="case-failure">{r.failure}</div>}
              </li>
            ))}
          </ul>
        </>
      )}
    </section>
  );
}
