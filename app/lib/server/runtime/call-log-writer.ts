// The runtime's call log into the database (Call + CallEvent rows). The runtime's sink only
// appends to an in-memory queue, so a call never waits for the database; a timer flushes the
// queue in batches (every 500 ms, or sooner at 100 entries) so a busy runtime does not hammer
// the database.
//
// When a write fails the writer asks the database whether it is there at all (SELECT 1):
// - it is not (PostgreSQL restarting, the network down): the batch is kept and tried again
//   (every second, then less often), in order, until the database is back. The queue in memory
//   is bounded; with a spool folder (ivr serve --database), entries past that bound go to disk
//   in segment files of 1000 lines, oldest first, and are written back from there when the
//   database returns; a segment left by a runtime that stopped is written at its next start.
//   Every write is idempotent (Call.callId and CallEvent (callId, seq) are unique keys, inserted
//   with ON CONFLICT DO NOTHING; an end only fills a call whose endedAt is still empty), so a
//   batch written twice (tried again after a timeout, a segment read again after a crash) leaves
//   one row each.
// - it is (the batch itself is refused: a foreign key, a value too large): that batch is logged
//   and dropped, step by step, and the writer keeps going.
// Without a spool folder (npm start's embedded database) entries past the bound are dropped and
// counted.
import { appendFileSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, statSync, unlinkSync, writeFileSync } from "node:fs";
import path from "node:path";
import type { Prisma, PrismaClient } from "../../../../prisma/generated/client/client";
import type { CallLogEntry, CallLogSink } from "../../../../runtime/session/call-log";
import type { RouteTarget } from "./route-table";

export interface CallLogWriterOptions {
  /** Flow and version a route pattern runs (at the time the call starts). */
  targetOf: (pattern: string) => RouteTarget | undefined;
  log: (line: string) => void;
  flushEveryMs?: number;
  flushAtEntries?: number;
  /** Largest queue in memory; beyond it entries go to the spool folder, or (without one) are dropped. */
  maxQueue?: number;
  /** Call.runtimeId of the calls this writer logs (set later with setIdentity when not known yet). */
  runtimeId?: string;
  /** Where entries go while the database is away and the memory queue is full (see setIdentity). */
  spoolDir?: string;
  /** Most bytes of spool on disk; past it new entries are dropped (and counted). Default 256 MiB. */
  spoolMaxBytes?: number;
  /** First wait before writing again after the database was found away (doubles up to 5 s). Default 1000 ms. */
  retryMs?: number;
}

type StartEntry = Extract<CallLogEntry, { event: "start" }>;
type EndEntry = Extract<CallLogEntry, { event: "end" }>;
type MethodEntry = Extract<CallLogEntry, { method: string }>;

const isStart = (e: CallLogEntry): e is StartEntry => "event" in e && e.event === "start";
const isEnd = (e: CallLogEntry): e is EndEntry => "event" in e && e.event === "end";

/** Who may have ended a call (runtime/call-session.ts HangupBy); anything else is not stored. */
const HANGUP_BY = new Set(["caller", "flow", "admin", "system"]);

/** Strings from the wire are cut to a sane size before they reach a row. */
const clip = (s: unknown, max = 200) => String(s ?? "").slice(0, max);
const firstLine = (e: unknown) => (e as Error)?.message?.split("\n")[0] ?? String(e);

/** Lines per spool segment file. */
const SEGMENT_LINES = 1000;
/** Batches written at once (a segment read back is written in a few). */
const WRITE_CHUNK = 500;
/** Segment numbers start high so one can always be put ahead of the oldest (close()). */
const FIRST_SEGMENT = 1_000_000_000;
const SEGMENT_RE = /^seg-(\d{12})\.jsonl$/;

export class CallLogWriter {
  private queue: CallLogEntry[] = [];
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> | undefined;
  private dropped = 0;
  private closed = false;
  /** Set while the database is away: the time of the next attempt is on the timer. */
  private databaseAway = false;
  private retryDelay: number;
  /** Spool: segment numbers on disk (oldest first), lines waiting to be appended to the newest. */
  private segments: number[] = [];
  private spoolLines: string[] = [];
  private currentSegmentLines = 0;
  private spoolBytes = 0;
  private runtimeId: string | undefined;
  private spoolDir: string | undefined;
  /** Entries written and batches failed since start (for logs and tests). */
  readonly stats = { written: 0, failedBatches: 0, dropped: 0, retries: 0, spooled: 0 };
  private readonly flushEveryMs: number;
  private readonly flushAtEntries: number;
  private readonly maxQueue: number;
  private readonly spoolMaxBytes: number;
  private readonly retryMs: number;

