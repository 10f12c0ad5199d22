// Publishing: validate the draft with the publisher's rights, snapshot the generated Lua and
// TypeScript into the next FlowVersion (never changed afterwards); history, and rollback.
import type { Prisma, PrismaClient } from "../../../../prisma/generated/client/client";
import { specOf } from "../../../../flow/catalog";
import { hasErrors } from "../../../../flow/diagnostics";
import type { FlowGraph } from "../../../../flow/graph";
import { validate } from "../../../../flow/validate";
import { generate, GenerateError } from "../../../../generators";
import type { PublicUser } from "../auth/session";
import { ApiError, invalid, notFound } from "../http";
import { getHttpAllowList } from "../settings";
import { runFlowTestsIsolated } from "../testing/flow-tests";
import { missingOnServer, serverValidateOptions } from "./server-checks";
import { conflict, getFlow } from "./store";

export interface FlowVersionSummary {
  number: number;
  note: string;
  author: string;
  authorId: string;
  createdAt: string;
}

export interface FlowVersionDetail extends FlowVersionSummary {
  graph: FlowGraph;
  lua: string;
  ts: string;
}

type VersionRow = { number: number; note: string; authorId: string; createdAt: Date };

async function withAuthors<T extends VersionRow>(prisma: PrismaClient, rows: T[]): Promise<Array<T & { author: string }>> {
  const users = await prisma.user.findMany({ where: { id: { in: [...new Set(rows.map((r) => r.authorId))] } }, select: { id: true, name: true } });
  const names = new Map(users.map((u) => [u.id, u.name]));
  return rows.map((r) => ({ ...r, author: names.get(r.authorId) ?? "(deleted user)" }));
}

const toSummary = (r: VersionRow & { author: string }): FlowVersionSummary => ({
  number: r.number,
  note: r.note,
  author: r.author,
  authorId: r.authorId,
  createdAt: r.createdAt.toISOString(),
});

export async function listVersions(prisma: PrismaClient, flowId: string): Promise<FlowVersionSummary[]> {
  await getFlow(prisma, flowId);
  const rows = await prisma.flowVersion.findMany({
    where: { flowId },
    orderBy: { number: "desc" },
    select: { number: true, note: true, authorId: true, createdAt: true },
  });
  return (await withAuthors(prisma, rows)).map(toSummary);
}

export async function getVersion(prisma: PrismaClient, flowId: string, number: number): Promise<FlowVersionDetail> {
  const row = await prisma.flowVersion.findUnique({ where: { flowId_number: { flowId, number } } });
  if (!row) throw notFound(`Version ${number} of that flow`);
  const [withAuthor] = await withAuthors(prisma, [row]);
  return { ...toSummary(withAuthor), graph: row.graph as unknown as FlowGraph, lua: row.lua, ts: row.ts };
}

/** Admin-only node kinds (custom code) present in the graph. */
export function adminOnlyNodes(graph: FlowGraph): string[] {
  return graph.nodes.filter((n) => specOf(n.kind)?.adminOnly).map((n) => n.label || n.id);
}

const isUniqueViolation = (e: unknown) => (e as { code?: string })?.code === "P2002";

function requirePublishRights(user: PublicUser, graph: FlowGraph): void {
  const privileged = adminOnlyNodes(graph);
  if (privileged.length && user.role !== "admin") {
    throw new ApiError(403, "forbidden", `Only an admin may publish a flow with custom code (${privileged.join(", ")}).`);
  }
}

/** Check rights and validity, generate both scripts, and write the next version. */
export async function publishGraph(prisma: PrismaClient, user: PublicUser, flowId: string, graph: FlowGraph, note: string): Promise<FlowVersionSummary> {
  const isAdmin = user.role === "admin";
  requirePublishRights(user, graph);
  const validateOptions = { authorIsAdmin: isAdmin, httpAllowList: await getHttpAllowList(prisma) };
  const diagnostics = validate(graph, validateOptions);
  if (hasErrors(diagnostics)) {
    const n = diagnostics.filter((d) => d.severity === "error").length;
    throw invalid(`The flow has ${n} error(s); fix them before publishing.`, { diagnostics });
  }
  for (let attempt = 0; ; attempt++) {
    const last = await prisma.flowVersion.findFirst({ where: { flowId }, orderBy: { number: "desc" }, select: { number: true } });
    const number = (last?.number ?? 0) + 1;
    let lua: string;
    let ts: string;
    try {
      lua = generate(graph, "lua", { flowVersion: number, validate: validateOptions }).code;
      ts = generate(graph, "ts", { flowVersion: number, validate: validateOptions }).code;
    } catch (e) {
      if (e instanceof GenerateError) throw invalid(e.message, { diagnostics: e.diagnostics });
      throw e;
    }
    try {
      const row = await prisma.flowVersion.create({
        data: { flowId, number, graph: graph as unknown as Prisma.InputJsonValue, lua, ts, note, authorId: user.id },
      });
      return toSummary({ ...row, author: user.name });
    } catch (e) {
      // Someone published the same number first: take the next one.
      if (isUniqueViolation(e) && attempt < 3) continue;
      throw e;
    }
  }
}

