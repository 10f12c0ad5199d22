// Reading the runtime's call log back (GET /api/calls, GET /api/calls/{id}): recent calls,
// newest first, paginated by cursor, filtered by number and flow; one call with its events.
import type { Prisma, PrismaClient } from "../../../../prisma/generated/client/client";
import { invalid, notFound } from "../http";

export interface CallSummary {
  id: string;
  /** The runtime's call UUID. */
  callId: string;
  from: string;
  to: string;
  flowId: string | null;
  flowName: string | null;
  version: number | null;
  startedAt: string;
  endedAt: string | null;
  cause: string | null;
  durationMs: number | null;
}

export interface CallEventView {
  seq: number;
  ts: string;
  node: string | null;
  method: string;
  args: unknown;
  result: unknown;
  ms: number;
  /** Why a playback during the method failed, e.g. "not found: ivr/x.wav (no such file: ...)". */
  error: string | null;
}

export interface CallDetail extends CallSummary {
  events: CallEventView[];
  /** Nodes in the order the call went through them (repeats kept when a node is re-entered). */
  nodes: string[];
}

export interface CallQuery {
  /** Part of the caller's or the called number. */
  number?: string;
  flowId?: string;
  limit: number;
  /** The id of the last call of the previous page. */
  cursor?: string;
}

const ID_RE = /^[A-Za-z0-9_-]{1,64}$/;

/** Query-string parameters: number, flowId, limit (1-200, default 50), cursor. */
export function parseCallQuery(params: URLSearchParams): CallQuery {
  const number = params.get("number")?.trim() || undefined;
  if (number && number.length > 100) throw invalid("number is too long (at most 100 characters).");
  const flowId = params.get("flowId")?.trim() || undefined;
  if (flowId && !ID_RE.test(flowId)) throw invalid(`"${flowId}" is not a flow id.`);
  const cursor = params.get("cursor")?.trim() || undefined;
  if (cursor && !ID_RE.test(cursor)) throw invalid(`"${cursor}" is not a cursor from a previous page.`);
  const rawLimit = params.get("limit");
  let limit = 50;
  if (rawLimit !== null) {
    limit = Number(rawLimit);
    if (!/^\d{1,4}$/.test(rawLimit) || limit < 1 || limit > 200) throw invalid("limit must be a whole number from 1 to 200.");
  }
  return { number, flowId, limit, cursor };
}

type CallRow = {
  id: string;
  callId: string;
  from: string;
  to: string;
  flowId: string | null;
  version: number | null;
  startedAt: Date;
  endedAt: Date | null;
  cause: string | null;
};

async function flowNames(prisma: PrismaClient, rows: CallRow[]): Promise<Map<string, string>> {
  const ids = [...new Set(rows.map((r) => r.flowId).filter((id): id is string => !!id))];
  if (!ids.length) return new Map();
  const flows = await prisma.flow.findMany({ where: { id: { in: ids } }, select: { id: true, name: true } });
  return new Map(flows.map((f) => [f.id, f.name]));
}

const summary = (r: CallRow, names: Map<string, string>): CallSummary => ({
  id: r.id,
  callId: r.callId,
  from: r.from,
  to: r.to,
  flowId: r.flowId,
  flowName: r.flowId ? (names.get(r.flowId) ?? null) : null,
  version: r.version,
  startedAt: r.startedAt.toISOString(),
  endedAt: r.endedAt?.toISOString() ?? null,
  cause: r.cause,
  durationMs: r.endedAt ? r.endedAt.getTime() - r.startedAt.getTime() : null,
});

export async function listCalls(prisma: PrismaClient, q: CallQuery): Promise<{ calls: CallSummary[]; nextCursor: string | null }> {
  const where: Prisma.CallWhereInput = {};
  if (q.number) where.OR = [{ from: { contains: q.number } }, { to: { contains: q.number } }];
  if (q.flowId) where.flowId = q.flowId;
  const rows = await prisma.call.findMany({
    where,
    orderBy: [{ startedAt: "desc" }, { id: "desc" }],
    take: q.limit + 1,
    ...(q.cursor ? { cursor: { id: q.cursor }, skip: 1 } : {}),
  });
  const page = rows.slice(0, q.limit);
  const names = await flowNames(prisma, page);
  return { calls: page.map((r) => summary(r, names)), nextCursor: rows.length > q.limit ? page[page.length - 1].id : null };
}

/** One call by its id or its runtime UUID, with every event in order. */
export async function getCall(prisma: PrismaClient, id: string): Promise<CallDetail> {
  if (!ID_RE.test(id)) throw notFound("That call");
  const row = await prisma.call.findFirst({ where: { OR: [{ id }, { callId: id }] } });
  if (!row) throw notFound("That call");
  const events = await prisma.callEvent.findMany({ where: { callId: row.callId }, orderBy: { seq: "asc" } });
  const names = await flowNames(prisma, [row]);
  const views: CallEventView[] = events.map((e) => ({
    seq: e.seq,
    ts: e.ts.toISOString(),
    node: e.node,
    method: e.method,
    args: e.args,
    result: e.result ?? null,
    ms: e.ms,
    error: e.error,
  }));
  const nodes = views.map((e) => e.node).filter((n, i, all): n is string => !!n && n !== all[i - 1]);
  return { ...summary(row, names), events: views, nodes };
}
