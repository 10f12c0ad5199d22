// Draft flows: list, read, create, save with optimistic concurrency, rename, duplicate, delete.
import type { Prisma, PrismaClient } from "../../../../prisma/generated/client/client";
import type { FlowGraph } from "../../../../flow/graph";
import { ApiError, notFound } from "../http";
import type { PublicUser } from "../auth/session";
import { withIdentity } from "./documents";

export interface FlowSummary {
  id: string;
  name: string;
  description: string;
  revision: number;
  updatedAt: string;
  publishedVersion: number | null;
  createdBy: string;
  updatedBy: string;
}

export interface FlowDetail extends FlowSummary {
  graph: FlowGraph;
}

const asJson = (g: FlowGraph) => g as unknown as Prisma.InputJsonValue;

const flowInclude = { versions: { select: { number: true }, orderBy: { number: "desc" }, take: 1 } } as const;
type FlowRow = Prisma.FlowGetPayload<{ include: typeof flowInclude }>;

async function userNames(prisma: PrismaClient, ids: string[]): Promise<Map<string, string>> {
  const users = await prisma.user.findMany({ where: { id: { in: [...new Set(ids)] } }, select: { id: true, name: true } });
  return new Map(users.map((u) => [u.id, u.name]));
}

function summary(row: FlowRow, names: Map<string, string>): FlowSummary {
  return {
    id: row.id,
    name: row.name,
    description: row.description,
    revision: row.revision,
    updatedAt: row.updatedAt.toISOString(),
    publishedVersion: row.versions[0]?.number ?? null,
    createdBy: names.get(row.createdById) ?? "(deleted user)",
    updatedBy: names.get(row.updatedById) ?? "(deleted user)",
  };
}

export async function listFlows(prisma: PrismaClient): Promise<FlowSummary[]> {
  const rows = await prisma.flow.findMany({ where: { deletedAt: null }, orderBy: { updatedAt: "desc" }, include: flowInclude });
  const names = await userNames(prisma, rows.flatMap((r) => [r.createdById, r.updatedById]));
  return rows.map((r) => summary(r, names));
}

async function findRow(prisma: PrismaClient, id: string): Promise<FlowRow> {
  const row = await prisma.flow.findFirst({ where: { id, deletedAt: null }, include: flowInclude });
  if (!row) throw notFound("That flow");
  return row;
}

export async function getFlow(prisma: PrismaClient, id: string): Promise<FlowDetail> {
  const row = await findRow(prisma, id);
  const names = await userNames(prisma, [row.createdById, row.updatedById]);
  // The row's name and description win over the copies inside the stored document.
  return { ...summary(row, names), graph: withIdentity(row.graph as unknown as FlowGraph, row.name, row.description) };
}

export async function createFlow(prisma: PrismaClient, user: PublicUser, name: string, graph: FlowGraph, description = graph.description): Promise<FlowDetail> {
  const row = await prisma.flow.create({
    data: { name, description, graph: asJson(withIdentity(graph, name, description)), createdById: user.id, updatedById: user.id },
  });
  return getFlow(prisma, row.id);
}

/**
 * Save a draft. The update only matches the revision the editor started from, in one
 * statement, so of two concurrent saves from the same base exactly one wins.
 */
export async function saveFlow(
  prisma: PrismaClient,
  user: PublicUser,
  id: string,
  baseRevision: number,
  graph: FlowGraph,
  name?: string,
): Promise<FlowDetail> {
  await findRow(prisma, id);
  const newName = name?.trim() || undefined;
  const { count } = await prisma.flow.updateMany({
    where: { id, revision: baseRevision, deletedAt: null },
    data: { graph: asJson(graph), ...(newName ? { name: newName } : {}), revision: { increment: 1 }, updatedById: user.id },
  });
  if (count === 0) throw await conflict(prisma, id);
  return getFlow(prisma, id);
}

/** The 409 for a stale save or publish, naming who changed the flow and when. */
export async function conflict(prisma: PrismaClient, id: string): Promise<ApiError> {
  const now = await prisma.flow.findFirst({ where: { id, deletedAt: null } });
  if (!now) return notFound("That flow");
  const by = await prisma.user.findUnique({ where: { id: now.updatedById }, select: { name: true } });
  return new ApiError(
    409,
    "conflict",
    `This flow was changed by ${by?.name ?? "another user"} at ${now.updatedAt.toISOString()} (revision ${now.revision}). Reload to see their changes; your edit was not saved.`,
    { currentRevision: now.revision },
  );
}

export async function renameFlow(prisma: PrismaClient, user: PublicUser, id: string, name?: string, description?: string): Promise<FlowDetail> {
  await findRow(prisma, id);
  // Name and description live on the row (overlaid on the document when read), so a rename
  // does not touch the draft and does not bump its revision: an open editor keeps saving.
  await prisma.flow.update({
    where: { id },
    data: { ...(name?.trim() ? { name: name.trim() } : {}), ...(description !== undefined ? { description } : {}), updatedById: user.id },
  });
  return getFlow(prisma, id);
}

export async function duplicateFlow(prisma: PrismaClient, user: PublicUser, id: string): Promise<FlowDetail> {
  const current = await findRow(prisma, id);
  const taken = new Set((await prisma.flow.findMany({ where: { deletedAt: null }, select: { name: true } })).map((f) => f.name));
  let name = `${current.name} (copy)`;
  for (let i = 2; taken.has(name); i++) name = `${current.name} (copy ${i})`;
  return createFlow(prisma, user, name, current.graph as unknown as FlowGraph, current.description);
}

/** Soft delete (published versions stay for call logs). Routes using the flow block it unless `force`. */
export async function deleteFlow(prisma: PrismaClient, id: string, force: boolean): Promise<void> {
  await findRow(prisma, id);
  const routes = await prisma.route.findMany({ where: { flowId: id }, select: { id: true, pattern: true, enabled: true } });
  if (routes.length && !force) {
    throw new ApiError(
      409,
      "in_use",
      `This flow is used by ${routes.length} route(s): ${routes.map((r) => r.pattern).join(", ")}. Point them to another flow or delete them first.`,
      { routes },
    );
  }
  await prisma.$transaction([
    prisma.route.deleteMany({ where: { flowId: id } }),
    prisma.flow.update({ where: { id }, data: { deletedAt: new Date() } }),
  ]);
}
