"use client";
// One test case's form: the call (caller and called numbers, variables, clock), what the caller
// does (digits with timing, silence, hang up, each at the next input wait or at a node), HTTP
// replies, how dialled parties behave, and the outcome expected. Every keystroke is checked
// (case-form.ts, then flow/test-case-check.ts against this flow); a valid case goes into the
// flow draft at once (autosaved and versioned with it, undoable), an invalid one stays in the
// form with a message at each field that is off until it is fixed.
import { useEffect, useMemo, useRef, useState, type ReactNode } from "react";
import { HANGUP_CAUSE_NAMES } from "../../../flow/hangup-causes";
import { checkTestCase, type CaseIssue } from "../../../flow/test-case-check";
import type { FlowTestCase } from "../../../flow/test-cases";
import { useDesigner, useDesignerStore } from "../context";
import { emptyBridge, emptyHttp, emptyStep, fromDraft, toDraft, type CaseDraft, type VarDraft } from "./case-form";

const OUTCOMES = [
  { value: "answer", label: "answers" },
  { value: "busy", label: "is busy" },
  { value: "no_answer", label: "does not answer" },
  { value: "failed", label: "fails" },
] as const;

const ZONES: readonly string[] = (() => {
  try {
    return (Intl as unknown as { supportedValuesOf(k: string): string[] }).supportedValuesOf("timeZone");
  } catch {
    return [];
  }
})();

/** Issues about exactly `field`. */
const issuesAt = (issues: readonly CaseIssue[], field: string) => issues.filter((i) => i.field === field);

function Issues({ items }: { items: readonly CaseIssue[] }) {
  if (items.length === 0) return null;
  return (
    <ul className="field-errors">
      {items.map((i, n) => (
        <li key={n} className="error" role="alert">
          {i.message}
        </li>
      ))}
    </ul>
  );
}

function Field({ label, issues, children, wide }: { label: string; issues: readonly CaseIssue[]; children: ReactNode; wide?: boolean }) {
  return (
    <div className={`case-field${wide ? " wide" : ""}${issues.length ? " invalid" : ""}`}>
      <label>
        <span>{label}</span>
        {children}
      </label>
      <Issues items={issues} />
    </div>
  );
}

function NodeSelect({ value, onChange, label, empty, nodes }: { value: string; onChange: (v: string) => void; label: string; empty: string; nodes: ReadonlyArray<{ id: string; label: string }> }) {
  const known = value === "" || nodes.some((n) => n.id === value);
  return (
    <select aria-label={label} value={value} onChange={(e) => onChange(e.target.value)}>
      <option value="">{empty}</option>
      {!known && <option value={value}>{value} (not in this flow)</option>}
      {nodes.map((n) => (
        <option key={n.id} value={n.id}>
          {n.label && n.label !== n.id ? `${n.id} — ${n.label}` : n.id}
        </option>
      ))}
    </select>
  );
}

function VarRows({ rows, onChange, what }: { rows: VarDraft[]; onChange: (rows: VarDraft[]) => void; what: string }) {
  return (
    <>
      {rows.map((r, i) => (
        <div className="kv-row" key={i}>
          <input aria-label={`${what} ${i + 1} name`} placeholder="name" value={r.name} onChange={(e) => onChange(rows.map((x, j) => (j === i ? { ...x, name: e.target.value } : x)))} />
          <input aria-label={`${what} ${i + 1} value`} placeholder="value" value={r.value} onChange={(e) => onChange(rows.map((x, j) => (j === i ? { ...x, value: e.target.value } : x)))} />
          <button type="button" className="icon" aria-label={`Remove ${what.toLowerCase()} ${i + 1}`} onClick={() => onChange(rows.filter((_, j) => j !== i))}>
            ×
          </button>
        </div>
      ))}
      <button type="button" className="small" onClick={() => onChange([...rows, { name: "", value: "" }])}>
        Add {what.toLowerCase()}
      </button>
    </>
  );
}

export interface CaseEditorProps {
  index: number;
  readOnly: boolean;
  /** The path the case's last run took (for "Use the last run's path"). */
  lastPath?: string[];
  /** Told whether the form holds edits the draft does not have (a field still wrong). */
  onUnsaved?: (unsaved: boolean) => void;
}

