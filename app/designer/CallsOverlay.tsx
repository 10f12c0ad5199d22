"use client";
// Calls on the canvas, over the flow and never part of it (nothing here touches the designer's
// store): "Live calls" puts a badge on each node with the number of calls in it right now (the
// server's events, as on the Calls page); "Heat map" colours the edges calls took in a published
// version over a time range, and gives each node its visits, drop-off and mean time, with the
// version's totals and menu choices in a panel (GET /api/calls/analytics).
import { Panel, ViewportPortal } from "@xyflow/react";
import { useEffect, useMemo, useState } from "react";
import { api, errorText, type FlowVersionSummary } from "../lib/client/api";
import type { FlowAnalytics } from "../lib/server/analytics";
import { useLiveCalls } from "../calls/useLiveCalls";
import { useDesigner } from "./context";
import type { IvrNode } from "./types";

const RANGES = [
  { label: "Last 24 hours", ms: 24 * 3600_000 },
  { label: "Last 7 days", ms: 7 * 24 * 3600_000 },
  { label: "Last 30 days", ms: 30 * 24 * 3600_000 },
  { label: "All time", ms: 0 },
] as const;

export function CallsOverlay() {
  const flowId = useDesigner((s) => s.flowId);
  const [live, setLive] = useState(false);
  const [heat, setHeat] = useState(false);
  return (
    <>
      <Panel position="top-right" className="calls-overlay">
        <div role="group" aria-label="Calls on the canvas" className="calls-overlay-toggles">
          <label>
            <input type="checkbox" checked={live} onChange={(e) => setLive(e.target.checked)} /> Live calls
          </label>
          <label>
            <input type="checkbox" checked={heat} onChange={(e) => setHeat(e.target.checked)} /> Heat map
          </label>
        </div>
        {heat && <HeatMap flowId={flowId} />}
      </Panel>
      {live && <LiveBadges flowId={flowId} />}
    </>
  );
}

/** Where a node is drawn, in flow coordinates (measured size once React Flow has it). */
function box(n: IvrNode) {
  return { x: n.position.x, y: n.position.y, w: n.measured?.width ?? 180, h: n.measured?.height ?? 60 };
}

function LiveBadges({ flowId }: { flowId: string }) {
  const { calls, error } = useLiveCalls(true, flowId);
  const nodes = useDesigner((s) => s.nodes);
  const counts = useMemo(() => {
    const m = new Map<string, number>();
    for (const c of calls ?? []) if (c.node) m.set(c.node, (m.get(c.node) ?? 0) + 1);
    return m;
  }, [calls]);
  const total = calls?.length ?? 0;
  return (
    <>
      <Panel position="top-center" className="live-summary" aria-live="polite">
        {error ?? (calls === null ? "Connecting to live calls…" : `${total} live call${total === 1 ? "" : "s"} in this flow`)}
      </Panel>
      <ViewportPortal>
        {nodes.map((n) => {
          const count = counts.get(n.id);
          if (!count) return null;
          const b = box(n);
          return (
            <div
              key={n.id}
              className="live-badge"
              data-node={n.id}
              title={`${count} call${count === 1 ? "" : "s"} in ${n.data.label || n.id} now`}
              style={{ transform: `translate(${b.x + b.w - 14}px, ${b.y - 14}px)` }}
            >
              {count}
            </div>
          );
        })}
      </ViewportPortal>
    </>
  );
}

/** Blue (few) to red (most). */
function heatColour(ratio: number): string {
  const hue = Math.round(210 - 210 * Math.min(1, Math.max(0, ratio)));
  return `hsl(${hue} 85% 45%)`;
}