export interface PublishOptions {
  baseRevision?: number;
  /** Publish although the flow names prompts, gateways, SIP users or phrases this server lacks. */
  publishAnyway?: boolean;
}

export async function publishFlow(prisma: PrismaClient, user: PublicUser, flowId: string, note: string, options: PublishOptions = {}): Promise<FlowVersionSummary> {
  const flow = await getFlow(prisma, flowId);
  if (options.baseRevision !== undefined && options.baseRevision !== flow.revision) throw await conflict(prisma, flowId);
  await requireKnownReferences(prisma, user, flow.graph, options.publishAnyway === true);
  await requirePassingTests(prisma, user, flow.graph);
  return publishGraph(prisma, user, flowId, flow.graph, note);
}

/**
 * The checks POST /validate runs with what this server has (IVR1030 prompts, IVR1031 gateways and
 * SIP users, IVR1032 phrases): a flow naming one this server lacks is refused (422) with those
 * diagnostics exactly as validate reports them, unless the publisher goes ahead anyway.
 */
async function requireKnownReferences(prisma: PrismaClient, user: PublicUser, graph: FlowGraph, publishAnyway: boolean): Promise<void> {
  requirePublishRights(user, graph);
  const diagnostics = validate(graph, await serverValidateOptions(prisma, user));
  if (hasErrors(diagnostics)) {
    const n = diagnostics.filter((d) => d.severity === "error").length;
    throw invalid(`The flow has ${n} error(s); fix them before publishing.`, { diagnostics });
  }
  const missing = missingOnServer(diagnostics);
  if (missing.length === 0 || publishAnyway) return;
  throw new ApiError(
    422,
    "missing_on_server",
    `The flow names ${missing.length} prompt(s), gateway(s), SIP user(s) or phrase(s) this server does not have: ${missing.map((d) => d.message).join(" ")} Add them, or publish anyway ("publishAnyway": true).`,
    { diagnostics: missing },
  );
}

/** Running a flow's code needs the rights to publish it: custom code is the admins', errors refuse. */
export async function checkTestable(prisma: PrismaClient, user: PublicUser, graph: FlowGraph, doing: "running" | "publishing" = "running"): Promise<void> {
  const privileged = adminOnlyNodes(graph);
  if (privileged.length && user.role !== "admin") {
    throw new ApiError(403, "forbidden", `Only an admin may ${doing === "running" ? "run" : "publish"} a flow with custom code (${privileged.join(", ")}).`);
  }
  const diagnostics = validate(graph, { authorIsAdmin: user.role === "admin", httpAllowList: await getHttpAllowList(prisma) });
  if (hasErrors(diagnostics)) {
    const n = diagnostics.filter((d) => d.severity === "error").length;
    throw invalid(`The flow has ${n} error(s); fix them before ${doing === "running" ? "running it" : "publishing"}.`, { diagnostics });
  }
}

/**
 * The flow setting "publishing requires passing test cases": run every case (Lua and TS, out of
 * this process) and refuse with the failing ones listed.
 */
async function requirePassingTests(prisma: PrismaClient, user: PublicUser, graph: FlowGraph): Promise<void> {
  if (!graph.settings.requirePassingTests) return;
  // Rights and validity first (a clear 403/400 before any code runs), then the cases.
  await checkTestable(prisma, user, graph, "publishing");
  if (!graph.tests?.length) throw invalid("Publishing this flow requires passing test cases, and it has none: add test cases or turn the setting off.");
  const run = await runFlowTestsIsolated(graph, { userId: user.id });
  if (run.failed === 0) return;
  const failing = run.results
    .filter((r) => !r.passed)
    .map((r) => ({ name: r.name, language: r.language, failure: r.failure, ...(r.failedNode !== undefined ? { failedNode: r.failedNode } : {}) }));
  const list = failing.slice(0, 5).map((f) => `[${f.language}] ${f.name}: ${f.failure}`).join("; ");
  throw invalid(`Publishing requires passing test cases; ${run.failed} of ${run.results.length} failed: ${list}${failing.length > 5 ? "; ..." : ""}`, { failing });
}

/** Publish version `number`'s graph again as the next version, and make it the draft. */
export async function rollbackFlow(prisma: PrismaClient, user: PublicUser, flowId: string, number: number, note?: string): Promise<FlowVersionSummary> {
  const flow = await getFlow(prisma, flowId);
  const old = await getVersion(prisma, flowId, number);
  const graph = { ...old.graph, name: flow.name, description: flow.description };
  const version = await publishGraph(prisma, user, flowId, graph, note?.trim() || `Rollback to version ${number}`);
  await prisma.flow.update({
    where: { id: flowId },
    data: { graph: graph as unknown as Prisma.InputJsonValue, revision: { increment: 1 }, updatedById: user.id },
  });
  return version;
}