export function CaseEditor({ index, readOnly, lastPath, onUnsaved }: CaseEditorProps) {
  const store = useDesignerStore();
  const tests = useDesigner((s) => s.tests) ?? [];
  const rawNodes = useDesigner((s) => s.nodes);
  const nodes = useMemo(() => rawNodes.map((n) => ({ id: n.id, label: n.data.label })), [rawNodes]);
  const tc = tests[index] as FlowTestCase | undefined;
  const [draft, setDraft] = useState<CaseDraft | null>(() => (tc ? toDraft(tc) : null));
  const [issues, setIssues] = useState<CaseIssue[]>([]);
  /** The case as this form last wrote it: a different one in the store (undo, another case selected) resets the form. */
  const written = useRef<FlowTestCase | undefined>(tc);

  useEffect(() => {
    if (tc === written.current) return;
    written.current = tc;
    setDraft(tc ? toDraft(tc) : null);
    setIssues([]);
  }, [tc]);

  // A form with a field still wrong holds edits the draft does not have yet: leaving asks first.
  const unsaved = issues.length > 0;
  useEffect(() => {
    onUnsaved?.(unsaved);
    if (!unsaved) return;
    const stay = (ev: BeforeUnloadEvent) => ev.preventDefault();
    window.addEventListener("beforeunload", stay);
    return () => window.removeEventListener("beforeunload", stay);
  }, [unsaved, onUnsaved]);

  if (!tc || !draft) return null;

  const update = (patch: Partial<CaseDraft>, key: string) => {
    const next = { ...draft, ...patch };
    setDraft(next);
    const form = fromDraft(next);
    const checked = checkTestCase(form.value, { nodeIds: new Set(nodes.map((n) => n.id)), otherNames: tests.filter((_, i) => i !== index).map((t) => t.name) });
    const all = [...form.issues, ...checked.issues].filter((iss, n, list) => list.findIndex((j) => j.field === iss.field) === n);
    setIssues(all);
    if (all.length === 0 && checked.value) {
      written.current = checked.value;
      store.getState().updateTests(
        tests.map((t, i) => (i === index ? checked.value! : t)),
        `${index}:${key}`,
      );
    }
  };
  const at = (field: string) => issuesAt(issues, field);
  const under = (prefix: string) => issues.filter((i) => i.field === prefix || i.field.startsWith(`${prefix}.`));
  const setStep = (i: number, patch: Partial<CaseDraft["steps"][number]>) => update({ steps: draft.steps.map((s, j) => (j === i ? { ...s, ...patch } : s)) }, `caller.${i}`);
  const setHttp = (i: number, patch: Partial<CaseDraft["http"][number]>) => update({ http: draft.http.map((s, j) => (j === i ? { ...s, ...patch } : s)) }, `http.${i}`);
  const setBridge = (i: number, patch: Partial<CaseDraft["bridges"][number]>) => update({ bridges: draft.bridges.map((s, j) => (j === i ? { ...s, ...patch } : s)) }, `bridges.${i}`);
  const move = <T,>(list: T[], i: number, by: number): T[] => {
    const j = i + by;
    if (j < 0 || j >= list.length) return list;
    const out = [...list];
    [out[i], out[j]] = [out[j], out[i]];
    return out;
  };

  return (
    <fieldset className="case-editor" disabled={readOnly} aria-label={`Test case ${tc.name}`}>
      {issues.length > 0 && (
        <p className="case-unsaved" role="status">
          Not saved yet: fix the marked fields (the flow keeps this case as it was last valid).
        </p>
      )}
      <Field label="Name" issues={at("name")} wide>
        <input value={draft.name} onChange={(e) => update({ name: e.target.value }, "name")} />
      </Field>
      <Field label="Description" issues={at("description")} wide>
        <input value={draft.description} onChange={(e) => update({ description: e.target.value }, "description")} />
      </Field>

      <h4>The call</h4>
      <div className="case-grid">
        <Field label="Caller number" issues={[]}>
          <input value={draft.callerNumber} placeholder="15551230001" onChange={(e) => update({ callerNumber: e.target.value }, "callerNumber")} />
        </Field>
        <Field label="Called number" issues={[]}>
          <input value={draft.calledNumber} placeholder="5000" onChange={(e) => update({ calledNumber: e.target.value }, "calledNumber")} />
        </Field>
      </div>
      <div className="case-rows" role="group" aria-label="Call variables">
        <span className="case-rows-title">Other channel variables</span>
        <VarRows rows={draft.variables} what="Variable" onChange={(variables) => update({ variables }, "variables")} />
        <Issues items={under("variables")} />
      </div>
      <label className="case-check">
        <input type="checkbox" checked={draft.clockOn} onChange={(e) => update({ clockOn: e.target.checked, clockAt: draft.clockAt || "2026-01-05T15:00:00Z", clockZone: draft.clockZone }, "clock")} /> Pin the
        clock (otherwise 2026-01-05 15:00 UTC)
      </label>
      {draft.clockOn && (
        <div className="case-grid">
          <Field label="Instant" issues={under("clock.at").concat(at("clock"))}>
            <input value={draft.clockAt} placeholder="2026-12-07T15:00:00Z" onChange={(e) => update({ clockAt: e.target.value }, "clock.at")} />
          </Field>
          <Field label="Zone" issues={at("clock.zone")}>
            <input value={draft.clockZone} placeholder="America/New_York" list="case-zones" onChange={(e) => update({ clockZone: e.target.value }, "clock.zone")} />
          </Field>
          <datalist id="case-zones">
            {ZONES.map((z) => (
              <option key={z} value={z} />
            ))}
          </datalist>
        </div>
      )}

      <h4>What the caller does</h4>
      <ol className="case-steps" aria-label="Caller steps">
        {draft.steps.map((s, i) => (
          <li key={i} className="case-step">
            <select aria-label={`Step ${i + 1} action`} value={s.kind} onChange={(e) => setStep(i, { kind: e.target.value as typeof s.kind })}>
              <option value="press">Press digits</option>
              <option value="silence">Stay silent (let the wait time out)</option>
              <option value="hangup">Hang up</option>
            </select>
            {s.kind === "press" && (
              <Field label="Digits" issues={at(`caller.${i}.press`)}>
                <input aria-label={`Step ${i + 1} digits`} value={s.press} placeholder="1001#" onChange={(e) => setStep(i, { press: e.target.value })} />
              </Field>
            )}
            {s.kind !== "silence" && (
              <Field label="After (ms)" issues={at(`caller.${i}.after`)}>
                <input aria-label={`Step ${i + 1} after`} inputMode="numeric" value={s.after} placeholder="0" onChange={(e) => setStep(i, { after: e.target.value })} />
              </Field>
            )}
            {s.kind === "press" && (
              <Field label="Gap (ms)" issues={at(`caller.${i}.gap`)}>
                <input aria-label={`Step ${i + 1} gap`} inputMode="numeric" value={s.gap} placeholder="100" onChange={(e) => setStep(i, { gap: e.target.value })} />
              </Field>
            )}
            <Field label="When" issues={at(`caller.${i}.atNode`).concat(at(`caller.${i}`))} wide>
              <NodeSelect label={`Step ${i + 1} when`} value={s.atNode} empty="at the next input wait" nodes={nodes} onChange={(atNode) => setStep(i, { atNode })} />
            </Field>
            <span className="case-step-tools">
              <button type="button" className="icon" aria-label={`Move step ${i + 1} up`} onClick={() => update({ steps: move(draft.steps, i, -1) }, "caller")}>
                ↑
              </button>
              <button type="button" className="icon" aria-label={`Move step ${i + 1} down`} onClick={() => update({ steps: move(draft.steps, i, 1) }, "caller")}>
                ↓
              </button>
              <button type="button" className="icon" aria-label={`Remove step ${i + 1}`} onClick={() => update({ steps: draft.steps.filter((_, j) => j !== i) }, "caller")}>
                ×
              </button>
            </span>
          </li>
        ))}
      </ol>
      <button type="button" className="small" onClick={() => update({ steps: [...draft.steps, emptyStep()] }, "caller")}>
        Add step
      </button>
      <Issues items={at("caller")} />

      <h4>HTTP replies</h4>
      {draft.http.map((h, i) => (
        <div key={i} className="case-grid case-row" role="group" aria-label={`HTTP reply ${i + 1}`}>
          <Field label="URL starts with" issues={at(`http.${i}.url`)}>
            <input value={h.url} placeholder="any URL" onChange={(e) => setHttp(i, { url: e.target.value })} />
          </Field>
          <Field label="Method" issues={at(`http.${i}.method`)}>
            <input value={h.method} placeholder="any" onChange={(e) => setHttp(i, { method: e.target.value })} />
          </Field>
          <Field label="Status (0: connection fails)" issues={at(`http.${i}.status`)}>
            <input inputMode="numeric" value={h.status} onChange={(e) => setHttp(i, { status: e.target.value })} />
          </Field>
          <Field label="Body" issues={at(`http.${i}.body`)} wide>
            <textarea rows={2} value={h.body} onChange={(e) => setHttp(i, { body: e.target.value })} />
          </Field>
          <button type="button" className="small" onClick={() => update({ http: draft.http.filter((_, j) => j !== i) }, "http")}>
            Remove reply {i + 1}
          </button>
        </div>
      ))}
      <button type="button" className="small" onClick={() => update({ http: [...draft.http, emptyHttp()] }, "http")}>
        Add HTTP reply
      </button>

      <h4>Dialled parties</h4>
      {draft.bridges.length === 0 && <p className="muted">None: every dial fails (NO_ROUTE_DESTINATION).</p>}
      {draft.bridges.map((b, i) => (
        <div key={i} className="case-grid case-row" role="group" aria-label={`Dialled party ${i + 1}`}>
          <Field label="Number" issues={at(`bridges.${i}.to`)}>
            <input value={b.to} placeholder="any" onChange={(e) => setBridge(i, { to: e.target.value })} />
          </Field>
          <Field label="Outcome" issues={at(`bridges.${i}.outcome`)}>
            <select value={b.outcome} onChange={(e) => setBridge(i, { outcome: e.target.value as typeof b.outcome })}>
              {OUTCOMES.map((o) => (
                <option key={o.value} value={o.value}>
                  {o.label}
                </option>
              ))}
            </select>
          </Field>
          <Field label="Rings for (ms)" issues={at(`bridges.${i}.ringMs`)}>
            <input inputMode="numeric" value={b.ringMs} placeholder="2000" onChange={(e) => setBridge(i, { ringMs: e.target.value })} />
          </Field>
          {b.outcome === "answer" && (
            <Field label="Talks for (ms)" issues={at(`bridges.${i}.talkMs`)}>
              <input inputMode="numeric" value={b.talkMs} placeholder="10000" onChange={(e) => setBridge(i, { talkMs: e.target.value })} />
            </Field>
          )}
          {b.outcome === "failed" && (
            <Field label="Cause" issues={at(`bridges.${i}.cause`)}>
              <select value={b.cause} onChange={(e) => setBridge(i, { cause: e.target.value })}>
                <option value="">CALL_REJECTED</option>
                {HANGUP_CAUSE_NAMES.map((c) => (
                  <option key={c} value={c}>
                    {c}
                  </option>
                ))}
              </select>
            </Field>
          )}
          <button type="button" className="small" onClick={() => update({ bridges: draft.bridges.filter((_, j) => j !== i) }, "bridges")}>
            Remove party {i + 1}
          </button>
        </div>
      ))}
      <button type="button" className="small" onClick={() => update({ bridges: [...draft.bridges, emptyBridge()] }, "bridges")}>
        Add dialled party
      </button>

      <h4>Expected</h4>
      <Issues items={at("expect")} />
      <Field label="Path (node ids in order)" issues={at("expect.path")} wide>
        <input value={draft.expectPath} placeholder="start → answer → menu" onChange={(e) => update({ expectPath: e.target.value }, "expect.path")} />
      </Field>
      {lastPath && lastPath.length > 0 && (
        <button type="button" className="small" onClick={() => update({ expectPath: lastPath.join(" → ") }, "expect.path")}>
          Use the last run&apos;s path
        </button>
      )}
      <div className="case-grid">
        <Field label="Final node" issues={at("expect.finalNode")}>
          <NodeSelect label="Final node" value={draft.expectFinal} empty="(any)" nodes={nodes} onChange={(expectFinal) => update({ expectFinal }, "expect.finalNode")} />
        </Field>
        <Field label="Hangup cause" issues={at("expect.hangupCause")}>
          <select value={draft.expectCause} onChange={(e) => update({ expectCause: e.target.value }, "expect.hangupCause")}>
            <option value="">(any)</option>
            {HANGUP_CAUSE_NAMES.map((c) => (
              <option key={c} value={c}>
                {c}
              </option>
            ))}
          </select>
        </Field>
        <Field label="Transferred to" issues={at("expect.transferTo")}>
          <input value={draft.expectTransfer} placeholder="(no transfer)" onChange={(e) => update({ expectTransfer: e.target.value }, "expect.transferTo")} />
        </Field>
      </div>
      <div className="case-rows" role="group" aria-label="Expected variables">
        <span className="case-rows-title">Variables at the end</span>
        <VarRows rows={draft.expectVariables} what="Expected variable" onChange={(expectVariables) => update({ expectVariables }, "expect.variables")} />
        <Issues items={under("expect.variables")} />
      </div>
    </fieldset>
  );
}
