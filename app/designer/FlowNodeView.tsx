"use client";
// The one node component for every kind: kind, label, summary, badges, and one source
// handle per outcome (handle id = outcome key). Memoised: a drag re-renders only the
// dragged node; params, label and badges come through props/selectors.
import { Handle, Position, useUpdateNodeInternals, type NodeProps } from "@xyflow/react";
import { memo, useEffect, useMemo, useRef } from "react";
import { outcomesOf, specOf } from "../../flow/catalog";
import { useDesigner } from "./context";
import type { IvrNode } from "./types";

function summaryOf(kind: string, params: unknown): string {
  const spec = specOf(kind);
  if (!spec) return `Unknown kind "${kind}"`;
  const r = spec.params.safeParse(params ?? {});
  if (!r.success) return "(invalid parameters)";
  try {
    return spec.summary(r.data);
  } catch {
    return "";
  }
}

/**
 * A width from the number of outcomes, not from the text: long outcome labels ellipsize
 * instead of widening the node over its neighbours, and layout never measures text.
 */
const nodeWidth = (outcomes: number) => Math.min(420, Math.max(180, outcomes * 64));

function FlowNodeViewImpl({ id, data, selected }: NodeProps<IvrNode>) {
  const spec = specOf(data.kind);
  const outcomes = useMemo(() => outcomesOf(data.kind, data.params), [data.kind, data.params]);
  const summary = useMemo(() => summaryOf(data.kind, data.params), [data.kind, data.params]);
  const badge = useDesigner((s) => s.badges[id]);
  // The simulator's current node, or a failing test case's step (app/designer/simulator/).
  const highlight = useDesigner((s) => (s.highlight?.nodeId === id ? s.highlight.tone : undefined));
  const [errors, warnings] = badge ? badge.split(",").map(Number) : [0, 0];
  const updateNodeInternals = useUpdateNodeInternals();
  const outcomeKeys = outcomes.map((o) => o.key).join("\u0000");
  // React Flow caches handle positions: tell it when the set of outcomes changes (not on
  // mount: React Flow measures new nodes itself, and 300 forced measures slow the first paint).
  const shownKeys = useRef(outcomeKeys);
  useEffect(() => {
    if (shownKeys.current === outcomeKeys) return;
    shownKeys.current = outcomeKeys;
    updateNodeInternals(id);
  }, [id, outcomeKeys, updateNodeInternals]);

  const category = spec?.category ?? "unknown";
  return (
    <div
      className={`ivr-node cat-${category}${selected ? " selected" : ""}${errors ? " has-errors" : ""}${highlight ? ` highlight-${highlight}` : ""}`}
      data-testid={`node-${id}`}
      data-highlight={highlight}
      aria-label={`${spec?.label ?? data.kind} node ${data.label || id}`}
      style={{ width: nodeWidth(outcomes.length) }}
    >
      {!spec?.entry && <Handle type="target" position={Position.Top} className="ivr-target-handle" />}
      <div className="ivr-node-head">
        <span className="ivr-node-kind">{spec?.label ?? data.kind}</span>
        <span className="ivr-node-badges">
          {errors > 0 && (
            <span className="badge badge-error" title={`${errors} error(s)`}>
              {errors}
            </span>
          )}
          {warnings > 0 && (
            <span className="badge badge-warning" title={`${warnings} warning(s)`}>
              {warnings}
            </span>
          )}
        </span>
      </div>
      <div className="ivr-node-label">{data.label || id}</div>
      {/* Level of detail: zoomed out, only this (large) label and the kind colour show (designer.css). */}
      <div className="ivr-node-lod-label" aria-hidden="true">
        {data.label || id}
      </div>
      {summary && <div className="ivr-node-summary">{summary}</div>}
      {outcomes.length > 0 && (
        <div className="ivr-node-outcomes" style={{ gridTemplateColumns: `repeat(${outcomes.length}, minmax(0, 1fr))` }}>
          {outcomes.map((o, i) => (
            <span key={o.key} className="ivr-outcome" title={o.label}>
              {o.label}
              <Handle
                type="source"
                id={o.key}
                position={Position.Bottom}
                className="ivr-source-handle"
                style={{ left: `${((i + 0.5) / outcomes.length) * 100}%` }}
                aria-label={`Outcome ${o.label}`}
              />
            </span>
          ))}
        </div>
      )}
    </div>
  );
}

export const FlowNodeView = memo(FlowNodeViewImpl);
