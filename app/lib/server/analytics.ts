// Analytics of one published flow version over a time range, computed in SQL on the call log
// (Call + CallEvent): calls, completion, hangup causes, per node visits / drop-off / time spent,
// the edges calls took (the designer's heat map) and each menu's choices.
//
// A node entry is the event the generated code logs as it enters a node, setVariable("ivr_node",
// id); the next entry of the same call (LEAD over seq) gives the edge taken and the time spent in
// the node (the last node's time runs to the call's end). Indexes (see the migration
// analytics_indexes): Call (flowId, version, startedAt) picks the calls, CallEvent (callId, method)
// their node entries and menu results. bench/analytics measures it at 1,000,000 events.
import type { PrismaClient } from "../../../prisma/generated/client/client";
import { outcomesOf, specOf } from "../../../flow/catalog";
import { invalid, notFound } from "./http";

export interface AnalyticsQuery {
  flowId: string;
  /** Default: the latest published version. */
  version?: number;
  /** Calls started at or after / before. */
  since?: Date;
  until?: Date;
}

export interface NodeStats {
  node: string;
  /** Times a call entered the node (a call that loops back counts again). */
  visits: number;
  /** Calls whose last node this was (they hung up or ended here). */
  dropOff: number;
  /** Mean time from entering the node to leaving it (or to the call's end), ms; null if none ended. */
  avgMs: number | null;
}

export interface FlowAnalytics {
  flowId: string;
  version: number;
  since: string | null;
  until: string | null;
  calls: number;
  /** Calls over (not in progress). */
  ended: number;
  /** Calls that ended in one of the flow's end nodes (hangup, transfer: no outcome leaves them). */
  completed: number;
  /** completed / ended, 0..1 (null without ended calls). */
  completionRate: number | null;
  avgDurationMs: number | null;
  hangupCauses: Array<{ cause: string; calls: number }>;
  /** Who ended the calls: caller | flow | admin | system | unknown. */
  hangupBy: Array<{ by: string; calls: number }>;
  nodes: NodeStats[];
  /** Node to node moves, most taken first. */
  edges: Array<{ source: string; target: string; count: number }>;
  /** Per menu node, how often each choice was entered ("" = no valid input after all tries). */
  menus: Array<{ node: string; choices: Array<{ choice: string; count: number }> }>;
}

const ID_RE = /^[A-Za-z0-9_-]{1,64}$/;

function instant(params: URLSearchParams, name: string): Date | undefined {
  const v = params.get(name)?.trim();
  if (!v) return undefined;
  const d = new Date(v);
  if (v.length > 40 || Number.isNaN(d.getTime())) throw invalid(`${name} must be an ISO 8601 instant (e.g. 2026-12-07T15:00:00Z).`);
  return d;
}

/** ?flowId=&version=&since=&until= */
export function parseAnalyticsQuery(params: URLSearchParams): AnalyticsQuery {
  const flowId = params.get("flowId")?.trim() ?? "";
  if (!ID_RE.test(flowId)) throw invalid("flowId is required (a flow id).");
  const rawVersion = params.get("version")?.trim() || undefined;
  if (rawVersion && !/^\d{1,9}$/.test(rawVersion)) throw invalid("version must be a whole number.");
  const since = instant(params, "since");
  const until = instant(params, "until");
  if (since && until && since >= until) throw invalid("since must be before until.");
  return { flowId, version: rawVersion ? Number(rawVersion) : undefined, since, until };
}

// Bounds as parameters every time (one plan shape): open ends are the extremes of timestamp.
const FAR_PAST = new Date("1970-01-01T00:00:00Z");
const FAR_FUTURE = new Date("9999-01-01T00:00:00Z");

/** The calls of one version in the range: shared by every query below. */
const CALLS = `"Call" c WHERE c."flowId" = $1 AND c.version = $2 AND c."startedAt" >= $3 AND c."startedAt" < $4`;

export const ANALYTICS_SQL = {
  summary: `SELECT count(*)::int AS calls, count(c."endedAt")::int AS ended,
      avg(EXTRACT(EPOCH FROM (c."endedAt" - c."startedAt")) * 1000)::float8 AS avg_ms
    FROM ${CALLS}`,
  causes: `SELECT coalesce(c.cause, '') AS cause, coalesce(c."hangupBy", 'unknown') AS by, count(*)::int AS calls
    FROM ${CALLS} AND c."endedAt" IS NOT NULL GROUP BY 1, 2`,
  // LATERAL ... OFFSET 0: each call's node entries through the (callId, method) index, never a
  // scan of the whole table (the planner misjudges how many rows args->>0 = 'ivr_node' keeps);
  // then one window over them all (a window per call costs more than one sort).
  moves: `SELECT node, next, count(*)::int AS n,
      sum(EXTRACT(EPOCH FROM (coalesce(next_ts, "endedAt") - ts)) * 1000)::float8 AS total_ms,
      count(coalesce(next_ts, "endedAt"))::int AS timed
    FROM (
      SELECT m.node, m.ts, c."endedAt", lead(m.node) OVER w AS next, lead(m.ts) OVER w AS next_ts
      FROM "Call" c CROSS JOIN LATERAL (
        SELECT e.seq, e.ts, e.args->>1 AS node
        FROM "CallEvent" e
        WHERE e."callId" = c."callId" AND e.method = 'setVariable' AND e.args->>0 = 'ivr_node'
        OFFSET 0
      ) m
      WHERE c."flowId" = $1 AND c.version = $2 AND c."startedAt" >= $3 AND c."startedAt" < $4
      WINDOW w AS (PARTITION BY c."callId" ORDER BY m.seq)
    ) t
    GROUP BY node, next`,
  menus: `SELECT m.node, m.choice, count(*)::int AS n
    FROM "Call" c CROSS JOIN LATERAL (
      SELECT e.node, coalesce(e.result #>> '{}', '') AS choice
      FROM "CallEvent" e
      WHERE e."callId" = c."callId" AND e.method = 'playAndGetDigits' AND e.node IS NOT NULL
      OFFSET 0
    ) m
    WHERE c."flowId" = $1 AND c.version = $2 AND c."startedAt" >= $3 AND c."startedAt" < $4
    GROUP BY 1, 2`,
} as const;

