// A valid flow of `count` nodes (a chain through varied kinds; every outcome leads on).
import { defaultParams, outcomesOf, type NodeKind } from "../../flow/catalog";
import { SCHEMA_VERSION, type FlowGraphInput } from "../../flow/graph";

const CYCLE: Array<{ kind: NodeKind; params: Record<string, unknown> }> = [
  { kind: "play", params: { file: "ivr/ivr-welcome.wav" } },
  { kind: "menu", params: { prompt: "ivr/menu.wav", choices: [{ key: "1", label: "Sales" }, { key: "2", label: "Support" }] } },
  { kind: "set_variable", params: { name: "step", value: "x" } },
  { kind: "branch", params: { variable: "step", cases: [{ key: "is_x", op: "equals", value: "x" }] } },
  { kind: "log", params: { message: "step ${step}" } },
  { kind: "say", params: { text: "42" } },
];

export function bigFlow(count: number): FlowGraphInput {
  const nodes: FlowGraphInput["nodes"] = [{ id: "start", kind: "start", label: "Start", params: {}, position: { x: 0, y: 0 } }];
  for (let i = 1; i < count - 1; i++) {
    const c = CYCLE[(i - 1) % CYCLE.length];
    nodes.push({
      id: `n${i}`,
      kind: c.kind,
      label: `${c.kind} ${i}`,
      params: { ...defaultParams(c.kind), ...c.params },
      position: { x: (i % 12) * 260, y: Math.floor(i / 12) * 170 },
    });
  }
  nodes.push({ id: "bye", kind: "hangup", label: "Bye", params: {}, position: { x: 0, y: Math.ceil(count / 12) * 170 } });
  const edges: NonNullable<FlowGraphInput["edges"]> = [];
  for (let i = 0; i < nodes.length - 1; i++) {
    for (const o of outcomesOf(nodes[i].kind, nodes[i].params)) {
      edges.push({ source: nodes[i].id, outcome: o.key, target: nodes[i + 1].id });
    }
  }
  return { schemaVersion: SCHEMA_VERSION, name: `Big flow (${count} nodes)`, description: "", nodes, edges };
}
