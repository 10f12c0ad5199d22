// The prompt library: uploads, TTS texts and browser recordings become prompts/<name>.wav at
// 8 and 16 kHz in the media folder, with one Prompt row each. Nothing half-done is ever
// visible: the work happens in a private folder under prompts/.incoming/, the finished files
// are renamed into place and the row written under a per-name lock (the old files are kept
// aside until the row is written, and put back if it fails), so bad input, an ffmpeg failure
// or a crash leaves the library as it was, and two uploads of one name never mix.
import { createHash, randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { copyFile, link, mkdir, readdir, readFile, rename, rm, stat, writeFile } from "node:fs/promises";
import path from "node:path";
import { collectPromptRefs, renamePromptRefs } from "../../../../flow/prompts";
import { soundParts } from "../../../../flow/file-paths";
import { phraseMacroSchema, renamePromptInPhrase } from "../../../../flow/phrases";
import { loadFlow } from "../../../../flow/graph";
import type { Prisma, Prompt, PrismaClient } from "../../../../prisma/generated/client/client";
import type { PublicUser } from "../auth/session";
import { ApiError, invalid, notFound } from "../http";
import { formatBytes, parseByteSize } from "../limits";
import { mediaDir } from "../paths";
import { AudioError, probeAudio, transcodeTo, wavPeaks } from "./audio";
import { checkPromptName, PROMPT_RATES, PROMPTS_FOLDER, promptFile, promptPath } from "./names";

export interface PromptLimits {
  maxBytes: number;
  maxSeconds: number;
}

/** IVR_MAX_PROMPT_BYTES (default 25 MB) and IVR_MAX_PROMPT_SECONDS (default 600). */
export function promptLimits(env: Record<string, string | undefined> = process.env): PromptLimits {
  const secs = Number(env.IVR_MAX_PROMPT_SECONDS ?? 600);
  return {
    maxBytes: env.IVR_MAX_PROMPT_BYTES?.trim() ? parseByteSize(env.IVR_MAX_PROMPT_BYTES, "IVR_MAX_PROMPT_BYTES") : 25 * 1024 * 1024,
    maxSeconds: Number.isFinite(secs) && secs > 0 ? secs : 600,
  };
}

export interface PromptView {
  name: string;
  /** What a flow plays. */
  path: string;
  source: string;
  format: string;
  durationMs: number;
  rates: number[];
  sizeBytes: number;
  checksum: string;
  trimmed: boolean;
  normalized: boolean;
  tts: { text: string; engine: string; voice: string } | null;
  /** Former paths published flow versions still play (the same audio is kept there). */
  aliases: string[];
  createdBy: string;
  createdAt: string;
  updatedAt: string;
}

export function promptView(p: Prompt): PromptView {
  return {
    name: p.name,
    path: p.path,
    source: p.source,
    format: p.format,
    durationMs: p.durationMs,
    rates: p.rates,
    sizeBytes: p.sizeBytes,
    checksum: p.checksum,
    trimmed: p.trimmed,
    normalized: p.normalized,
    tts: p.ttsText !== null ? { text: p.ttsText, engine: p.ttsEngine ?? "", voice: p.ttsVoice ?? "" } : null,
    aliases: p.aliases,
    createdBy: p.createdBy,
    createdAt: p.createdAt.toISOString(),
    updatedAt: p.updatedAt.toISOString(),
  };
}

// --- per-name lock ------------------------------------------------------------------------------

const locks = new Map<string, Promise<unknown>>();

async function withNameLock<T>(name: string, fn: () => Promise<T>): Promise<T> {
  const key = name.toLowerCase();
  const before = locks.get(key) ?? Promise.resolve();
  const run = before.catch(() => undefined).then(fn);
  const tail = run.catch(() => undefined);
  locks.set(key, tail);
  try {
    return await run;
  } finally {
    if (locks.get(key) === tail) locks.delete(key);
  }
}

// --- folders ------------------------------------------------------------------------------------

const incomingDir = (root: string) => path.join(root, PROMPTS_FOLDER, ".incoming");

/** "prompts/old.wav" -> "old" (aliases are always prompt paths). */
const aliasName = (alias: string) => alias.replace(/^prompts\//, "").replace(/\.wav$/, "");

/** Hard link (same audio, no copy), or a copy where links are not possible; replaces `to`. */
async function linkOrCopy(from: string, to: string): Promise<void> {
  const tmp = `${to}.${randomBytes(4).toString("hex")}.tmp`;
  try {
    await link(from, tmp);
  } catch {
    await copyFile(from, tmp);
  }
  await rename(tmp, to);
}

/** The prompt's audio at each of its former paths. */
async function copyToAliases(root: string, row: Prompt): Promise<void> {
  for (const alias of row.aliases) {
    for (const rate of PROMPT_RATES) {
      const target = path.join(root, promptFile(aliasName(alias), rate));
      await mkdir(path.dirname(target), { recursive: true });
      await linkOrCopy(path.join(root, promptFile(row.name, rate)), target);
    }
  }
}

/** Work folders older than an hour are left-overs of a crash: remove them. */
async function sweepIncoming(root: string): Promise<void> {
  const dir = incomingDir(root);
  const entries = await readdir(dir).catch(() => [] as string[]);
  const cutoff = Date.now() - 3600_000;
  for (const e of entries) {
    const p = path.join(dir, e);
    const st = await stat(p).catch(() => undefined);
    if (st && st.mtimeMs < cutoff) await rm(p, { recursive: true, force: true });
  }
}

// --- adding -------------------------------------------------------------------------------------

export interface AddPromptInput {
  name: string;
  /** The original audio. */
  bytes: Uint8Array;
  user: PublicUser;
  source?: "upload" | "tts" | "recording";
  /** Replace a prompt of the same name (otherwise that is a 409). */
  replace?: boolean;
  trim?: boolean;
  normalize?: boolean;
  tts?: { text: string; engine: string; voice: string };
}

export async function addPrompt(prisma: PrismaClient, input: AddPromptInput, root = mediaDir(), limits = promptLimits()): Promise<{ prompt: PromptView; created: boolean }> {
  if (input.bytes.byteLength === 0) throw invalid("The file is empty.");
  if (input.bytes.byteLength > limits.maxBytes) {
    throw new ApiError(413, "too_large", `The file is ${formatBytes(input.bytes.byteLength)}; prompts may be at most ${formatBytes(limits.maxBytes)}.`);
  }
  await sweepIncoming(root);
  const work = path.join(incomingDir(root), `${Date.now()}-${randomBytes(6).toString("hex")}`);
  await mkdir(work, { recursive: true });
  try {
    const original = path.join(work, "original");
    await writeFile(original, input.bytes);
    const checksum = createHash("sha256").update(input.bytes).digest("hex");
    const probe = await probeAudio(original);
    if (!probe) throw new ApiError(415, "invalid", "That is not an audio file ffmpeg can read (wav, mp3, ogg/opus, m4a/aac, flac, webm...).");
    if (probe.durationMs > limits.maxSeconds * 1000) {
      throw new ApiError(413, "too_large", `The audio lasts ${(probe.durationMs / 1000).toFixed(1)} s; prompts may be at most ${limits.maxSeconds} s.`);
    }
    const outputs = PROMPT_RATES.map((rate) => ({ rate, file: path.join(work, `${rate}.wav`) }));
    try {
      await transcodeTo(original, outputs, { trim: input.trim, normalize: input.normalize });
    } catch (e) {
      throw new ApiError(422, "invalid", `ffmpeg could not convert that audio: ${(e as Error).message}`);
    }
    const out = await probeAudio(outputs[0].file);
    if (!out || out.durationMs < 20) throw invalid(input.trim ? "Nothing is left once the silence is trimmed." : "The audio is empty.");

    return await withNameLock(input.name, async () => {
      const existing = await prisma.prompt.findUnique({ where: { name: input.name } });
      const owner = existing ? null : await aliasOwner(prisma, promptPath(input.name));
      if (owner) {
        throw new ApiError(409, "conflict", `"${input.name}" is the former name of the prompt "${owner.name}", which published flow versions still play; choose another name.`);
      }
      if (existing && !input.replace) {
        throw new ApiError(409, "conflict", `A prompt named "${input.name}" exists already; send replace=true to replace it.`, { prompt: promptView(existing) });
      }
      // Old files aside, new ones in, then the row; on failure the old files go back.
      const moved: Array<{ from: string; to: string }> = [];
      const placed: string[] = [];
      try {
        for (const { rate, file } of outputs) {
          const target = path.join(root, promptFile(input.name, rate));
          await mkdir(path.dirname(target), { recursive: true });
          if (existsSync(target)) {
            const aside = path.join(work, `old-${rate}.wav`);
            await rename(target, aside);
            moved.push({ from: aside, to: target });
          }
          await rename(file, target);
          placed.push(target);
        }
        const data = {
          path: promptPath(input.name),
          source: input.source ?? "upload",
          format: probe.format,
          durationMs: out.durationMs,
          rates: [...PROMPT_RATES],
          sizeBytes: input.bytes.byteLength,
          checksum,
          trimmed: !!input.trim,
          normalized: !!input.normalize,
          ttsText: input.tts?.text ?? null,
          ttsEngine: input.tts?.engine ?? null,
          ttsVoice: input.tts?.voice ?? null,
          createdById: input.user.id,
          createdBy: input.user.name || input.user.email,
        };
        const row = await prisma.prompt.upsert({ where: { name: input.name }, create: { name: input.name, ...data }, update: data });
        // A replaced prompt sounds new under its former names too: they are the same prompt.
        await copyToAliases(root, row).catch(() => undefined);
        return { prompt: promptView(row), created: !existing };
      } catch (e) {
        for (const p of placed) await rm(p, { force: true });
        for (const m of moved) await rename(m.from, m.to).catch(() => undefined);
        throw e;
      }
    });
  } catch (e) {
    if (e instanceof AudioError) throw new ApiError(422, "invalid", `ffmpeg could not read that audio: ${e.message}`);
    throw e;
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

// --- reading ------------------------------------------------------------------------------------

export async function listPrompts(prisma: PrismaClient): Promise<PromptView[]> {
  return (await prisma.prompt.findMany({ orderBy: { name: "asc" } })).map(promptView);
}

export async function getPrompt(prisma: PrismaClient, name: string): Promise<Prompt> {
  const row = await prisma.prompt.findUnique({ where: { name } });
  if (!row) throw notFound(`The prompt "${name}"`);
  return row;
}

/** The library's WAV of a prompt at a rate. */
export async function promptAudio(prisma: PrismaClient, name: string, rate: number, root = mediaDir()): Promise<Buffer> {
  const row = await getPrompt(prisma, name);
  if (!row.rates.includes(rate)) throw invalid(`rate must be one of ${row.rates.join(", ")}.`);
  try {
    return await readFile(path.join(root, promptFile(name, rate)));
  } catch {
    throw notFound(`The audio of prompt "${name}"`);
  }
}

export async function promptPeaks(prisma: PrismaClient, name: string, points: number, root = mediaDir()): Promise<number[]> {
  await getPrompt(prisma, name);
  return wavPeaks(path.join(root, promptFile(name, 8000)), points);
}

// --- usage and deleting -------------------------------------------------------------------------

export interface PromptUsage {
  flowId: string;
  flowName: string;
  versions: number[];
}

/** Published flow versions that play `promptPath` (their graphs, read with the catalog's prompt rules). */
export async function promptUsage(prisma: PrismaClient, playPath: string): Promise<PromptUsage[]> {
  const like = `%${playPath.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
  const candidates = await prisma.$queryRaw<Array<{ flowId: string; number: number; name: string; graph: unknown }>>`
    SELECT v."flowId", v.number, f.name, v.graph FROM "FlowVersion" v JOIN "Flow" f ON f.id = v."flowId"
    WHERE v.graph::text LIKE ${like} ORDER BY f.name, v.number`;
  const byFlow = new Map<string, PromptUsage>();
  for (const c of candidates) {
    let refs: string[];
    try {
      refs = collectPromptRefs(loadFlow(c.graph));
    } catch {
      continue;
    }
    if (!refs.includes(playPath)) continue;
    const u = byFlow.get(c.flowId) ?? { flowId: c.flowId, flowName: c.name, versions: [] };
    u.versions.push(Number(c.number));
    byFlow.set(c.flowId, u);
  }
  return [...byFlow.values()];
}

const usageText = (usage: PromptUsage[]) => usage.map((u) => `${u.flowName} (version${u.versions.length > 1 ? "s" : ""} ${u.versions.join(", ")})`).join("; ");

/** Published versions playing the prompt under its path or any former one. */
async function usageWithAliases(prisma: PrismaClient, row: Prompt): Promise<PromptUsage[]> {
  const byFlow = new Map<string, PromptUsage>();
  for (const p of [row.path, ...row.aliases]) {
    for (const u of await promptUsage(prisma, p)) {
      const had = byFlow.get(u.flowId);
      byFlow.set(u.flowId, had ? { ...had, versions: [...new Set([...had.versions, ...u.versions])].sort((a, b) => a - b) } : u);
    }
  }
  return [...byFlow.values()];
}

export async function deletePrompt(prisma: PrismaClient, name: string, root = mediaDir()): Promise<void> {
  await withNameLock(name, async () => {
    const row = await getPrompt(prisma, name);
    const usage = await usageWithAliases(prisma, row);
    if (usage.length) {
      throw new ApiError(409, "in_use", `The prompt "${name}" is played by published flow versions: ${usageText(usage)}. Publish versions without it first.`, { flows: usage });
    }
    // Phrases are live (every flow plays their current items): one that plays it would go silent.
    const paths = new Set([row.path, ...row.aliases]);
    const phrases = (await prisma.phrase.findMany()).filter((ph) => {
      const m = phraseMacroSchema.safeParse({ name: ph.name, language: ph.language, inputs: ph.inputs });
      return m.success && m.data.inputs.some((i) => [...i.match, ...i.nomatch].some((it) => it.type === "file" && soundParts(it.file).some((p) => paths.has(p.trim()))));
    });
    if (phrases.length) {
      const list = phrases.map((ph) => `${ph.name} (${ph.language})`).join(", ");
      throw new ApiError(409, "in_use", `The prompt "${name}" is played by the phrase${phrases.length > 1 ? "s" : ""} ${list}. Remove it from ${phrases.length > 1 ? "them" : "it"} first.`, { phrases: phrases.map((ph) => ({ name: ph.name, language: ph.language })) });
    }
    await prisma.prompt.delete({ where: { name } });
    for (const n of [name, ...row.aliases.map(aliasName)]) for (const rate of PROMPT_RATES) await rm(path.join(root, promptFile(n, rate)), { force: true });
  });
}

/** The prompt whose former path `playPath` is, if any (a new prompt must not take it over). */
export async function aliasOwner(prisma: PrismaClient, playPath: string): Promise<Prompt | null> {
  return prisma.prompt.findFirst({ where: { aliases: { has: playPath } } });
}

export interface RenameResult {
  prompt: PromptView;
  /** Drafts whose nodes now play the new name (their revision went up: an open editor reloads). */
  drafts: Array<{ flowId: string; flowName: string }>;
  /** Phrase macros whose items now play the new name. */
  phrases: Array<{ name: string; language: string }>;
  /** Published versions that play the old name: it stays playable for them (an alias). */
  keptFor: PromptUsage[];
}

/**
 * Rename a prompt: its files move to the new name, every draft and phrase that plays it is
 * updated (the same transaction as the row), and published versions, which never change, keep
 * playing the old path: while any plays it, the audio stays there too (a hard link) and the
 * old path is kept as an alias (shown in the library, deleted with the prompt, refreshed by a
 * replace, and not free for a new prompt).
 */
export async function renamePrompt(prisma: PrismaClient, name: string, rawNewName: unknown, root = mediaDir()): Promise<RenameResult> {
  const to = checkPromptName(rawNewName);
  const [first, second] = [name, to].sort((a, b) => a.toLowerCase().localeCompare(b.toLowerCase()));
  const locked = <T>(fn: () => Promise<T>) =>
    first.toLowerCase() === second.toLowerCase() ? withNameLock(first, fn) : withNameLock(first, () => withNameLock(second, fn));
  return locked(async () => {
    const row = await getPrompt(prisma, name);
    const fromPath = row.path;
    const toPath = promptPath(to);
    if (to === name) return { prompt: promptView(row), drafts: [], phrases: [], keptFor: [] };
    if (to.toLowerCase() !== name.toLowerCase() && (await prisma.prompt.findUnique({ where: { name: to } }))) {
      throw new ApiError(409, "conflict", `A prompt named "${to}" exists already; choose another name (or delete that one first).`);
    }
    const owner = await aliasOwner(prisma, toPath);
    if (owner && owner.name !== row.name) {
      throw new ApiError(409, "conflict", `"${to}" is the former name of the prompt "${owner.name}", which published flow versions still play; choose another name.`);
    }
    const keptFor = await promptUsage(prisma, fromPath);
    const aliases = [...row.aliases.filter((a) => a !== toPath), ...(keptFor.length ? [fromPath] : [])];

    // Files first (undone if the database part fails).
    const undo: Array<() => Promise<void>> = [];
    try {
      for (const rate of PROMPT_RATES) {
        const src = path.join(root, promptFile(name, rate));
        const dst = path.join(root, promptFile(to, rate));
        if (!existsSync(src)) continue;
        if (keptFor.length) {
          await linkOrCopy(src, dst);
          undo.push(() => rm(dst, { force: true }));
        } else {
          await rename(src, dst);
          undo.push(() => rename(dst, src));
        }
      }
      const drafts: RenameResult["drafts"] = [];
      const phrases: RenameResult["phrases"] = [];
      const like = `%${fromPath.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
      await prisma.$transaction(async (tx) => {
        await tx.prompt.update({ where: { id: row.id }, data: { name: to, path: toPath, aliases } });
        const flows = await tx.$queryRaw<Array<{ id: string; name: string; graph: unknown }>>`
          SELECT id, name, graph FROM "Flow" WHERE "deletedAt" IS NULL AND graph::text LIKE ${like}`;
        for (const f of flows) {
          let next;
          try {
            next = renamePromptRefs(loadFlow(f.graph), fromPath, toPath);
          } catch {
            continue; // a draft that does not load is left for its editor
          }
          if (!next) continue;
          await tx.flow.update({ where: { id: f.id }, data: { graph: next as unknown as Prisma.InputJsonValue, revision: { increment: 1 } } });
          drafts.push({ flowId: f.id, flowName: f.name });
        }
        for (const ph of await tx.phrase.findMany()) {
          const m = phraseMacroSchema.safeParse({ name: ph.name, language: ph.language, description: ph.description, pauseMs: ph.pauseMs, inputs: ph.inputs });
          if (!m.success) continue;
          const next = renamePromptInPhrase(m.data, fromPath, toPath);
          if (JSON.stringify(next.inputs) === JSON.stringify(m.data.inputs)) continue;
          await tx.phrase.update({ where: { id: ph.id }, data: { inputs: next.inputs as unknown as Prisma.InputJsonValue, revision: { increment: 1 } } });
          phrases.push({ name: ph.name, language: ph.language });
        }
      });
      return { prompt: promptView(await getPrompt(prisma, to)), drafts, phrases, keptFor };
    } catch (e) {
      for (const u of undo.reverse()) await u().catch(() => undefined);
      throw e;
    }
  });
}
