// The prompt library: uploads, TTS texts and browser recordings become prompts/<name>.wav at
// 8 and 16 kHz in the media folder, with one Prompt row each. Nothing half-done is ever
// visible: the work happens in a private folder under prompts/.incoming/, the finished files
// are renamed into place and the row written under a per-name lock (the old files are kept
// aside until the row is written, and put back if it fails), so bad input, an ffmpeg failure
// or a crash leaves the library as it was, and two uploads of one name never mix.
import { createHash, randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from "node:fs/promises";
import path from "node:path";
import { collectPromptRefs } from "../../../../flow/prompts";
import { loadFlow } from "../../../../flow/graph";
import type { Prompt, PrismaClient } from "../../../../prisma/generated/client/client";
import type { PublicUser } from "../auth/session";
import { ApiError, invalid, notFound } from "../http";
import { formatBytes, parseByteSize } from "../limits";
import { mediaDir } from "../paths";
import { AudioError, probeAudio, transcodeTo, wavPeaks } from "./audio";
import { PROMPT_RATES, PROMPTS_FOLDER, promptFile, promptPath } from "./names";

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

export async function deletePrompt(prisma: PrismaClient, name: string, root = mediaDir()): Promise<void> {
  await withNameLock(name, async () => {
    const row = await getPrompt(prisma, name);
    const usage = await promptUsage(prisma, row.path);
    if (usage.length) {
      const list = usage.map((u) => `${u.flowName} (version${u.versions.length > 1 ? "s" : ""} ${u.versions.join(", ")})`).join("; ");
      throw new ApiError(409, "in_use", `The prompt "${name}" is played by published flow versions: ${list}. Publish versions without it first.`, { flows: usage });
    }
    await prisma.prompt.delete({ where: { name } });
    for (const rate of PROMPT_RATES) await rm(path.join(root, promptFile(name, rate)), { force: true });
  });
}
