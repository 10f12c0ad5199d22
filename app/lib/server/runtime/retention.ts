// Retention: how long calls (with their events) and recordings are kept. A setting (days; null
// keeps forever), applied at start and then every hour by the server (boot.ts): calls that
// started before the cut-off are deleted with their events (in batches, so a large backlog never
// holds one long transaction), and recording files last written before theirs are removed.
// The clock is a parameter: tests pin it.
import { lstat, readdir, unlink } from "node:fs/promises";
import path from "node:path";
import type { PrismaClient } from "../../../../prisma/generated/client/client";
import { invalid } from "../http";

export const RETENTION_SETTING = "retention";
const DAY_MS = 24 * 3600 * 1000;
/** At most this many days (about 100 years): anything more is "keep forever" by another name. */
const MAX_DAYS = 36_500;
const DELETE_BATCH = 2000;

export interface Retention {
  /** Days calls and their events are kept; null: forever. */
  callDays: number | null;
  /** Days recording files are kept; null: forever. */
  recordingDays: number | null;
}

export const KEEP_FOREVER: Retention = { callDays: null, recordingDays: null };

function daysOf(value: unknown, name: string): number | null {
  if (value === null || value === undefined) return null;
  if (typeof value !== "number" || !Number.isInteger(value) || value < 1 || value > MAX_DAYS) {
    throw invalid(`${name} must be a whole number of days from 1 to ${MAX_DAYS}, or null to keep forever.`);
  }
  return value;
}

/** A request body's retention ({ callDays, recordingDays }), checked. */
export function parseRetention(body: Record<string, unknown>): Retention {
  for (const key of Object.keys(body)) if (key !== "callDays" && key !== "recordingDays") throw invalid(`Unknown field "${key}" (callDays, recordingDays).`);
  return { callDays: daysOf(body.callDays, "callDays"), recordingDays: daysOf(body.recordingDays, "recordingDays") };
}

export async function getRetention(prisma: PrismaClient): Promise<Retention> {
  const row = await prisma.setting.findUnique({ where: { key: RETENTION_SETTING } });
  const v = (row?.value ?? {}) as Record<string, unknown>;
  try {
    return { callDays: daysOf(v.callDays, "callDays"), recordingDays: daysOf(v.recordingDays, "recordingDays") };
  } catch {
    // A hand-edited row that makes no sense deletes nothing.
    return KEEP_FOREVER;
  }
}

export async function setRetention(prisma: PrismaClient, r: Retention): Promise<void> {
  const value = { callDays: r.callDays, recordingDays: r.recordingDays };
  await prisma.setting.upsert({ where: { key: RETENTION_SETTING }, create: { key: RETENTION_SETTING, value }, update: { value } });
}

export interface RetentionResult {
  callsDeleted: number;
  recordingsDeleted: number;
}

/** Delete what is older than the retention allows, as of `now`. */
export async function applyRetention(prisma: PrismaClient, options: { now: Date; recordingsDir: string; retention?: Retention }): Promise<RetentionResult> {
  const r = options.retention ?? (await getRetention(prisma));
  let callsDeleted = 0;
  if (r.callDays !== null) {
    const before = new Date(options.now.getTime() - r.callDays * DAY_MS);
    for (;;) {
      const old = await prisma.call.findMany({ where: { startedAt: { lt: before } }, select: { callId: true }, take: DELETE_BATCH });
      if (!old.length) break;
      const ids = old.map((c) => c.callId);
      // Events first in their own statement (the foreign key cascades too; this keeps each statement small).
      await prisma.$transaction([prisma.callEvent.deleteMany({ where: { callId: { in: ids } } }), prisma.call.deleteMany({ where: { callId: { in: ids } } })]);
      callsDeleted += ids.length;
      if (ids.length < DELETE_BATCH) break;
    }
  }
  let recordingsDeleted = 0;
  if (r.recordingDays !== null) recordingsDeleted = await removeOldFiles(options.recordingsDir, options.now.getTime() - r.recordingDays * DAY_MS);
  return { callsDeleted, recordingsDeleted };
}

/** Regular files under `dir` last modified before `beforeMs` (symbolic links are never followed nor removed). */
async function removeOldFiles(dir: string, beforeMs: number): Promise<number> {
  let removed = 0;
  const walk = async (d: string): Promise<void> => {
    let entries;
    try {
      entries = await readdir(d, { withFileTypes: true });
    } catch {
      return; // no recordings folder yet
    }
    for (const e of entries) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) await walk(p);
      else if (e.isFile()) {
        const st = await lstat(p).catch(() => undefined);
        if (st && st.mtimeMs < beforeMs) {
          await unlink(p).then(() => removed++, () => undefined);
        }
      }
    }
  };
  await walk(path.resolve(dir));
  return removed;
}

/**
 * Apply the retention now and then every `everyMs` (default one hour) until stopped; each run
 * reads the setting afresh, so a change applies at the next run. Never throws: a failed run is logged.
 */
export function startRetentionJob(options: {
  prisma: PrismaClient;
  recordingsDir: string;
  log: (line: string) => void;
  everyMs?: number;
  now?: () => Date;
}): { stop(): void; runNow(): Promise<RetentionResult | undefined> } {
  const now = options.now ?? (() => new Date());
  let running: Promise<RetentionResult | undefined> | undefined;
  const run = () =>
    (running ??= applyRetention(options.prisma, { now: now(), recordingsDir: options.recordingsDir })
      .then(
        (r) => {
          if (r.callsDeleted || r.recordingsDeleted) options.log(`[retention] deleted ${r.callsDeleted} call(s) with their events and ${r.recordingsDeleted} recording(s)`);
          return r;
        },
        (e: Error) => {
          options.log(`[retention] failed (retried at the next run): ${e?.message?.split("\n")[0] ?? e}`);
          return undefined;
        },
      )
      .finally(() => (running = undefined)));
  void run();
  const timer = setInterval(() => void run(), options.everyMs ?? 3600_000);
  timer.unref();
  return { stop: () => clearInterval(timer), runNow: run };
}
