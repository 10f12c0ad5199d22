// IVR1001 (unknown node kind, with close matches) and IVR1013 (admin-only kinds).
import { CATALOG, NODE_KINDS } from "../catalog";
import { DIAGNOSTIC_CODES as C } from "../diagnostics";
import { nodeName, quote, type ValidationContext } from "./context";

const normalize = (s: string) => s.toLowerCase().replace(/[^a-z0-9]/g, "");

function editDistance(a: string, b: string): number {
  if (Math.abs(a.length - b.length) > 3) return 99;
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev[b.length];
}

/** Catalog kinds that look like `kind` (same letters, a typo away, or contained in it). */
export function closeKinds(kind: string): string[] {
  const k = normalize(kind);
  if (!k) return [];
  const scored: Array<{ kind: string; score: number }> = [];
  for (const candidate of NODE_KINDS) {
    const names = [normalize(candidate), normalize(CATALOG[candidate].label)];
    let score = Infinity;
    for (const n of names) {
      if (n === k) score = 0;
      else if (k.length >= 3 && (n.includes(k) || k.includes(n))) score = Math.min(score, 1);
      else {
        const d = editDistance(k, n);
        if (d <= (k.length <= 4 ? 1 : 2)) score = Math.min(score, 1 + d);
      }
    }
    if (score < Infinity) scored.push({ kind: candidate, score });
  }
  return scored.sort((a, b) => a.score - b.score).slice(0, 3).map((s) => s.kind);
}

export function checkKinds(ctx: ValidationContext): void {
  for (const info of ctx.infos) {
    if (info.spec) {
      if (info.spec.adminOnly && ctx.options.authorIsAdmin !== true) {
        ctx.out.push({
          code: C.CUSTOM_CODE_NOT_ADMIN,
          severity: "error",
          message: `${nodeName(info)}: only an admin may publish a flow with a ${info.spec.label} node (it runs with full privileges).`,
          nodeId: info.node.id,
        });
      }
      continue;
    }
    const close = closeKinds(String(info.node.kind));
    ctx.out.push({
      code: C.UNKNOWN_KIND,
      severity: "error",
      message:
        `Node "${info.node.label || info.node.id}" has an unknown kind ${quote(String(info.node.kind))}` +
        (close.length ? `; did you mean ${close.join(", ")}?` : "."),
      nodeId: info.node.id,
    });
  }
}
