"use client";
// One call (viewer): the nodes it went through with their times, the prompts played (and why a
// playback failed), the digits entered, the variables the flow set and how the call ended,
// all read from its call log (GET /api/calls/{id}).
import dynamic from "next/dynamic";
import Link from "next/link";
import { useEffect, useState } from "react";
import type { FlowGraph } from "../../flow/graph";
import type { CallDetail, CallEventView } from "../lib/server/runtime/calls";
import { api, errorText } from "../lib/client/api";
import { useRequireUser } from "../lib/client/auth";
import { AppHeader } from "../components/AppHeader";
import { formatDuration, formatTime } from "./format";

// React Flow only in the browser, once the call is known.
const CallPathCanvas = dynamic(() => import("./CallPathCanvas").then((m) => m.CallPathCanvas), { ssr: false });

const HANGUP_BY: Record<string, string> = { caller: "the caller", flow: "the flow", admin: "an admin (live view)", system: "the system (timeout, shutdown or failure)" };

interface HttpRequestView {
  node: string;
  request: string;
  /** "0": no response (timeout or connection error); null: not stored (no status variable). */
  status: string | null;
  next: string | null;
}

/** Each visit of an HTTP request node: what it asked (from the version) and the status it stored. */
function httpRequests(graph: FlowGraph | null, nodeVisits: NodeVisit[]): HttpRequestView[] {
  if (!graph) return [];
  const byId = new Map(graph.nodes.map((n) => [n.id, n]));
  return nodeVisits.flatMap((v, i) => {
    const n = byId.get(v.node);
    if (n?.kind !== "http_request") return [];
    const p = n.params as { method?: string; url?: string; statusVariable?: string };
    const set = v.events.find((e) => e.method === "setVariable" && argsOf(e)[0] === p.statusVariable);
    return [{ node: v.node, request: `${p.method ?? "GET"} ${p.url ?? ""}`, status: set ? String(argsOf(set)[1]) : null, next: nodeVisits[i + 1]?.node ?? null }];
  });
}

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
  const [graph, setGraph] = useState<FlowGraph | null>(null);

  useEffect(() => {
    if (!user) return;
    api<{ call: CallDetail }>("GET", `/api/calls/${encodeURIComponent(id)}`).then(
      (r) => setCall(r.call),
      (e) => setError(errorText(e)),
    );
  }, [user, id]);
  // The version the call ran: its HTTP requests and the canvas of its path.
  useEffect(() => {
    if (!call?.flowId || call.version === null) return;
    api<{ version: { graph: FlowGraph } }>("GET", `/api/flows/${encodeURIComponent(call.flowId)}/versions/${call.version}`).then(
      (r) => setGraph(r.version.graph),
      () => setGraph(null),
    );
  }, [call?.flowId, call?.version]);

  if (authError) return <main className="page error-box">{authError}</main>;
  const prompts = call?.events.filter((e) => e.method in PLAYED_ARG || (e.method === "execute" && argsOf(e)[0] === "playback")) ?? [];
  const digits = call?.events.filter((e) => DIGIT_METHODS.has(e.method)) ?? [];
  const variables = call?.events.filter((e) => e.method === "setVariable" && argsOf(e)[0] !== "ivr_node") ?? [];
  const requests = call ? httpRequests(graph, visits(call)) : [];
  const recordingUrl = (seq: number) => `/api/calls/${encodeURIComponent(id)}/recordings/${seq}`;
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
              <dt>Hung up by</dt>
              <dd data-testid="hangup-by">{call.hangupBy ? (HANGUP_BY[call.hangupBy] ?? call.hangupBy) : "—"}</dd>
              <dt>Path</dt>
              <dd>{call.nodes.join(" → ") || "—"}</dd>
              <dt>Call UUID</dt>
              <dd className="muted">{call.callId}</dd>
            </dl>

            {graph && call.flowId && (
              <>
                <h2>Path on the flow (version {call.version})</h2>
                <CallPathCanvas flowId={call.flowId} graph={graph} path={call.nodes} />
              </>
            )}

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

            <h2>HTTP requests</h2>
            {requests.length === 0 ? (
              <p className="muted">None.</p>
            ) : (
              <table className="data-table" aria-label="HTTP requests">
                <thead>
                  <tr>
                    <th>Node</th>
                    <th>Request</th>
                    <th>Status</th>
                    <th>Then</th>
                  </tr>
                </thead>
                <tbody>
                  {requests.map((r, i) => (
                    <tr key={i}>
                      <td>{r.node}</td>
                      <td>
                        <code>{r.request}</code>
                      </td>
                      <td>{r.status === null ? <span className="muted">not stored</span> : r.status === "0" ? <span className="error-text">no response</span> : r.status}</td>
                      <td>{r.next ?? <span className="muted">call ended</span>}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}

            <h2>Recordings</h2>
            {call.recordings.length === 0 ? (
              <p className="muted">None.</p>
            ) : (
              <table className="data-table" aria-label="Recordings">
                <thead>
                  <tr>
                    <th>Node</th>
                    <th>File</th>
                    <th>Listen</th>
                  </tr>
                </thead>
                <tbody>
                  {call.recordings.map((r) => (
                    <tr key={r.seq}>
                      <td>{r.node}</td>
                      <td>
                        <code>{r.file}</code>
                      </td>
                      <td>
                        <audio controls preload="none" src={recordingUrl(r.seq)} />{" "}
                        <a href={`${recordingUrl(r.seq)}?download=1`} download>
                          Download
                        </a>
                      </td>
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
