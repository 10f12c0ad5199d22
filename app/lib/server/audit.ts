// The audit log: who did what, when, to what. Route handlers call recordAudit() after a change
// succeeds (or inside the change's transaction, passing it as `db`); GET /api/audit reads it.
// Actions are "noun.verb" (flow.publish, route.update, user.role_change, gateway.create...):
// free text, so a new room adds its own without touching this file. Never put a secret (a
// password, a token) in `details`.
import type { Prisma, PrismaClient } from "../../../prisma/generated/client/client";
import type { Auth } from "./auth/session";
import { getPrisma } from "./db/client";
import { invalid } from "./http";

/** The actions this project records (the filter's suggestions; other actions are welcome). */
export const AUDIT_ACTIONS = [
  "auth.setup",
  "auth.login",
  "auth.login_failed",
  "auth.password_change",
  "auth.password_reset",
  "flow.create",
  "flow.import",
  "flow.duplicate",
  "flow.delete",
  "flow.publish",
  "flow.rollback",
  "route.create",
  "route.update",
  "route.delete",
  "user.create",
  "user.role_change",
  "user.disable",
  "user.enable",
  "user.update",
  "user.delete",
  "user.temporary_password",
  "user.reset_link",
  "token.create",
  "token.revoke",
  "settings.update",
  "prompt.create",
  "prompt.delete",
  "gateway.create",
  "gateway.update",
  "gateway.delete",
  "sip_user.create",
  "sip_user.update",
  "sip_user.delete",
  "prompt.rename",
  "phrase.create",
  "phrase.update",
  "phrase.delete",
] as const;

/** Who acted: a signed-in caller (requireUser's answer), or null for the system / an anonymous caller. */
export type AuditActor = Pick<Auth, "user" | "via"> & { tokenName?: string };

export interface AuditTarget {
  /** flow, route, user, token, settings, prompt, gateway... */
  type: string;
  id?: string;
  /** What a person recognises: a flow name, a route pattern, an email. */
  label?: string;
}

export interface AuditEntry {
  action: string;
  target?: AuditTarget;
  details?: Record<string, unknown>;
}

type AuditDb = Pick<PrismaClient, "auditLog"> | Prisma.TransactionClient;

/** Details larger than this (as JSON) are replaced by a note saying so: the log is not a store. */
const MAX_DETAILS_CHARS = 8_000;

function rowOf(actor: AuditActor | null, entry: AuditEntry): Prisma.AuditLogCreateInput {
  if (!/^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$/.test(entry.action)) throw new Error(`Audit action "${entry.action}" is not noun.verb.`);
  let details: Prisma.InputJsonValue | undefined;
  if (entry.details || actor?.tokenName) {
    const all = { ...entry.details, ...(actor?.tokenName ? { token: actor.tokenName } : {}) };
    const text = JSON.stringify(all);
    details = (text.length > MAX_DETAILS_CHARS ? { truncated: true, size: text.length } : JSON.parse(text)) as Prisma.InputJsonValue;
  }
  return {
    actorId: actor?.user.id ?? null,
    actorEmail: actor?.user.email ?? "",
    via: actor?.via ?? "system",
    action: entry.action,
    targetType: entry.target?.type ?? "",
    targetId: entry.target?.id ?? "",
    target: (entry.target?.label ?? "").slice(0, 500),
    details,
  };
}

/**
 * Append one entry. With `db` (a transaction), the entry is part of the change and a failure
 * fails it. Without, it is written on its own after the change: a failure is logged, never
 * thrown, since the change it describes has already happened.
 */
export async function recordAudit(actor: AuditActor | null, entry: AuditEntry, db?: AuditDb): Promise<void> {
  const data = rowOf(actor, entry);
  if (db) {
    await db.auditLog.create({ data });
    return;
  }
  try {
    await (await getPrisma()).auditLog.create({ data });
  } catch (e) {
    console.error(`[audit] could not record ${entry.action} by ${data.actorEmail || data.via}:`, e);
  }
}

export interface AuditView {
  id: string;
  at: string;
  actorId: string | null;
  actor: string;
  via: string;
  action: string;
  targetType: string;
  targetId: string;
  target: string;
  details: unknown;
}

export interface AuditQuery {
  /** An actor's user id, or part of their email. */
  actor?: string;
  /** An exact action (user.delete) or a noun to match all its verbs (user). */
  action?: string;
  targetType?: string;
  targetId?: string;
  since?: Date;
  until?: Date;
  limit: number;
  /** The id of the last entry of the previous page. */
  cursor?: bigint;
}