  constructor(
    private readonly prisma: PrismaClient,
    private readonly options: CallLogWriterOptions,
  ) {
    this.flushEveryMs = options.flushEveryMs ?? 500;
    this.flushAtEntries = options.flushAtEntries ?? 100;
    this.maxQueue = options.maxQueue ?? 10_000;
    this.spoolMaxBytes = options.spoolMaxBytes ?? 256 * 1024 * 1024;
    this.retryMs = this.retryDelay = options.retryMs ?? 1000;
    this.setIdentity(options.runtimeId, options.spoolDir);
  }

  /**
   * The runtime's id (stamped on each call) and its spool folder, once known (a runtime on port 0
   * knows its id after it bound). Segments already in the folder (a runtime that stopped while
   * the database was away) are written first.
   */
  setIdentity(runtimeId: string | undefined, spoolDir: string | undefined): void {
    this.runtimeId = runtimeId;
    if (!spoolDir || spoolDir === this.spoolDir) return;
    this.spoolDir = spoolDir;
    mkdirSync(spoolDir, { recursive: true });
    for (const f of readdirSync(spoolDir)) {
      const m = SEGMENT_RE.exec(f);
      if (!m) continue;
      this.segments.push(Number(m[1]));
      this.spoolBytes += statSync(path.join(spoolDir, f)).size;
    }
    this.segments.sort((a, b) => a - b);
    if (this.segments.length) {
      this.options.log(`[calls] ${this.segments.length} call log segment(s) left in ${spoolDir}: writing them to the database`);
      // Appends go to a fresh segment after them.
      this.currentSegmentLines = SEGMENT_LINES;
      this.flushSoon(0);
    }
  }

  /** Entries waiting: in memory, and on disk (lines). */
  get pending(): { memory: number; spooled: number } {
    return { memory: this.queue.length, spooled: this.spooledCount() };
  }

  private spooledCount(): number {
    let n = this.spoolLines.length;
    if (this.spoolDir) for (const s of this.segments) n += this.segmentLineCount(s);
    return n;
  }

  private segmentLineCount(n: number): number {
    try {
      return readFileSync(this.segmentFile(n), "utf8").split("\n").filter(Boolean).length;
    } catch {
      return 0;
    }
  }

  /** The runtime's callLog: O(1), never throws, never waits. */
  readonly sink: CallLogSink = (entry) => {
    if (this.closed) return;
    // The route's flow is resolved now: the table may be swapped before the batch is written.
    // (The runtime thread stamps it itself when the call starts; that stamp wins.)
    if (isStart(entry)) {
      const target = typeof entry.flowId !== "string" && typeof entry.route === "string" ? this.options.targetOf(entry.route) : undefined;
      if (target || (this.runtimeId && entry.runtimeId === undefined)) {
        entry = { ...entry, ...(target ? { flowId: target.flowId, version: target.version } : {}), ...(this.runtimeId && entry.runtimeId === undefined ? { runtimeId: this.runtimeId } : {}) };
      }
    }
    // Once entries are on disk, newer ones follow them there: the log stays in order.
    if (this.spoolDir && (this.segments.length || this.spoolLines.length || this.queue.length >= this.maxQueue)) {
      this.spill(entry);
      this.flushSoon(this.flushEveryMs);
      return;
    }
    if (this.queue.length >= this.maxQueue) {
      if (this.dropped++ === 0) this.options.log(`[calls] call log queue full (${this.maxQueue}): dropping entries until the database catches up`);
      this.stats.dropped++;
      return;
    }
    this.queue.push(entry);
    if (this.databaseAway) return; // the retry timer is set
    if (this.queue.length >= this.flushAtEntries) this.flushSoon(0);
    else this.flushSoon(this.flushEveryMs);
  };

  private spill(entry: CallLogEntry): void {
    const line = `${JSON.stringify(entry)}\n`;
    if (this.spoolBytes + line.length > this.spoolMaxBytes) {
      if (this.dropped++ === 0) this.options.log(`[calls] call log spool full (${this.spoolMaxBytes} bytes in ${this.spoolDir}): dropping entries until the database catches up`);
      this.stats.dropped++;
      return;
    }
    if (!this.segments.length && !this.spoolLines.length) this.options.log(`[calls] ${this.queue.length} call log entries wait in memory: keeping the next ones in ${this.spoolDir}`);
    this.spoolBytes += line.length;
    this.stats.spooled++;
    this.spoolLines.push(line);
    if (this.spoolLines.length >= 200) this.writeSpoolLines();
  }

