"use client";
// Every diagnostic of the flow; clicking one selects and centres its node.
import { useDesigner } from "./context";
import { useFocusNode } from "./useFocusNode";

export function ValidationPanel() {
  const diagnostics = useDesigner((s) => s.diagnostics);
  const focusNode = useFocusNode();
  if (diagnostics.length === 0) {
    return (
      <div className="panel-body">
        <p className="ok-text" role="status">No problems found.</p>
      </div>
    );
  }
  return (
    <div className="panel-body">
      <ul className="diagnostics" aria-label="Problems">
        {diagnostics.map((d, i) => (
          <li key={i} className={`diag diag-${d.severity}`}>
            <button type="button" disabled={!d.nodeId} onClick={() => d.nodeId && focusNode(d.nodeId)}>
              <span className={`sev sev-${d.severity}`}>{d.severity}</span>
              <span className="diag-code">{d.code}</span>
              {d.nodeId && <span className="diag-node">{d.nodeId}</span>}
              <span className="diag-msg">{d.message}</span>
            </button>
          </li>
        ))}
      </ul>
    </div>
  );
}
