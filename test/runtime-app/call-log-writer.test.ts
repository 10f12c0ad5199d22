// The call log into the database: batched, never blocking the caller, refused batches logged and
// dropped, a bounded queue; while the database is away, kept (in memory, then on disk) and
// written once when it is back. Against a real (in-memory) PGlite; "away" is a client whose
// queries fail as a stopped PostgreSQL's do.
import { cpSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { PrismaClient } from "../../prisma/generated/client/client";
import type { Database } from "../../app/lib/server/db/client";
import { CallLogWriter } from "../../app/lib/server/runtime/call-log-writer";
import { CallLogger } from "../../runtime/session/call-log";
import { startTestDatabase, stopTestDatabase } from "../api/helpers";

let db: Database;
beforeAll(async () => {
  db = await startTestDatabase();
}, 30_000);
afterAll(stopTestDatabase);

const record = (node: string, method: string, result: unknown) => ({ node, method, args: [1, "x", undefined], result, ms: 2.6 });

describe("CallLogWriter", () => {
  it("writes a call, its events and its end, tagged with the route's flow and version", async () => {
    const log: string[] = [];
    const w = new CallLogWriter(db.prisma, { targetOf: (p) => (p === "1000" ? { flowId: "flowA", version: 3 } : undefined), log: (l) => log.push(l) });
    const logger = new CallLogger("uuid-1", w.sink);
    logger.start("alice", "1000", { route: "1000" });
    logger.method(record("menu", "playAndGetDigits", "1") as never);
    logger.method(record("menu", "sleep", null) as never);
    logger.end("NORMAL_CLEARING");
    // Nothing is written synchronously: the caller never waits for the database.
    expect(await db.prisma.call.count({ where: { callId: "uuid-1" } })).toBe(0);
    await w.close();
    const row = await db.prisma.call.findUniqueOrThrow({ where: { callId: "uuid-1" }, include: { events: { orderBy: { seq: "asc" } } } });
    expect(row).toMatchObject({ from: "alice", to: "1000", flowId: "flowA", version: 3, cause: "NORMAL_CLEARING" });
    expect(row.endedAt).toBeInstanceOf(Date);
    expect(row.events.map((e) => [e.seq, e.node, e.method, e.result, e.ms])).toEqual([
      [1, "menu", "playAndGetDigits", "1", 3],
      [2, "menu", "sleep", null, 3],
    ]);
    expect(row.events[0].args).toEqual([1, "x", null]);
    expect(log).toEqual([]);
  });

  it("keeps who ended a call (caller, flow, admin, system) and nothing else there", async () => {
    const w = new CallLogWriter(db.prisma, { targetOf: () => undefined, log: () => {} });
    for (const [id, by] of [["by-caller", "caller"], ["by-admin", "admin"], ["by-junk", "<script>"]]) {
      const logger = new CallLogger(id, w.sink);
      logger.start("alice", "1000");
      logger.end("NORMAL_CLEARING", { by });
    }
    await w.close();
    const rows = await db.prisma.call.findMany({ where: { callId: { startsWith: "by-" } }, orderBy: { callId: "asc" } });
    expect(rows.map((r) => [r.callId, r.hangupBy])).toEqual([["by-admin", "admin"], ["by-caller", "caller"], ["by-junk", null]]);
  });

  it("keeps why a playback failed on its event", async () => {
    const w = new CallLogWriter(db.prisma, { targetOf: () => undefined, log: () => undefined });
    const logger = new CallLogger("uuid-err", w.sink);
    logger.start("alice", "1000");
    logger.method({ ...record("welcome", "streamFile", 0), error: "not found: ivr/x.wav (no such file: /s/ivr/x.wav)" } as never);
    logger.method(record("welcome", "sleep", 1) as never);
    await w.close();
    const events = await db.prisma.callEvent.findMany({ where: { callId: "uuid-err" }, orderBy: { seq: "asc" } });
    expect(events.map((e) => e.error)).toEqual(["not found: ivr/x.wav (no such file: /s/ivr/x.wav)", null]);
  });

  it("flushes on its own after the interval, and at once when a batch is full", async () => {
    const w = new CallLogWriter(db.prisma, { targetOf: () => undefined, log: () => {}, flushEveryMs: 100, flushAtEntries: 5 });
    new CallLogger("uuid-2", w.sink).start("bob", "2000");
    await expect.poll(() => db.prisma.call.count({ where: { callId: "uuid-2" } }), { timeout: 2000, interval: 20 }).toBe(1);
    const logger = new CallLogger("uuid-3", w.sink);
    logger.start("carol", "3000");
    for (let i = 0; i < 4; i++) logger.method(record("n", "answer", 1) as never);
    // Five entries: written without waiting for the interval (which is long here).
    await expect.poll(() => db.prisma.callEvent.count({ where: { callId: "uuid-3" } }), { timeout: 2000, interval: 20 }).toBe(4);
    await w.close();
  });

  it("logs and drops a batch the database refuses, and keeps going", async () => {
    const log: string[] = [];
    const w = new CallLogWriter(db.prisma, { targetOf: () => undefined, log: (l) => log.push(l) });
    // Events of a call whose start never reached the database: the foreign key refuses them.
    new CallLogger("ghost", w.sink).method(record("n", "answer", 1) as never);
    await w.flush();
    expect(log.join("\n")).toMatch(/writing 1 call event\(s\) to the database failed, dropped/);
    expect(w.stats.failedBatches).toBe(1);
    const logger = new CallLogger("uuid-4", w.sink);
    logger.start("dave", "4000");
    logger.end("USER_BUSY");
    await w.close();
    expect(await db.prisma.call.findUnique({ where: { callId: "uuid-4" } })).toMatchObject({ cause: "USER_BUSY" });
  });

  it("bounds its queue: entries past the limit are dropped and counted", async () => {
    const log: string[] = [];
    const w = new CallLogWriter(db.prisma, { targetOf: () => undefined, log: (l) => log.push(l), maxQueue: 3, flushAtEntries: 1000, flushEveryMs: 60_000 });
    const logger = new CallLogger("uuid-5", w.sink);
    logger.start("erin", "5000");
    for (let i = 0; i < 5; i++) logger.method(record("n", "answer", 1) as never);
    expect(w.stats.dropped).toBe(3);
    expect(log.join("\n")).toMatch(/queue full \(3\)/);
    await w.close();
    expect(await db.prisma.callEvent.count({ where: { callId: "uuid-5" } })).toBe(2);
  });

  describe("while the database is away", () => {
    let away = false;
    const refused = () => Promise.reject(new Error("connect ECONNREFUSED 127.0.0.1:5432"));
    /** The test database, whose queries fail while `away` (as a stopped PostgreSQL's do). */
    const flaky = () =>
      new Proxy(db.prisma, {
        get(target, prop) {
          const v = Reflect.get(target, prop) as unknown;
          if (prop === "$queryRawUnsafe") return (...a: unknown[]) => (away ? refused() : (v as (...x: unknown[]) => unknown).apply(target, a));
          if (prop === "call" || prop === "callEvent") {
            return new Proxy(v as object, {
              get(t, p) {
                const f = Reflect.get(t, p) as unknown;
                return typeof f === "function" ? (...a: unknown[]) => (away ? refused() : (f as (...x: unknown[]) => unknown).apply(t, a)) : f;
              },
            });
          }
          return v;
        },
      }) as PrismaClient;
    const spools: string[] = [];
    const newSpool = () => {
      const dir = mkdtempSync(path.join(os.tmpdir(), "ivr-spool-"));
      spools.push(dir);
      return dir;
    };
    afterAll(() => {
      for (const d of spools) rmSync(d, { recursive: true, force: true });
    });
    const threeCalls = (sink: CallLogWriter["sink"], prefix: string) => {
      for (let i = 0; i < 3; i++) {
        const logger = new CallLogger(`${prefix}-${i}`, sink);
        logger.start("frank", "6000");
        for (let j = 0; j < 3; j++) logger.method(record("n", "sleep", j) as never);
        logger.end("NORMAL_CLEARING");
      }
    };
    const rowsOf = async (prefix: string) => ({
      calls: await db.prisma.call.count({ where: { callId: { startsWith: prefix }, endedAt: { not: null }, runtimeId: "rt-test" } }),
      events: await db.prisma.callEvent.count({ where: { callId: { startsWith: prefix } } }),
    });

    it("keeps the log in memory, then on disk, and writes every entry once when the database is back", async () => {
      const log: string[] = [];
      const spool = newSpool();
      away = true;
      const w = new CallLogWriter(flaky(), { targetOf: () => undefined, log: (l) => log.push(l), maxQueue: 5, flushEveryMs: 10, retryMs: 20, runtimeId: "rt-test", spoolDir: spool });
      threeCalls(w.sink, "away");
      await expect.poll(() => w.stats.retries, { timeout: 2000, interval: 10 }).toBeGreaterThan(1);
      // 15 entries: 5 in memory, 10 on disk; nothing written, nothing dropped.
      expect(w.pending).toEqual({ memory: 5, spooled: 10 });
      expect(w.stats.dropped).toBe(0);
      expect(await rowsOf("away")).toEqual({ calls: 0, events: 0 });
      away = false;
      await expect.poll(() => rowsOf("away"), { timeout: 5000, interval: 20 }).toEqual({ calls: 3, events: 9 });
      await w.close();
      expect(readdirSync(spool)).toEqual([]);
      expect(log.join("\n")).toMatch(/the database is away: keeping the call log/);
      expect(log.join("\n")).toMatch(/5 call log entries wait in memory: keeping the next ones in /);
      expect(log.at(-1)).toMatch(/the database is back/);
    });

    it("left on disk by a runtime stopped while the database was away, the log is written at the next start, once even when read twice", async () => {
      const spool = newSpool();
      away = true;
      const first = new CallLogWriter(flaky(), { targetOf: () => undefined, log: () => undefined, retryMs: 20, runtimeId: "rt-test", spoolDir: spool });
      threeCalls(first.sink, "stopped");
      await first.close();
      const segments = readdirSync(spool);
      expect(segments.length).toBe(1);
      const copy = newSpool();
      cpSync(spool, copy, { recursive: true });
      away = false;
      const next = new CallLogWriter(flaky(), { targetOf: () => undefined, log: () => undefined, runtimeId: "rt-test", spoolDir: spool });
      await expect.poll(() => rowsOf("stopped"), { timeout: 5000, interval: 20 }).toEqual({ calls: 3, events: 9 });
      await next.close();
      expect(readdirSync(spool)).toEqual([]);
      // The same segment again (a crash after writing it, before deleting it): no duplicate, no error.
      const log: string[] = [];
      const again = new CallLogWriter(flaky(), { targetOf: () => undefined, log: (l) => log.push(l), runtimeId: "rt-test", spoolDir: copy });
      await again.close();
      expect(readdirSync(copy)).toEqual([]);
      expect(await rowsOf("stopped")).toEqual({ calls: 3, events: 9 });
      expect(log.join("\n")).not.toMatch(/failed/);
    });
  });
});
