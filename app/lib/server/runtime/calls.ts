// Reading the runtime's call log back (GET /api/calls, GET /api/calls/{id}): recent calls,
// newest first, paginated by cursor, filtered by time, numbers, flow, version and hangup cause,
// each with the length of its path and its last node; one call with its events.
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
  /** Who ended the call: caller | flow | admin | system (null while in progress or unknown). */
  hangupBy: string | null;
  durationMs: number | null;
  /** Nodes the call went through (a node re-entered counts again). */
  pathLength: number;
  lastNode: string | null;
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

/** A file the call recorded (recordFile, or the record application), by the event that made it. */
export interface CallRecording {
  seq: number;
  node: string | null;
  /** As the script named it (the runtime resolves it under the recordings folder). */
  file: string;
}

export interface CallDetail extends CallSummary {
  events: CallEventView[];
  recordings: CallRecording[];
  /** Nodes in the order the call went through them (repeats kept when a node is re-entered). */
  nodes: string[];
}

export interface CallQuery {
  /** Part of the caller's or the called number. */
  number?: string;
  /** Part of the caller's number. */
  caller?: string;
  /** Part of the called number. */
  called?: string;
  flowId?: string;
  version?: number;
  /** Hangup cause, exactly (e.g. NORMAL_CLEARING). */
  cause?: string;
  /** Ended calls that lasted at least / at most this long (ms). */
  minDurationMs?: number;
  maxDurationMs?: number;
  /** Calls started at or after / before these instants. */
  since?: Date;
  until?: Date;
  limit: number;
  /** The id of the last call of the previous page. */
  cursor?: string;
}

const ID_RE = /^[A-Za-z0-9_-]{1,64}$/;

function numberParam(params: URLSearchParams, name: string): string | undefined {
  const v = params.get(name)?.trim() || undefined;
  if (v && v.length > 100) throw invalid(`${name} is too long (at most 100 characters).`);
  return v;
}

function instantParam(params: URLSearchParams, name: string): Date | undefined {
  const v = params.get(name)?.trim();
  if (!v) return undefined;
  const d = new Date(v);
  if (v.length > 40 || Number.isNaN(d.getTime())) throw invalid(`${name} must be an ISO 8601 instant (e.g. 2026-12-07T15:00:00Z).`);
  return d;
}

/** Query-string parameters: number, caller, called, flowId, version, cause, since, until, minDuration, maxDuration (seconds), limit (1-200, default 50), cursor. */
export function parseCallQuery(params: URLSearchParams): CallQuery {
  const number = numberParam(params, "number");
  const caller = numberParam(params, "caller");
  const called = numberParam(params, "called");
  const cause = params.get("cause")?.trim() || undefined;
  if (cause && !/^[A-Z_0-9]{1,64}$/.test(cause)) throw invalid(`"${cause}" is not a hangup cause name.`);
  const rawVersion = params.get("version")?.trim() || undefined;
  if (rawVersion && !/^\d{1,9}$/.test(rawVersion)) throw invalid("version must be a whole number.");
  const version = rawVersion ? Number(rawVersion) : undefined;
  const since = instantParam(params, "since");
  const until = instantParam(params, "until");
  const flowId = params.get("flowId")?.trim() || undefined;
  if (flowId && !ID_RE.test(flowId)) throw invalid(`"${flowId}" is not a flow id.`);
  const cursor = params.get("cursor")?.trim() || undefined;
  if (cursor && !ID_RE.test(cursor)) throw invalid(`"${cursor}" is not a cursor from a previous page.`);
  const seconds = (name: string): number | undefined => {
    const v = params.get(name)?.trim();
    if (!v) return undefined;
    if (!/^\d{1,7}(\.\d{1,3})?$/.test(v)) throw invalid(`${name} must be a number of seconds (e.g. 30 or 2.5).`);
    return Math.round(Number(v) * 1000);
  };
  const minDurationMs = seconds("minDuration");
  const maxDurationMs = seconds("maxDuration");
  if (minDurationMs !== undefined && maxDurationMs !== undefined && minDurationMs > maxDurationMs) throw invalid("minDuration must not be above maxDuration.");
  const rawLimit = params.get("limit");
  let limit = 50;
  if (rawLimit !== null) {
    limit = Number(rawLimit);
    if (!/^\d{1,4}$/.test(rawLimit) || limit < 1 || limit > 200) throw invalid("limit must be a whole number from 1 to 200.");
  }
  return { number, caller, called, flowId, version, cause, since, until, limit, cursor, minDurationMs, maxDurationMs };
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
  hangupBy: string | null;
};

async function flowNames(prisma: PrismaClient, rows: CallRow[]): Promise<Map<string, string>> {
  const ids = [...new Set(rows.map((r) => r.flowId).filter((id): id is string => !!id))];
  if (!ids.length) return new Map();
  const flows = await prisma.flow.findMany({ where: { id: { in: ids } }, select: { id: true, name: true } });
  return new Map(flows.map((f) => [f.id, f.name]));
}

