"use client";
// One call (viewer): the nodes it went through with their times, the prompts played (and why a
// playback failed), the digits entered, the variables the flow set and how the call ended,
// all read from its call log (GET /api/calls/{id}).
import Link from "next/link";
import { useEffect, useState } from "react";
import type { CallDetail, CallEventView } from "../lib/server/runtime/calls";
import { api, errorText } from "../lib/client/api";
import { useRequireUser } from "../lib/client/auth";
import { AppHeader } from "../components/AppHeader";
import { formatDuration, formatTime } from "./format";

/** Which argument of a method names what it plays (prompts column). */
const PLAYED_ARG: Record<string, number> = { streamFile: 0, playAndGetDigits: 5, read: 2, speak: 0, sayPhrase: 0, say: 0 };
const DIGIT_METHODS = new Set(["getDigits", "read", "playAndGetDigits"]);

interface NodeVisit {
  node: string;
  start: string;
  /** Until the next node (or the call's end). */
  ms: number | null;
  events: CallEventView[];
}

function visits(call: CallDetail): NodeVisit[] {
  const out: NodeVisit[] = [];
  for (const e of call.events) {
    const node = e.node ?? "(before the first node)";
    const last = out[out.length - 1];
    if (last && last.node === node) last.events.push(e);
    else out.push({ node, start: e.ts, ms: null, events: [e] });
  }
  out.forEach((v, i) => {
    const end = out[i + 1]?.start ?? call.endedAt;
    v.ms = end ? Math.max(0, Date.parse(end) - Date.parse(v.start)) : null;
  });
  return out;
}

const show = (v: unknown) => (typeof v === "string" ? v : JSON.stringify(v));
const argsOf = (e: CallEventView): unknown[] => (Array.isArray(e.args) ? e.args : []);

export function CallDetailPage({ id }: { id: string }) {
  const { user, error: authError } = useRequireUser();
  const [call, setCall] = useState<CallDetail | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    if (!user) return;
    api<{ call: CallDetail }>("GET", `/api/calls/${encodeURIComponent(id)}`).then(
      (r) => setCall(r.call),
      (e) => setError(errorText(e)),
    );
  }, [user, id]);

  if (authError) return <main className="page error-box">{authError}</main>;
  const prompts = call?.events.filter((e) => e.method in PLAYED_ARG || (e.method === "execute" && argsOf(e)[0] === "playback")) ?? [];
  const digits = call?.events.filter((e) => DIGIT_METHODS.has(e.method)) ?? [];
  const variables = call?.events.filter((e) => e.method === "setVariable" && argsOf(e)[0] !== "ivr_node") ?? [];
  return (
    <>
      <AppHeader user={user} current="calls" />
      <main className="page call-detail">
        <p>
          <Link href="/calls">← Calls</Link>
        </p>
        {error && (
          <p className="error-box" role="alert">
            {error}
          </p>
        )}
        {!call ? (
          !error && <p className="muted">Loading…</p>
        ) : (
          <>
            <h1>
              Call from {call.from} to {call.to}
            </h1>
            <dl className="call-facts" aria-label="Call summary">
              <dt>Started</dt>
              <dd>{formatTime(call.startedAt)}</dd>
              <dt>Duration</dt>
              <dd>{call.durationMs === null ? "in progress" : formatDuration(call.durationMs)}</dd>
              <dt>Flow</dt>
              <dd>
                {call.flowId ? <Link href={`/flows/${encodeURIComponent(call.flowId)}`}>{call.flowName ?? call.flowId}</Link> : "none"}
                {call.version !== null && ` · version ${call.version}`}
              </dd>
              <dt>Hangup cause</dt>
              <dd data-testid="hangup-cause">{call.cause ?? "—"}</dd>
              <dt>Path</dt>
              <dd>{call.nodes.join(" → ") || "—"}</dd>
              <dt>Call UUID</dt>
              <dd className="muted">{call.callId}</dd>
            </dl>

            <h2>Timeline</h2>
            <ol className="call-timeline" aria-label="Timeline">
              {visits(call).map((v, i) => (
                <li key={i} data-node={v.node}>
                  <strong>{v.node}</strong> <span className="muted">{formatTime(v.start)}{v.ms !== null && ` · ${formatDuration(v.ms)}`}</span>
                  <ul>
                    {v.events.map((e) => (
                      <li key={e.seq} className={e.error ? "failed" : undefined}>
                        <code>
                          {e.method}({argsOf(e).map(show).join(", ")})
                        </code>
                        {e.result !== null && e.result !== undefined && <> → <code>{show(e.result)}</code></>}
                        {e.ms > 0 && <span className="muted"> {e.ms} ms</span>}
                        {e.error && <span className="error-text"> {e.error}</span>}
                      </li>
                    ))}
                  </ul>
                </li>
              ))}
            </ol>

            <h2>Prompts</h2>
            {prompts.length === 0 ? (
              <p className="muted">No prompts played.</p>
            ) : (
              <table className="data-table" aria-label="Prompts">
                <thead>
                  <tr>
                    <th>Node</th>
                    <th>Prompt</th>
                    <th>Played</th>
                  </tr>
                </thead>
                <tbody>
                  {prompts.map((e) => (
                    <tr key={e.seq}>
                      <td>{e.node}</td>
                      <td>
                        <code>{show(argsOf(e)[e.method === "execute" ? 1 : PLAYED_ARG[e.method]] ?? "")}</code>
                      </td>
                      <td>{e.error ? <span className="error-text">failed: {e.error}</span> : `${e.ms} ms`}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}

            <h2>Digits</h2>
            {digits.length === 0 ? (
              <p className="muted">No digits asked for.</p>
            ) : (
              <table className="data-table" aria-label="Digits">
                <thead>
                  <tr>
                    <th>Node</th>
                    <th>Entered</th>
                  </tr>
                </thead>
                <tbody>
                  {digits.map((e) => (
                    <tr key={e.seq}>
                      <td>{e.node}</td>
                      <td>{e.result === "" || e.result === null ? <span className="muted">nothing (timeout)</span> : <code>{show(e.result)}</code>}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}

            <h2>Variables set</h2>
            {variables.length === 0 ? (
              <p className="muted">None.</p>
            ) : (
              <table className="data-table" aria-label="Variables">
                <thead>
                  <tr>
                    <th>Node</th>
                    <th>Name</th>
                    <th>Value</th>
                  </tr>
                </thead>
                <tbody>
                  {variables.map((e) => (
                    <tr key={e.seq}>
                      <td>{e.node}</td>
                      <td>
                        <code>{show(argsOf(e)[0])}</code>
                      </td>
                      <td>
                        <code>{show(argsOf(e)[1] ?? "")}</code>
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
          </>
        )}
      </main>
    </>
  );
}
