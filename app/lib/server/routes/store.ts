// Routes: which flow (and version) answers a called number.
import type { PrismaClient } from "../../../../prisma/generated/client/client";
import { ApiError, invalid, notFound } from "../http";
import { findOverlaps, parsePattern } from "./patterns";

export interface RouteView {
  id: string;
  pattern: string;
  flowId: string;
  flowName: string;
  version: number | null;
  description: string;
  enabled: boolean;
}

export interface RouteInput {
  pattern?: string;
  flowId?: string;
  version?: number | null;
  description?: string;
  enabled?: boolean;
}

const include = { flow: { select: { name: true } } } as const;

type Row = { id: string; pattern: string; flowId: string; version: number | null; description: string; enabled: boolean; flow: { name: string } };
const view = (r: Row): RouteView => ({
  id: r.id,
  pattern: r.pattern,
  flowId: r.flowId,
  flowName: r.flow.name,
  version: r.version,
  description: r.description,
  enabled: r.enabled,
});

export async function listRoutes(prisma: PrismaClient): Promise<RouteView[]> {
  return (await prisma.route.findMany({ orderBy: { pattern: "asc" }, include })).map(view);
}

export function parseRouteInput(body: Record<string, unknown>): RouteInput {
  const out: RouteInput = {};
  if (body.pattern !== undefined) {
    if (typeof body.pattern !== "string") throw invalid("pattern must be a string.");
    out.pattern = body.pattern.trim();
  }
  if (body.flowId !== undefined) {
    if (typeof body.flowId !== "string" || !body.flowId) throw invalid("flowId must be a flow id.");
    out.flowId = body.flowId;
  }
  if (body.version !== undefined) {
    if (body.version !== null && (typeof body.version !== "number" || !Number.isInteger(body.version) || body.version < 1)) {
      throw invalid("version must be a published version number, or null for the latest.");
    }
    out.version = body.version as number | null;
  }
  if (body.description !== undefined) {
    if (typeof body.description !== "string" || body.description.length > 1000) throw invalid("description must be a string (at most 1000 characters).");
    out.description = body.description;
  }
  if (body.enabled !== undefined) {
    if (typeof body.enabled !== "boolean") throw invalid("enabled must be true or false.");
    out.enabled = body.enabled;
  }
  return out;
}

async function checkTarget(prisma: PrismaClient, flowId: string, version: number | null | undefined): Promise<void> {
  const flow = await prisma.flow.findFirst({ where: { id: flowId, deletedAt: null } });
  if (!flow) throw invalid("The route's flow does not exist.");
  if (version != null) {
    const v = await prisma.flowVersion.findUnique({ where: { flowId_number: { flowId, number: version } } });
    if (!v) throw invalid(`Flow "${flow.name}" has no published version ${version}.`);
  }
}

async function checkPattern(prisma: PrismaClient, pattern: string, selfId?: string): Promise<string[]> {
  const parsed = parsePattern(pattern);
  if (typeof parsed === "string") throw invalid(parsed);
  const others = await prisma.route.findMany({ where: selfId ? { id: { not: selfId } } : {}, select: { id: true, pattern: true } });
  const report = findOverlaps(parsed, others);
  if (report.duplicate) {
    throw new ApiError(409, "overlap", `The pattern ${pattern} is already routed (route ${report.duplicate.pattern}).`, { routeId: report.duplicate.id });
  }
  return report.warnings;
}

const isUniqueViolation = (e: unknown) => (e as { code?: string })?.code === "P2002";

export async function createRoute(prisma: PrismaClient, input: RouteInput): Promise<{ route: RouteView; warnings: string[] }> {
  if (!input.pattern) throw invalid("pattern is required.");
  if (!input.flowId) throw invalid("flowId is required.");
  await checkTarget(prisma, input.flowId, input.version);
  const warnings = await checkPattern(prisma, input.pattern);
  try {
    const row = await prisma.route.create({
      data: { pattern: input.pattern, flowId: input.flowId, version: input.version ?? null, description: input.description ?? "", enabled: input.enabled ?? true },
      include,
    });
    return { route: view(row), warnings };
  } catch (e) {
    if (isUniqueViolation(e)) throw new ApiError(409, "overlap", `The pattern ${input.pattern} is already routed.`);
    throw e;
  }
}

export async function updateRoute(prisma: PrismaClient, id: string, input: RouteInput): Promise<{ route: RouteView; warnings: string[] }> {
  const current = await prisma.route.findUnique({ where: { id } });
  if (!current) throw notFound("That route");
  const flowId = input.flowId ?? current.flowId;
  const version = input.version !== undefined ? input.version : input.flowId && input.flowId !== current.flowId ? null : current.version;
  await checkTarget(prisma, flowId, version);
  const pattern = input.pattern ?? current.pattern;
  const warnings = await checkPattern(prisma, pattern, id);
  try {
    const row = await prisma.route.update({
      where: { id },
      data: { pattern, flowId, version, description: input.description ?? current.description, enabled: input.enabled ?? current.enabled },
      include,
    });
    return { route: view(row), warnings };
  } catch (e) {
    if (isUniqueViolation(e)) throw new ApiError(409, "overlap", `The pattern ${pattern} is already routed.`);
    throw e;
  }
}

export async function deleteRoute(prisma: PrismaClient, id: string): Promise<void> {
  const { count } = await prisma.route.deleteMany({ where: { id } });
  if (count === 0) throw notFound("That route");
}
