"use client";
// Right panel, Properties tab: the selected node's form (generated from its kind's zod
// params), or the flow settings when nothing is selected.
import { memo, useCallback, useId, useMemo } from "react";
import { flowSettingsSchema, type FlowSettings } from "../../flow/graph";
import { specOf } from "../../flow/catalog";
import type { Diagnostic } from "../../flow/diagnostics";
import { useDesigner, useDesignerStore } from "./context";
import { FieldErrors } from "./form/FieldErrors";
import { ParamForm } from "./form/ParamForm";
import type { IvrNodeData } from "./types";

const SETTINGS_SHAPE = flowSettingsSchema.shape;
const EMPTY: Diagnostic[] = [];

/** Parameter problems zod sees right now: shown until validate() reports that path itself. */
function localIssues(kind: string, params: unknown, nodeId: string): Diagnostic[] {
  const spec = specOf(kind);
  if (!spec) return [];
  const r = spec.params.safeParse(params ?? {});
  if (r.success) return [];
  return r.error.issues.map((i) => ({ code: "IVR1002", severity: "error", message: i.message, nodeId, param: i.path.join(".") }));
}

export function PropertiesPanel() {
  const selectedIds = useDesigner((s) => s.selectedNodeIds);
  // The node's data, not the node: dragging the selected node changes its position (a new
  // node object every frame) but keeps its data, so the form does not re-render while dragging.
  const nodeId = selectedIds.length === 1 ? selectedIds[0] : null;
  const data = useDesigner((s) => (nodeId ? s.nodes.find((n) => n.id === nodeId)?.data : undefined));
  if (selectedIds.length > 1) {
    return (
      <div className="panel-body">
        <p className="muted">{selectedIds.length} nodes selected. Ctrl+C copies them, Ctrl+D duplicates, Delete removes.</p>
      </div>
    );
  }
  return nodeId && data ? <NodeProperties id={nodeId} data={data} /> : <FlowSettingsForm />;
}

const NodeProperties = memo(function NodeProperties({ id, data }: { id: string; data: IvrNodeData }) {
  const store = useDesignerStore();
  const readOnly = useDesigner((s) => s.readOnly);
  const diagnostics = useDesigner((s) => s.diagnostics);
  const spec = specOf(data.kind);
  const labelId = useId();
  const mine = useMemo(() => {
    const fromValidate = diagnostics.filter((d) => d.nodeId === id);
    const paths = new Set(fromValidate.map((d) => d.param));
    const local = localIssues(data.kind, data.params, id).filter((d) => !paths.has(d.param));
    return [...fromValidate, ...local];
  }, [diagnostics, id, data.kind, data.params]);
  const onChange = useCallback(
    (params: Record<string, unknown>, field: string) => store.getState().updateParams(id, params, field),
    [store, id],
  );
  const shape = spec?.params.shape as Record<string, never> | undefined;
  const general = mine.filter((d) => !d.param);
  return (
    <div className="panel-body" aria-label="Node properties">
      <header className="props-head">
        <h2>{spec?.label ?? data.kind}</h2>
        <code className="muted">{id}</code>
      </header>
      {spec && <p className="help">{spec.description}</p>}
      <FieldErrors items={general} />
      <div className="field">
        <label htmlFor={labelId}>Label</label>
        <input
          id={labelId}
          value={data.label}
          disabled={readOnly}
          placeholder={id}
          onChange={(e) => store.getState().updateLabel(id, e.target.value)}
        />
      </div>
      {shape && Object.keys(shape).length > 0 ? (
        <ParamForm
          shape={shape}
          value={data.params}
          onChange={onChange}
          diagnostics={mine}
          idPrefix={`p-${id}`}
          readOnly={readOnly}
        />
      ) : (
        <p className="muted">{spec ? "This node has no parameters." : "Unknown node kind: delete it or fix the document."}</p>
      )}
    </div>
  );
});

function FlowSettingsForm() {
  const store = useDesignerStore();
  const settings = useDesigner((s) => s.settings);
  const readOnly = useDesigner((s) => s.readOnly);
  const onChange = useCallback(
    (v: Record<string, unknown>) => store.getState().updateSettings(v as FlowSettings),
    [store],
  );
  return (
    <div className="panel-body" aria-label="Flow settings">
      <h2>Flow settings</h2>
      <p className="help">Select a node to edit it. These settings apply to the whole flow.</p>
      <ParamForm
        shape={SETTINGS_SHAPE as unknown as Record<string, never>}
        value={settings as unknown as Record<string, unknown>}
        onChange={onChange}
        diagnostics={EMPTY}
        idPrefix="settings"
        readOnly={readOnly}
      />
    </div>
  );
}