/** Path length and last node of each call, from its events (one query for a page of calls). */
async function pathsOf(prisma: PrismaClient, callIds: string[]): Promise<Map<string, { pathLength: number; lastNode: string | null }>> {
  const out = new Map<string, { pathLength: number; lastNode: string | null }>();
  if (!callIds.length) return out;
  const events = await prisma.callEvent.findMany({
    where: { callId: { in: callIds }, node: { not: null } },
    select: { callId: true, node: true },
    orderBy: [{ callId: "asc" }, { seq: "asc" }],
  });
  for (const e of events) {
    const p = out.get(e.callId) ?? { pathLength: 0, lastNode: null };
    if (e.node !== p.lastNode) {
      p.pathLength++;
      p.lastNode = e.node;
    }
    out.set(e.callId, p);
  }
  return out;
}

const summary = (r: CallRow, names: Map<string, string>, path?: { pathLength: number; lastNode: string | null }): CallSummary => ({
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
  hangupBy: r.hangupBy,
  durationMs: r.endedAt ? r.endedAt.getTime() - r.startedAt.getTime() : null,
  pathLength: path?.pathLength ?? 0,
  lastNode: path?.lastNode ?? null,
});

export async function listCalls(prisma: PrismaClient, q: CallQuery): Promise<{ calls: CallSummary[]; nextCursor: string | null }> {
  const where: Prisma.CallWhereInput = {};
  if (q.number) where.OR = [{ from: { contains: q.number } }, { to: { contains: q.number } }];
  const and: Prisma.CallWhereInput[] = [];
  if (q.caller) and.push({ from: { contains: q.caller } });
  if (q.called) and.push({ to: { contains: q.called } });
  if (q.minDurationMs !== undefined || q.maxDurationMs !== undefined) {
    // Prisma cannot compare two columns with an offset: the matching ids come from SQL.
    const ids = await prisma.$queryRaw<Array<{ id: string }>>`
      SELECT id FROM "Call" WHERE "endedAt" IS NOT NULL
        AND EXTRACT(EPOCH FROM ("endedAt" - "startedAt")) * 1000 >= ${q.minDurationMs ?? 0}
        AND EXTRACT(EPOCH FROM ("endedAt" - "startedAt")) * 1000 <= ${q.maxDurationMs ?? Number.MAX_SAFE_INTEGER}`;
    and.push({ id: { in: ids.map((r) => r.id) } });
  }
  if (and.length) where.AND = and;
  if (q.flowId) where.flowId = q.flowId;
  if (q.version !== undefined) where.version = q.version;
  if (q.cause) where.cause = q.cause;
  if (q.since || q.until) where.startedAt = { ...(q.since ? { gte: q.since } : {}), ...(q.until ? { lt: q.until } : {}) };
  const rows = await prisma.call.findMany({
    where,
    orderBy: [{ startedAt: "desc" }, { id: "desc" }],
    take: q.limit + 1,
    ...(q.cursor ? { cursor: { id: q.cursor }, skip: 1 } : {}),
  });
  const page = rows.slice(0, q.limit);
  const [names, paths] = await Promise.all([flowNames(prisma, page), pathsOf(prisma, page.map((r) => r.callId))]);
  return { calls: page.map((r) => summary(r, names, paths.get(r.callId))), nextCursor: rows.length > q.limit ? page[page.length - 1].id : null };
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
  const recordings = views.flatMap((e) => {
    const file = recordedFile(e.method, e.args);
    return file ? [{ seq: e.seq, node: e.node, file }] : [];
  });
  return { ...summary(row, names, { pathLength: nodes.length, lastNode: nodes.at(-1) ?? null }), events: views, nodes, recordings };
}

/** The file a logged method recorded into, if it is a recording: recordFile(file, ...) or execute("record", "file ..."). */
export function recordedFile(method: string, args: unknown): string | undefined {
  const a = Array.isArray(args) ? args : [];
  if (method === "recordFile" && typeof a[0] === "string" && a[0]) return a[0];
  if (method === "execute" && a[0] === "record" && typeof a[1] === "string") return a[1].trim().split(/\s+/)[0] || undefined;
  return undefined;
}

/**
 * The recording one event of a call made, as a file this server may serve: only a recording
 * the call log names, only inside the recordings folder once every link is resolved (a path
 * with .. or a symbolic link out of it is "not found", never read).
 */
export async function recordingPath(prisma: PrismaClient, id: string, seqText: string, recordingsRoot: string): Promise<string> {
  if (!ID_RE.test(id) || !/^\d{1,9}$/.test(seqText)) throw notFound("That recording");
  const row = await prisma.call.findFirst({ where: { OR: [{ id }, { callId: id }] }, select: { callId: true } });
  if (!row) throw notFound("That recording");
  const event = await prisma.callEvent.findUnique({ where: { callId_seq: { callId: row.callId, seq: Number(seqText) } } });
  const file = event ? recordedFile(event.method, event.args) : undefined;
  if (!file) throw notFound("That recording");
  const { realpath, stat } = await import("node:fs/promises");
  const path = await import("node:path");
  try {
    const root = await realpath(recordingsRoot);
    const real = await realpath(path.resolve(root, file));
    if (!real.startsWith(root + path.sep) || !(await stat(real)).isFile()) throw new Error("outside");
    return real;
  } catch {
    throw notFound("That recording");
  }
}