  private segmentFile(n: number): string {
    return path.join(this.spoolDir!, `seg-${String(n).padStart(12, "0")}.jsonl`);
  }

  /** Append the lines waiting to the newest segment (a new one every SEGMENT_LINES lines). */
  private writeSpoolLines(): void {
    if (!this.spoolDir || !this.spoolLines.length) return;
    try {
      while (this.spoolLines.length) {
        if (!this.segments.length || this.currentSegmentLines >= SEGMENT_LINES) {
          this.segments.push((this.segments.at(-1) ?? FIRST_SEGMENT) + 1);
          this.currentSegmentLines = 0;
        }
        const room = SEGMENT_LINES - this.currentSegmentLines;
        const part = this.spoolLines.splice(0, room);
        appendFileSync(this.segmentFile(this.segments.at(-1)!), part.join(""));
        this.currentSegmentLines += part.length;
      }
    } catch (e) {
      this.options.log(`[calls] writing the call log spool failed (${firstLine(e)}); ${this.spoolLines.length} entries stay in memory`);
    }
  }

  /** Move the oldest segment back into memory (it is deleted once written). */
  private loadOldestSegment(): number | undefined {
    this.writeSpoolLines();
    const n = this.segments[0];
    if (n === undefined) return undefined;
    // The newest segment is being appended to: start a new one for what comes next.
    if (this.segments.length === 1) this.currentSegmentLines = SEGMENT_LINES;
    let text = "";
    try {
      text = readFileSync(this.segmentFile(n), "utf8");
    } catch (e) {
      this.options.log(`[calls] reading call log segment ${this.segmentFile(n)} failed: ${firstLine(e)}; skipped`);
      this.segments.shift();
      return undefined;
    }
    for (const line of text.split("\n")) {
      if (!line) continue;
      try {
        this.queue.push(JSON.parse(line) as CallLogEntry);
      } catch {
        // A line cut short by a crash while it was written: nothing to recover from it.
      }
    }
    return n;
  }