function instantParam(params: URLSearchParams, name: string): Date | undefined {
  const v = params.get(name)?.trim();
  if (!v) return undefined;
  const d = new Date(v);
  if (v.length > 40 || Number.isNaN(d.getTime())) throw invalid(`${name} must be an ISO 8601 instant (e.g. 2026-12-07T15:00:00Z).`);
  return d;
}

function textParam(params: URLSearchParams, name: string, max = 200): string | undefined {
  const v = params.get(name)?.trim() || undefined;
  if (v && v.length > max) throw invalid(`${name} is too long (at most ${max} characters).`);
  return v;
}

/** ?actor=&action=&targetType=&targetId=&since=&until=&limit= (1-200, default 50)&cursor= */
export function parseAuditQuery(params: URLSearchParams): AuditQuery {
  const action = textParam(params, "action", 100);
  if (action && !/^[a-z][a-z0-9_.]*$/.test(action)) throw invalid(`"${action}" is not an action name (e.g. user.delete, or user for all user actions).`);
  const rawCursor = params.get("cursor")?.trim() || undefined;
  if (rawCursor && !/^\d{1,19}$/.test(rawCursor)) throw invalid(`"${rawCursor}" is not a cursor from a previous page.`);
  const rawLimit = params.get("limit");
  let limit = 50;
  if (rawLimit !== null) {
    limit = Number(rawLimit);
    if (!/^\d{1,4}$/.test(rawLimit) || limit < 1 || limit > 200) throw invalid("limit must be a whole number from 1 to 200.");
  }
  const since = instantParam(params, "since");
  const until = instantParam(params, "until");
  if (since && until && since >= until) throw invalid("since must be before until.");
  return {
    actor: textParam(params, "actor", 320),
    action,
    targetType: textParam(params, "targetType", 50),
    targetId: textParam(params, "targetId", 100),
    since,
    until,
    limit,
    cursor: rawCursor ? BigInt(rawCursor) : undefined,
  };
}

/** Newest first, a page at a time. */
export async function listAudit(prisma: PrismaClient, q: AuditQuery): Promise<{ entries: AuditView[]; nextCursor: string | null }> {
  const and: Prisma.AuditLogWhereInput[] = [];
  if (q.actor) and.push({ OR: [{ actorId: q.actor }, { actorEmail: { contains: q.actor.toLowerCase() } }] });
  if (q.action) and.push(q.action.includes(".") ? { action: q.action } : { action: { startsWith: `${q.action}.` } });
  if (q.targetType) and.push({ targetType: q.targetType });
  if (q.targetId) and.push({ targetId: q.targetId });
  if (q.since) and.push({ at: { gte: q.since } });
  if (q.until) and.push({ at: { lt: q.until } });
  if (q.cursor !== undefined) and.push({ id: { lt: q.cursor } });
  // Ids grow with time (one sequence), so they order the log and page it stably.
  const rows = await prisma.auditLog.findMany({ where: { AND: and }, orderBy: { id: "desc" }, take: q.limit + 1 });
  const page = rows.slice(0, q.limit);
  return {
    entries: page.map((r) => ({
      id: r.id.toString(),
      at: r.at.toISOString(),
      actorId: r.actorId,
      actor: r.actorEmail,
      via: r.via,
      action: r.action,
      targetType: r.targetType,
      targetId: r.targetId,
      target: r.target,
      details: r.details ?? null,
    })),
    nextCursor: rows.length > q.limit ? page[page.length - 1].id.toString() : null,
  };
}

/** The actions and actors present in the log, for the page's filters. */
export async function auditFacets(prisma: PrismaClient): Promise<{ actions: string[]; actors: string[] }> {
  const [actions, actors] = await Promise.all([
    prisma.auditLog.findMany({ distinct: ["action"], select: { action: true }, orderBy: { action: "asc" } }),
    prisma.auditLog.findMany({ distinct: ["actorEmail"], select: { actorEmail: true }, where: { actorEmail: { not: "" } }, orderBy: { actorEmail: "asc" } }),
  ]);
  const known = new Set<string>([...AUDIT_ACTIONS, ...actions.map((a) => a.action)]);
  return { actions: [...known].sort(), actors: actors.map((a) => a.actorEmail) };
}
