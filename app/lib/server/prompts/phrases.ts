// The phrase library: phrase macros (flow/phrases.ts) stored as Phrase rows, checked on every
// save with messages that point at the item (an error refuses the save; warnings come back with
// the saved phrase). Like FreeSWITCH's lang files they are global: the runtime gets all of them
// (route-table.ts), the bundle the ones a flow plays. A phrase a published flow version plays
// cannot be deleted or renamed away (the message lists the versions), as with prompts.
import { loadFlow } from "../../../../flow/graph";
import { checkPhrase, phraseMacroSchema, phraseRefs, phraseServes, type PhraseDiagnostic, type PhraseMacro } from "../../../../flow/phrases";
import type { Phrase, Prisma, PrismaClient } from "../../../../prisma/generated/client/client";
import type { PublicUser } from "../auth/session";
import { ApiError, invalid, notFound } from "../http";
import { knownPromptChecker } from "./known";

export interface PhraseView extends PhraseMacro {
  id: string;
  revision: number;
  updatedBy: string;
  createdAt: string;
  updatedAt: string;
}

/** A stored row as a macro; a row that no longer parses (hand-edited) plays nothing rather than failing every call. */
export function phraseMacroOf(row: Phrase): PhraseMacro {
  const r = phraseMacroSchema.safeParse({ name: row.name, language: row.language, description: row.description, pauseMs: row.pauseMs, inputs: row.inputs });
  return r.success ? r.data : { name: row.name, language: row.language, description: row.description, pauseMs: row.pauseMs, inputs: [] };
}

export function phraseView(row: Phrase): PhraseView {
  return { id: row.id, ...phraseMacroOf(row), revision: row.revision, updatedBy: row.updatedBy, createdAt: row.createdAt.toISOString(), updatedAt: row.updatedAt.toISOString() };
}

export async function listPhrases(prisma: PrismaClient): Promise<PhraseView[]> {
  return (await prisma.phrase.findMany({ orderBy: [{ name: "asc" }, { language: "asc" }] })).map(phraseView);
}

/** Every macro, for the runtime and the export bundle. */
export async function allPhraseMacros(prisma: Pick<PrismaClient, "phrase">): Promise<PhraseMacro[]> {
  return (await prisma.phrase.findMany({ orderBy: [{ name: "asc" }, { language: "asc" }] })).map(phraseMacroOf);
}

export async function getPhrase(prisma: PrismaClient, id: string): Promise<Phrase> {
  const row = await prisma.phrase.findUnique({ where: { id } });
  if (!row) throw notFound(`The phrase ${JSON.stringify(id.slice(0, 60))}`);
  return row;
}

/** The body as a macro, or a 400 naming the first wrong field ("inputs.0.match.1.ms: ..."). */
export function parsePhraseBody(body: Record<string, unknown>): PhraseMacro {
  const r = phraseMacroSchema.safeParse(body);
  if (r.success) return r.data;
  const issues = r.error.issues.slice(0, 20).map((i) => ({ path: i.path.join("."), message: i.message }));
  throw invalid(`The phrase is not well-formed: ${issues[0].path || "body"}: ${issues[0].message}`, { issues });
}

/** checkPhrase with this server's prompts; errors refuse the save (400, every diagnostic listed). */
export async function checkForSave(prisma: PrismaClient, macro: PhraseMacro): Promise<PhraseDiagnostic[]> {
  const diagnostics = checkPhrase(macro, { knownPrompt: await knownPromptChecker(prisma) });
  const errors = diagnostics.filter((d) => d.severity === "error");
  if (errors.length) throw invalid(`The phrase "${macro.name.slice(0, 80)}" has ${errors.length === 1 ? "an error" : `${errors.length} errors`}: ${errors[0].message}`, { diagnostics });
  return diagnostics;
}

export interface PhraseUsage {
  flowId: string;
  flowName: string;
  versions: number[];
}

/** Published flow versions whose Phrase nodes play `name` in `language`. */
export async function phraseUsage(prisma: PrismaClient, macro: Pick<PhraseMacro, "name" | "language">): Promise<PhraseUsage[]> {
  const candidates = await prisma.$queryRaw<Array<{ flowId: string; number: number; name: string; graph: unknown }>>`
    SELECT v."flowId", v.number, f.name, v.graph FROM "FlowVersion" v JOIN "Flow" f ON f.id = v."flowId"
    WHERE v.graph::text LIKE '%"phrase"%' ORDER BY f.name, v.number`;
  const byFlow = new Map<string, PhraseUsage>();
  for (const c of candidates) {
    let uses = false;
    try {
      const m = { ...macro, description: "", pauseMs: 100, inputs: [] };
      uses = phraseRefs(loadFlow(c.graph)).some((r) => r.name !== "*" && phraseServes(m, r));
    } catch {
      continue;
    }
    if (!uses) continue;
    const u = byFlow.get(c.flowId) ?? { flowId: c.flowId, flowName: c.name, versions: [] };
    u.versions.push(Number(c.number));
    byFlow.set(c.flowId, u);
  }
  return [...byFlow.values()];
}

