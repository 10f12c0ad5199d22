"use client";
// The flow's test cases: listed, added, duplicated, deleted and edited here (CaseEditor; saved
// with the flow draft), and run on the server (POST /api/flows/:id/test-run: out of the web
// process, Lua and TS), all of them or one: green/red per case and language, the first
// divergence, and the node it happened at highlighted on the canvas (click a failing result to
// show its node again).
import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import { checkTestCase } from "../../../flow/test-case-check";
import type { FlowTestCase } from "../../../flow/test-cases";
import { api, errorText } from "../../lib/client/api";
import { useDesigner, useDesignerStore } from "../context";
import { CaseEditor } from "./CaseEditor";
import { freshName, newCase } from "./case-form";

interface CaseResult {
  name: string;
  language: "lua" | "ts";
  passed: boolean;
  failure?: string;
  failedNode?: string;
  path?: string[];
}

interface TestRun {
  passed: number;
  failed: number;
  results: CaseResult[];
}

export function TestCasesPanel({ readOnly }: { readOnly: boolean }) {
  const store = useDesignerStore();
  const flowId = useDesigner((s) => s.flowId);
  const tests = useDesigner((s) => s.tests) ?? [];
  const [selected, setSelectedNow] = useState<number | null>(null);
  const [running, setRunning] = useState(false);
  const [run, setRun] = useState<TestRun | null>(null);
  const [error, setError] = useState<string | null>(null);
  /** The open case's form has edits the draft lacks (a field still wrong): switching drops them. */
  const unsaved = useRef(false);
  /** May the open form be closed? (Asks when it holds edits the draft lacks.) */
  const mayClose = () => {
    if (unsaved.current && !window.confirm("The open test case has fields still wrong; its edits since it was last valid will be dropped. Continue?")) return false;
    unsaved.current = false;
    return true;
  };
  const setSelected = (i: number | null) => {
    if (i !== selected && mayClose()) setSelectedNow(i);
  };
  const current = selected !== null && selected < tests.length ? selected : null;
  // Cases that name nodes no longer in the flow (deleted, renamed): marked in the list.
  const nodes = useDesigner((s) => s.nodes);
  const nodeIds = useMemo(() => nodes.map((n) => n.id).join("\u0000"), [nodes]);
  const problems = useMemo(() => {
    const ids = new Set(nodeIds.split("\u0000"));
    return tests.map((t) => checkTestCase(t, { nodeIds: ids }).issues);
  }, [tests, nodeIds]);
  // A case recorded from a test call (appended to the list) opens in the editor.
  const count = useRef(tests.length);
  useEffect(() => {
    if (tests.length === count.current + 1) setSelectedNow(tests.length - 1);
    count.current = tests.length;
  }, [tests.length]);

  const show = (r: CaseResult) => {
    if (r.failedNode) store.getState().setHighlight({ nodeId: r.failedNode, tone: "failed" });
  };

  /** Run every case, or the one named. */
  const runCases = async (caseName?: string) => {
    setRunning(true);
    setError(null);
    try {
      // The graph as drawn now (unsaved edits included), with its cases.
      const result = await api<TestRun>("POST", `/api/flows/${encodeURIComponent(flowId)}/test-run`, {
        graph: store.getState().graph(),
        ...(caseName !== undefined ? { case: caseName } : {}),
      });
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

  const onUnsaved = useCallback((u: boolean) => void (unsaved.current = u), []);
  const names = tests.map((t) => t.name);
  const setTests = (next: FlowTestCase[]) => store.getState().updateTests(next);
  // New cases go at the end and open in the editor (the effect above).
  const add = () => mayClose() && setTests([...tests, newCase(names)]);
  const duplicate = (i: number) => mayClose() && setTests([...tests, { ...structuredClone(tests[i]), name: freshName(`${tests[i].name} (copy)`, names) }]);
  const remove = (i: number) => {
    // The open case keeps its form when another one goes (its index moves up by one if after it).
    if (i === current) unsaved.current = false;
    else if (current !== null && i < current && !mayClose()) return;
    setTests(tests.filter((_, j) => j !== i));
    setSelectedNow(current === null || i === current ? null : i < current ? current - 1 : current);
  };
  /** Passed / failed / not run, from the last run, per case name. */
  const statusOf = (name: string) => {
    const rs = run?.results.filter((r) => r.name === name) ?? [];
    return rs.length === 0 ? "not-run" : rs.every((r) => r.passed) ? "passed" : "failed";
  };
  const lastPath = current !== null ? run?.results.find((r) => r.name === tests[current].name && r.path?.length)?.path : undefined;

  return (
    <section className="test-cases" aria-label="Test cases">
      <div className="test-head">
        <h3>Test cases</h3>
        <span className="test-actions">
          <button type="button" onClick={add} disabled={readOnly}>
            Add case
          </button>
          <button type="button" onClick={() => void runCases()} disabled={running || readOnly || tests.length === 0}>
            {running ? "Running…" : "Run test cases"}
          </button>
        </span>
      </div>
      {tests.length === 0 && <p className="muted">This flow has no test cases yet: add one, or record one from a test call below.</p>}
      <ul className="case-list" aria-label="Cases">
        {tests.map((t, i) => (
          <li key={i} className={`case-item${i === current ? " selected" : ""}`} data-status={statusOf(t.name)}>
            <button type="button" className="case-pick" aria-pressed={i === current} onClick={() => setSelected(i === current ? null : i)}>
              <span className="case-mark" aria-hidden>
                {statusOf(t.name) === "passed" ? "✓" : statusOf(t.name) === "failed" ? "✗" : "·"}
              </span>{" "}
              {t.name}
              {problems[i]?.length > 0 && (
                <span className="case-problems" title={problems[i].map((p) => p.message).join("\n")}>
                  {" "}
                  ⚠ {problems[i].length}
                </span>
              )}
            </button>
            <span className="case-tools">
              <button type="button" className="small" aria-label={`Run ${t.name}`} disabled={running || readOnly} onClick={() => void runCases(t.name)}>
                Run
              </button>
              <button type="button" className="small" aria-label={`Duplicate ${t.name}`} disabled={readOnly} onClick={() => duplicate(i)}>
                Duplicate
              </button>
              <button type="button" className="small danger" aria-label={`Delete ${t.name}`} disabled={readOnly} onClick={() => remove(i)}>
                Delete
              </button>
            </span>
          </li>
        ))}
      </ul>
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
      {/* Below the results, so a run's outcome shows without scrolling past the form. */}
      {current !== null && <CaseEditor key={current} index={current} readOnly={readOnly} lastPath={lastPath} onUnsaved={onUnsaved} />}
    </section>
  );
}
