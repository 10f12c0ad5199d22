// The runtime's route table, read from the database: each enabled route -> its flow's pinned
// (or latest published) version -> that version's immutable TypeScript snapshot, written once
// to .ivr-cache/scripts/<flowId>-v<n>.ts -> a runtime Route. A published version is never
// regenerated: the runtime runs exactly the code that was published. Built on the web server's
// thread (it owns the database) and sent to the runtime thread as plain data.
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import path from "node:path";
import type { PrismaClient } from "../../../../prisma/generated/client/client";
import { compileRoute } from "../../../../runtime/routes";
import { HTTP_ALLOW_LIST } from "../settings";
import type { ThreadRoute } from "./protocol";
import type { PhraseMacro } from "../../../../flow/phrases";
import { allPhraseMacros } from "../prompts/phrases";

/** What a runtime route runs, for the call log (Call.flowId / Call.version). */
export interface RouteTarget {
  flowId: string;
  version: number;
}

export interface RouteTable {
  routes: ThreadRoute[];
  /** pattern -> flow and version it runs. */
  targets: Map<string, RouteTarget>;
  /** One line per route that could not be served (no published version, ...). */
  skipped: string[];
  /** The phrase library: sayPhrase plays these (global, like FreeSWITCH's lang files). */
  phrases: PhraseMacro[];
}

/** The cached script of one published version (a safe file name: cuid ids, integer numbers). */
export function scriptPath(cacheDir: string, flowId: string, version: number): string {
  if (!/^[A-Za-z0-9_-]+$/.test(flowId)) throw new Error(`unexpected flow id ${JSON.stringify(flowId)}`);
  return path.join(cacheDir, `${flowId}-v${version}.ts`);
}

/** Write the snapshot unless the same text is already there (atomically: a reader never sees half a file). */
function writeOnce(file: string, code: string): void {
  if (existsSync(file) && readFileSync(file, "utf8") === code) return;
  mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, code);
  renameSync(tmp, file);
}

/** Same order as the designer's matchRoute: exact numbers first (the runtime does that), then regexes by pattern. */
const byPattern = (a: { pattern: string }, b: { pattern: string }) => a.pattern.localeCompare(b.pattern);

export async function loadRouteTable(prisma: PrismaClient, cacheDir: string): Promise<RouteTable> {
  const rows = await prisma.route.findMany({
    where: { enabled: true },
    select: { pattern: true, flowId: true, version: true, flow: { select: { name: true, deletedAt: true } } },
  });
  rows.sort(byPattern);
  const routes: ThreadRoute[] = [];
  const targets = new Map<string, RouteTarget>();
  const skipped: string[] = [];
  for (const row of rows) {
    const label = `route ${row.pattern} -> flow "${row.flow.name}"`;
    if (row.flow.deletedAt) {
      skipped.push(`${label}: the flow is deleted; skipped`);
      continue;
    }
    const version = await prisma.flowVersion.findFirst({
      where: row.version == null ? { flowId: row.flowId } : { flowId: row.flowId, number: row.version },
      orderBy: { number: "desc" },
      select: { number: true, ts: true },
    });
    if (!version) {
      skipped.push(
        row.version == null ? `${label}: the flow has no published version; skipped` : `${label}: version ${row.version} is not published; skipped`,
      );
      continue;
    }
    try {
      const file = scriptPath(cacheDir, row.flowId, version.number);
      writeOnce(file, version.ts);
      // Compiled here only to refuse a bad pattern with a line in the log; the runtime thread compiles its own.
      compileRoute({ pattern: row.pattern, target: "flow.ts" });
      routes.push({ pattern: row.pattern, script: file, flowId: row.flowId, version: version.number });
      targets.set(row.pattern, { flowId: row.flowId, version: version.number });
    } catch (e) {
      skipped.push(`${label}: ${(e as Error).message}; skipped`);
    }
  }
  return { routes, targets, skipped, phrases: await allPhraseMacros(prisma) };
}

/**
 * A cheap fingerprint of everything the table depends on: routes (count, last change), published
 * versions (count, newest), deleted flows, the HTTP allow-list setting and the phrase library
 * (count, last change). The table is rebuilt when it changes.
 */
export async function routeFingerprint(prisma: PrismaClient): Promise<string> {
  const [routes, versions, deletedFlows, setting, phrases] = await Promise.all([
    prisma.route.aggregate({ _count: { _all: true }, _max: { updatedAt: true } }),
    prisma.flowVersion.aggregate({ _count: { _all: true }, _max: { createdAt: true } }),
    prisma.flow.count({ where: { deletedAt: { not: null } } }),
    prisma.setting.findUnique({ where: { key: HTTP_ALLOW_LIST }, select: { updatedAt: true } }),
    prisma.phrase.aggregate({ _count: { _all: true }, _max: { updatedAt: true } }),
  ]);
  return [
    routes._count._all,
    routes._max.updatedAt?.getTime() ?? 0,
    versions._count._all,
    versions._max.createdAt?.getTime() ?? 0,
    deletedFlows,
    setting?.updatedAt.getTime() ?? 0,
    phrases._count._all,
    phrases._max.updatedAt?.getTime() ?? 0,
  ].join(":");
}