function HeatMap({ flowId }: { flowId: string }) {
  const nodes = useDesigner((s) => s.nodes);
  const edges = useDesigner((s) => s.edges);
  const [versions, setVersions] = useState<FlowVersionSummary[] | null>(null);
  const [version, setVersion] = useState<number | null>(null);
  const [rangeIndex, setRangeIndex] = useState(1);
  const [data, setData] = useState<FlowAnalytics | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    api<{ versions: FlowVersionSummary[] }>("GET", `/api/flows/${encodeURIComponent(flowId)}/versions`).then(
      (r) => {
        setVersions(r.versions);
        if (r.versions.length) setVersion(Math.max(...r.versions.map((v) => v.number)));
      },
      (e) => setError(errorText(e)),
    );
  }, [flowId]);

  useEffect(() => {
    if (version === null) return;
    const range = RANGES[rangeIndex];
    const q = new URLSearchParams({ flowId, version: String(version) });
    if (range.ms) q.set("since", new Date(Date.now() - range.ms).toISOString());
    setError(null);
    api<{ analytics: FlowAnalytics }>("GET", `/api/calls/analytics?${q}`).then(
      (r) => setData(r.analytics),
      (e) => setError(errorText(e)),
    );
  }, [flowId, version, rangeIndex]);

  // Edge heat by (source, target): the call log knows nodes, not which outcome led there.
  const pairCount = useMemo(() => new Map((data?.edges ?? []).map((e) => [`${e.source}\u0000${e.target}`, e.count])), [data]);
  const maxEdge = Math.max(1, ...(data?.edges ?? []).map((e) => e.count));
  const style = useMemo(() => {
    if (!data) return "";
    const rules = [".canvas .react-flow__edge .react-flow__edge-path { opacity: 0.25 !important; }"];
    for (const e of edges) {
      const n = pairCount.get(`${e.source}\u0000${e.target}`);
      if (!n) continue;
      const ratio = n / maxEdge;
      rules.push(
        `.canvas .react-flow__edge[data-id="${CSS.escape(e.id)}"] .react-flow__edge-path { opacity: 1 !important; stroke: ${heatColour(ratio)} !important; stroke-width: ${(2 + 8 * ratio).toFixed(1)}px !important; }`,
      );
    }
    return rules.join("\n");
  }, [data, edges, pairCount, maxEdge]);
  const byNode = useMemo(() => new Map((data?.nodes ?? []).map((n) => [n.node, n])), [data]);
  const position = useMemo(() => new Map(nodes.map((n) => [n.id, box(n)])), [nodes]);

  if (versions && versions.length === 0) return <p className="muted calls-overlay-note">No published version yet: nothing to show.</p>;
  return (
    <div className="heat-panel" aria-label="Heat map">
      <div className="heat-controls">
        <label>
          Version{" "}
          <select value={version ?? ""} onChange={(e) => setVersion(Number(e.target.value))}>
            {(versions ?? []).map((v) => (
              <option key={v.number} value={v.number}>
                {v.number}
              </option>
            ))}
          </select>
        </label>
        <label>
          Range{" "}
          <select value={rangeIndex} onChange={(e) => setRangeIndex(Number(e.target.value))}>
            {RANGES.map((r, i) => (
              <option key={r.label} value={i}>
                {r.label}
              </option>
            ))}
          </select>
        </label>
      </div>
      {error && <p className="error-box">{error}</p>}
      {data && (
        <div className="heat-summary" data-testid="heat-summary">
          <div>
            <strong>{data.calls}</strong> call{data.calls === 1 ? "" : "s"} · completion{" "}
            <strong>{data.completionRate === null ? "–" : `${Math.round(data.completionRate * 100)} %`}</strong>
          </div>
          {data.hangupCauses.length > 0 && (
            <div className="muted">{data.hangupCauses.map((c) => `${c.cause || "none"} ${c.calls}`).join(" · ")}</div>
          )}
          {data.menus.map((m) => (
            <div key={m.node} className="muted" data-menu={m.node}>
              {m.node}: {m.choices.map((c) => `${c.choice || "no input"} ×${c.count}`).join(", ")}
            </div>
          ))}
        </div>
      )}
      {data && <style>{style}</style>}
      {data && (
        <ViewportPortal>
          {data.edges.map((e) => {
            const a = position.get(e.source);
            const b = position.get(e.target);
            if (!a || !b) return null;
            const x = (a.x + a.w / 2 + b.x + b.w / 2) / 2;
            const y = (a.y + a.h + b.y) / 2;
            return (
              <div key={`${e.source}>${e.target}`} className="heat-edge-label" data-edge={`${e.source}>${e.target}`} style={{ transform: `translate(-50%, -50%) translate(${x}px, ${y}px)` }}>
                {e.count}
              </div>
            );
          })}
          {nodes.map((n) => {
            const s = byNode.get(n.id);
            if (!s) return null;
            const b = position.get(n.id)!;
            return (
              <div key={n.id} className="heat-node-stats" data-node={n.id} style={{ transform: `translate(${b.x}px, ${b.y + b.h + 2}px)` }}>
                {s.visits} visit{s.visits === 1 ? "" : "s"}
                {s.dropOff > 0 && ` · ${s.dropOff} ended here`}
                {s.avgMs !== null && ` · ${s.avgMs < 1000 ? `${s.avgMs} ms` : `${(s.avgMs / 1000).toFixed(1)} s`}`}
              </div>
            );
          })}
        </ViewportPortal>
      )}
    </div>
  );
}
