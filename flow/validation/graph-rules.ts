// IVR1008 (nodes no call can reach) and IVR1009 (loops that never wait for the caller).
import { waitsForCaller } from "../catalog";
import { DIAGNOSTIC_CODES as C } from "../diagnostics";
import { nodeName, type NodeInfo, type ValidationContext } from "./context";
import type { GraphEdge } from "./edges";

/** Adjacency by node position (only the first node of a duplicated id takes part). */
function adjacency(ctx: ValidationContext, edges: GraphEdge[]): number[][] {
  const adj: number[][] = ctx.infos.map(() => []);
  for (const e of edges) adj[e.from.index].push(e.to.index);
  return adj;
}

export function checkReachable(ctx: ValidationContext, edges: GraphEdge[]): void {
  const starts = ctx.infos.filter((i) => i.spec?.entry);
  if (starts.length === 0) return; // already an error; every node would be "unreachable"
  const adj = adjacency(ctx, edges);
  const seen = new Uint8Array(ctx.infos.length);
  const stack = starts.map((s) => s.index);
  for (const s of stack) seen[s] = 1;
  while (stack.length) {
    const n = stack.pop()!;
    for (const m of adj[n]) {
      if (!seen[m]) {
        seen[m] = 1;
        stack.push(m);
      }
    }
  }
  for (const info of ctx.infos) {
    if (seen[info.index] || ctx.byId.get(info.node.id) !== info) continue;
    ctx.out.push({
      code: C.UNREACHABLE,
      severity: "warning",
      message: `${nodeName(info)} cannot be reached from Start; no call will ever get there.`,
      nodeId: info.node.id,
    });
  }
}

/** Strongly connected components (Tarjan, iterative so a long chain cannot overflow the stack). */
export function stronglyConnected(adj: number[][]): number[][] {
  const n = adj.length;
  const index = new Int32Array(n).fill(-1);
  const low = new Int32Array(n);
  const onStack = new Uint8Array(n);
  const stack: number[] = [];
  const components: number[][] = [];
  let next = 0;
  const work: Array<{ v: number; edge: number }> = [];
  for (let root = 0; root < n; root++) {
    if (index[root] !== -1) continue;
    work.push({ v: root, edge: 0 });
    index[root] = low[root] = next++;
    stack.push(root);
    onStack[root] = 1;
    while (work.length) {
      const frame = work[work.length - 1];
      const { v } = frame;
      if (frame.edge < adj[v].length) {
        const w = adj[v][frame.edge++];
        if (index[w] === -1) {
          index[w] = low[w] = next++;
          stack.push(w);
          onStack[w] = 1;
          work.push({ v: w, edge: 0 });
        } else if (onStack[w]) {
          low[v] = Math.min(low[v], index[w]);
        }
        continue;
      }
      work.pop();
      if (work.length) {
        const parent = work[work.length - 1].v;
        low[parent] = Math.min(low[parent], low[v]);
      }
      if (low[v] === index[v]) {
        const comp: number[] = [];
        let w: number;
        do {
          w = stack.pop()!;
          onStack[w] = 0;
          comp.push(w);
        } while (w !== v);
        components.push(comp);
      }
    }
  }
  return components;
}

/** Whether the node could stop a loop from spinning; unknown kinds or bad params are given the benefit of the doubt. */
const canWait = (info: NodeInfo) => !info.spec || !info.params || waitsForCaller(info.node.kind, info.params);

export function checkSpinCycles(ctx: ValidationContext, edges: GraphEdge[]): void {
  const adj = adjacency(ctx, edges);
  for (const comp of stronglyConnected(adj)) {
    const isCycle = comp.length > 1 || adj[comp[0]].includes(comp[0]);
    if (!isCycle) continue;
    const members = comp.map((i) => ctx.infos[i]).sort((a, b) => a.index - b.index);
    if (members.some(canWait)) continue;
    const names = members.slice(0, 6).map(nodeName).join(", ") + (members.length > 6 ? `, … (${members.length} nodes)` : "");
    for (const info of members) {
      ctx.out.push({
        code: C.SPIN_CYCLE,
        severity: "error",
        message: `${nodeName(info)} is in a loop where nothing waits for the caller (${names}); the call would spin forever. Put a prompt, input or pause in the loop.`,
        nodeId: info.node.id,
      });
    }
  }
}