type Row = Record<string, unknown>;

export async function flowAnalytics(prisma: PrismaClient, q: AnalyticsQuery): Promise<FlowAnalytics> {
  const flow = await prisma.flow.findFirst({ where: { id: q.flowId, deletedAt: null }, select: { id: true } });
  if (!flow) throw notFound("That flow");
  const version = await prisma.flowVersion.findFirst({
    where: { flowId: q.flowId, ...(q.version !== undefined ? { number: q.version } : {}) },
    orderBy: { number: "desc" },
    select: { number: true, graph: true },
  });
  if (!version) throw notFound(q.version !== undefined ? `Version ${q.version} of that flow` : "A published version of that flow");
  const args = [q.flowId, version.number, q.since ?? FAR_PAST, q.until ?? FAR_FUTURE] as const;
  const run = (sql: string) => prisma.$queryRawUnsafe<Row[]>(sql, ...args);
  // One after the other: PGlite runs one query at a time anyway.
  const [summary] = await run(ANALYTICS_SQL.summary);
  const causes = await run(ANALYTICS_SQL.causes);
  const moves = await run(ANALYTICS_SQL.moves);
  const menuRows = await run(ANALYTICS_SQL.menus);

  // The version's graph says which nodes end a flow (no outcome leaves them) and which are menus.
  const graphNodes = ((version.graph as { nodes?: Array<{ id: string; kind: string; params?: unknown }> }).nodes ?? []).filter((n) => typeof n?.id === "string");
  const kindOf = new Map(graphNodes.map((n) => [n.id, n.kind]));
  const isEnd = (id: string) => {
    const n = graphNodes.find((g) => g.id === id);
    return !!n && !!specOf(n.kind) && outcomesOf(n.kind, n.params ?? {}).length === 0;
  };

  const perNode = new Map<string, { visits: number; dropOff: number; totalMs: number; timed: number }>();
  const edges: FlowAnalytics["edges"] = [];
  for (const m of moves) {
    const node = String(m.node ?? "");
    if (!node) continue;
    const s = perNode.get(node) ?? { visits: 0, dropOff: 0, totalMs: 0, timed: 0 };
    s.visits += Number(m.n);
    s.totalMs += Number(m.total_ms ?? 0);
    s.timed += Number(m.timed);
    if (m.next === null) s.dropOff += Number(m.n);
    else edges.push({ source: node, target: String(m.next), count: Number(m.n) });
    perNode.set(node, s);
  }
  const nodes: NodeStats[] = [...perNode.entries()]
    .map(([node, s]) => ({ node, visits: s.visits, dropOff: s.dropOff, avgMs: s.timed ? Math.round(s.totalMs / s.timed) : null }))
    .sort((a, b) => b.visits - a.visits || a.node.localeCompare(b.node));
  edges.sort((a, b) => b.count - a.count || a.source.localeCompare(b.source) || a.target.localeCompare(b.target));

  const ended = Number(summary?.ended ?? 0);
  const completed = nodes.filter((n) => isEnd(n.node)).reduce((sum, n) => sum + n.dropOff, 0);
  const sum = (rows: Row[], key: string) => {
    const out = new Map<string, number>();
    for (const r of rows) out.set(String(r[key]), (out.get(String(r[key])) ?? 0) + Number(r.calls));
    return [...out.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  };
  const menus = new Map<string, Array<{ choice: string; count: number }>>();
  for (const r of menuRows) {
    const node = String(r.node);
    if (kindOf.get(node) !== "menu") continue;
    menus.set(node, [...(menus.get(node) ?? []), { choice: String(r.choice), count: Number(r.n) }]);
  }
  return {
    flowId: q.flowId,
    version: version.number,
    since: q.since?.toISOString() ?? null,
    until: q.until?.toISOString() ?? null,
    calls: Number(summary?.calls ?? 0),
    ended,
    completed,
    completionRate: ended ? completed / ended : null,
    avgDurationMs: summary?.avg_ms === null || summary?.avg_ms === undefined ? null : Math.round(Number(summary.avg_ms)),
    hangupCauses: sum(causes, "cause").map(([cause, calls]) => ({ cause, calls })),
    hangupBy: sum(causes, "by").map(([by, calls]) => ({ by, calls })),
    nodes,
    edges,
    menus: [...menus.entries()]
      .map(([node, choices]) => ({ node, choices: choices.sort((a, b) => b.count - a.count || a.choice.localeCompare(b.choice)) }))
      .sort((a, b) => a.node.localeCompare(b.node)),
  };
}