const usageList = (usage: PhraseUsage[]) =>
  usage.map((u) => `${u.flowName} (version${u.versions.length > 1 ? "s" : ""} ${u.versions.join(", ")})`).join("; ");

function rowData(macro: PhraseMacro, user: PublicUser) {
  return {
    name: macro.name,
    language: macro.language,
    description: macro.description,
    pauseMs: macro.pauseMs,
    inputs: macro.inputs as unknown as Prisma.InputJsonValue,
    updatedBy: user.name || user.email,
  };
}

const isUniqueViolation = (e: unknown) => (e as { code?: string })?.code === "P2002";

export async function createPhrase(prisma: PrismaClient, body: Record<string, unknown>, user: PublicUser): Promise<{ phrase: PhraseView; diagnostics: PhraseDiagnostic[] }> {
  const macro = parsePhraseBody(body);
  const diagnostics = await checkForSave(prisma, macro);
  try {
    const row = await prisma.phrase.create({ data: rowData(macro, user) });
    return { phrase: phraseView(row), diagnostics };
  } catch (e) {
    if (isUniqueViolation(e)) throw new ApiError(409, "conflict", `A phrase named "${macro.name}" exists already in language ${macro.language}.`);
    throw e;
  }
}

/** Save over a phrase; `revision` must be the one the editor started from (409 otherwise). */
export async function updatePhrase(prisma: PrismaClient, id: string, body: Record<string, unknown>, user: PublicUser): Promise<{ phrase: PhraseView; diagnostics: PhraseDiagnostic[] }> {
  const before = await getPhrase(prisma, id);
  if (typeof body.revision !== "number") throw invalid("revision is required: the revision of the phrase the edit started from.");
  if (body.revision !== before.revision) {
    throw new ApiError(409, "conflict", `The phrase "${before.name}" was changed by ${before.updatedBy || "someone"} meanwhile (revision ${before.revision}, yours ${body.revision}); reload it and redo the edit.`, { phrase: phraseView(before) });
  }
  const macro = parsePhraseBody(body);
  const diagnostics = await checkForSave(prisma, macro);
  if (macro.name !== before.name || macro.language !== before.language) {
    const usage = await phraseUsage(prisma, before);
    if (usage.length) {
      throw new ApiError(409, "in_use", `The phrase "${before.name}" (${before.language}) is played by published flow versions: ${usageList(usage)}. Keep its name and language, or add a new phrase.`, { flows: usage });
    }
  }
  try {
    const r = await prisma.phrase.updateMany({ where: { id, revision: before.revision }, data: { ...rowData(macro, user), revision: { increment: 1 } } });
    if (r.count === 0) throw new ApiError(409, "conflict", `The phrase "${before.name}" was changed meanwhile; reload it and redo the edit.`);
  } catch (e) {
    if (isUniqueViolation(e)) throw new ApiError(409, "conflict", `A phrase named "${macro.name}" exists already in language ${macro.language}.`);
    throw e;
  }
  return { phrase: phraseView(await getPhrase(prisma, id)), diagnostics };
}

export async function deletePhrase(prisma: PrismaClient, id: string): Promise<Phrase> {
  const row = await getPhrase(prisma, id);
  const usage = await phraseUsage(prisma, row);
  if (usage.length) {
    throw new ApiError(409, "in_use", `The phrase "${row.name}" (${row.language}) is played by published flow versions: ${usageList(usage)}. Publish versions without it first.`, { flows: usage });
  }
  await prisma.phrase.delete({ where: { id } });
  return row;
}

/** Whether a phrase name (in a language) is in the library: the validator's warning for Phrase nodes. */
export async function knownPhraseChecker(prisma: Pick<PrismaClient, "phrase">): Promise<(name: string, language: string) => boolean> {
  const macros = await allPhraseMacros(prisma);
  return (name, language) => macros.some((m) => phraseServes(m, { name, language }));
}
