// bundle.zip: the FreeSWITCH export (Lua script, dialplan XML, README) of a published version
// (or the draft when nothing is published yet), plus the prompt files it references that exist
// under the media folder, stored at sounds/<path>.
import { rateFolderPath } from "../../../../runtime/media/sources";
import { zipSync, strToU8 } from "fflate";
import type { PrismaClient } from "../../../../prisma/generated/client/client";
import { buildExportBundle } from "../../../../generators/export";
import { GenerateError } from "../../../../generators";
import type { FlowGraph } from "../../../../flow/graph";
import { invalid } from "../http";
import { readPrompt } from "../media";
import { getHttpAllowList } from "../settings";
import { getVersion } from "./publish";
import { allPhraseMacros } from "../prompts/phrases";
import { getFlow } from "./store";

export interface BundleResult {
  zip: Uint8Array;
  name: string;
  files: string[];
  missingPrompts: string[];
}

const EXACT_NUMBER = /^\+?[0-9*#]+$/;

export async function buildBundleZip(prisma: PrismaClient, flowId: string, requestedVersion: number | undefined, isAdmin: boolean): Promise<BundleResult> {
  const flow = await getFlow(prisma, flowId);
  const number = requestedVersion ?? flow.publishedVersion ?? undefined;
  const graph: FlowGraph = number ? { ...(await getVersion(prisma, flowId, number)).graph, name: flow.name, description: flow.description } : flow.graph;
  // The dialplan answers the flow's first exact-number route, if it has one.
  const route = (await prisma.route.findMany({ where: { flowId, enabled: true }, orderBy: { pattern: "asc" } })).find((r) => EXACT_NUMBER.test(r.pattern));
  let bundle;
  try {
    bundle = buildExportBundle(graph, {
      number: route?.pattern,
      flowVersion: number ?? "draft",
      phrases: await allPhraseMacros(prisma),
      // A published version passed the publisher's checks already; a draft gets the caller's.
      validate: number ? { authorIsAdmin: true } : { authorIsAdmin: isAdmin, httpAllowList: await getHttpAllowList(prisma) },
    });
  } catch (e) {
    if (e instanceof GenerateError) throw invalid(`${e.message}; fix them before exporting.`, { diagnostics: e.diagnostics });
    throw e;
  }
  const entries: Record<string, Uint8Array> = {};
  for (const f of bundle.files) entries[f.path] = strToU8(f.content);
  const missingPrompts: string[] = [];
  for (const p of bundle.prompts) {
    // The file as named, and FreeSWITCH's rate-folder copies (the prompt library keeps only those).
    let found = false;
    for (const rel of [p, rateFolderPath(p, 8000), rateFolderPath(p, 16000)]) {
      const data = readPrompt(rel);
      if (!data) continue;
      entries[`sounds/${rel}`] = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
      found = true;
    }
    if (!found) missingPrompts.push(p);
  }
  const zip = zipSync(entries, { level: 6, mtime: new Date() });
  const script = bundle.files.find((f) => f.path.endsWith(".lua"))?.path.replace(/\.lua$/, "") ?? "flow";
  return { zip, name: `${script}${number ? `-v${number}` : "-draft"}.zip`, files: Object.keys(entries), missingPrompts };
}