  private flushSoon(delayMs: number): void {
    if (this.timer && delayMs > 0) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.flush();
    }, delayMs);
    this.timer.unref?.();
  }

  /** Write everything queued so far (one flush at a time; a flush running now is awaited first). */
  async flush(): Promise<void> {
    while (this.flushing) await this.flushing;
    this.flushing = this.flushAll().finally(() => {
      this.flushing = undefined;
    });
    await this.flushing;
  }

  private async flushAll(): Promise<void> {
    this.writeSpoolLines();
    for (;;) {
      let segment: number | undefined;
      if (!this.queue.length) {
        segment = this.loadOldestSegment();
        if (segment === undefined) break;
      }
      while (this.queue.length) {
        const batch = this.queue.slice(0, WRITE_CHUNK);
        const outcome = await this.write(batch);
        if (outcome === "away") {
          // Kept in memory in order (a segment being written stays on disk too: written twice is harmless).
          if (segment !== undefined) this.queue = [];
          this.retryLater();
          return;
        }
        this.queue.splice(0, batch.length);
      }
      if (segment !== undefined) {
        this.segments.shift();
        try {
          this.spoolBytes -= statSync(this.segmentFile(segment)).size;
          unlinkSync(this.segmentFile(segment));
        } catch {
          // Already gone.
        }
      }
    }
    if (this.databaseAway) {
      this.databaseAway = false;
      this.retryDelay = this.retryMs;
      this.options.log("[calls] the database is back: the call log is written again");
    }
    if (this.dropped) {
      this.options.log(`[calls] ${this.dropped} call log entries were dropped (queue full)`);
      this.dropped = 0;
    }
  }

  private retryLater(): void {
    if (!this.databaseAway) this.options.log(`[calls] the database is away: keeping the call log (${this.queue.length} entries in memory) and trying again`);
    this.databaseAway = true;
    this.stats.retries++;
    if (this.closed) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.flush();
    }, this.retryDelay);
    this.timer.unref?.();
    this.retryDelay = Math.min(5000, this.retryDelay * 2);
  }

  private async databaseAnswers(): Promise<boolean> {
    try {
      await this.prisma.$queryRawUnsafe("SELECT 1");
      return true;
    } catch {
      return false;
    }
  }

  /** "ok" (written, or refused and dropped), or "away" (the database did not answer: keep it). */
  private async write(batch: CallLogEntry[]): Promise<"ok" | "away"> {
    try {
      await this.writeSteps(batch, false);
      return "ok";
    } catch {
      if (!(await this.databaseAnswers())) return "away";
    }
    // The database is there and refused something in the batch: write what it takes, step by step.
    await this.writeSteps(batch, true);
    return "ok";
  }

  private async writeSteps(batch: CallLogEntry[], tolerant: boolean): Promise<void> {
    const step = async (what: string, fn: () => Promise<void>) => {
      if (!tolerant) return fn();
      try {
        await fn();
      } catch (e) {
        this.stats.failedBatches++;
        this.options.log(`[calls] writing ${what} to the database failed, dropped: ${firstLine(e)}`);
      }
    };
    const starts = batch.filter(isStart);
    const ends = batch.filter(isEnd);
    const methods = batch.filter((e): e is MethodEntry => "method" in e);
    // Calls first: events reference them. ON CONFLICT DO NOTHING throughout (skipDuplicates).
    await step(`${starts.length} call start(s)`, async () => {
      if (!starts.length) return;
      await this.prisma.call.createMany({
        data: starts.map((s) => ({
          callId: s.callId,
          from: clip(s.from),
          to: clip(s.to),
          flowId: typeof s.flowId === "string" ? s.flowId : null,
          version: typeof s.version === "number" ? s.version : null,
          runtimeId: typeof s.runtimeId === "string" ? clip(s.runtimeId) : null,
          startedAt: new Date(s.ts),
        })),
        skipDuplicates: true,
      });
      this.stats.written += starts.length;
    });
    await step(`${methods.length} call event(s)`, async () => {
      if (!methods.length) return;
      await this.prisma.callEvent.createMany({
        data: methods.map((m) => {
          const row: Prisma.CallEventCreateManyInput = {
            callId: m.callId,
            seq: m.seq,
            ts: new Date(m.ts),
            node: m.node === null ? null : clip(m.node),
            method: clip(m.method, 100),
            args: (m.args ?? []) as Prisma.InputJsonValue,
            ms: Math.max(0, Math.round(m.ms)),
          };
          // A null result is left out: the column stays SQL NULL.
          if (m.result !== null && m.result !== undefined) row.result = m.result as Prisma.InputJsonValue;
          if (m.error) row.error = clip(m.error, 2000);
          return row;
        }),
        skipDuplicates: true,
      });
      this.stats.written += methods.length;
    });
    for (const e of ends) {
      await step(`the end of call ${e.callId}`, async () => {
        // updateMany: a call whose start was dropped is simply not there (no throw); endedAt null: once.
        const hangupBy = typeof e.by === "string" && HANGUP_BY.has(e.by) ? e.by : null;
        await this.prisma.call.updateMany({ where: { callId: e.callId, endedAt: null }, data: { endedAt: new Date(e.ts), cause: clip(e.cause, 64), hangupBy } });
        this.stats.written++;
      });
    }
  }

  /**
   * Stop taking entries (the runtime is stopped first) and write what is queued. With the
   * database away, what is left goes to the spool folder (ahead of what is there already), to
   * be written at the next start; without one it is lost, and said so.
   */
  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    await this.flush();
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.writeSpoolLines();
    if (!this.spoolDir) {
      if (this.queue.length) this.options.log(`[calls] the database is away: ${this.queue.length} call log entries could not be written`);
      return;
    }
    if (this.queue.length) {
      const n = (this.segments[0] ?? FIRST_SEGMENT + 1) - 1;
      const file = this.segmentFile(n);
      try {
        writeFileSync(`${file}.tmp`, this.queue.map((e) => `${JSON.stringify(e)}\n`).join(""));
        renameSync(`${file}.tmp`, file);
        this.segments.unshift(n);
        this.queue = [];
      } catch (e) {
        this.options.log(`[calls] keeping ${this.queue.length} call log entries on disk failed: ${firstLine(e)}`);
      }
    }
    const waiting = this.spooledCount();
    if (waiting) this.options.log(`[calls] the database is away: ${waiting} call log entries kept in ${this.spoolDir} for the next start`);
  }
}

/** Whether a spool folder holds entries not yet written (tests, the serve command's exit line). */
export function spoolHoldsEntries(dir: string): boolean {
  return existsSync(dir) && readdirSync(dir).some((f) => SEGMENT_RE.test(f));
}
