// The runtime's call log into the database (Call + CallEvent rows). The runtime's sink only
// appends to an in-memory queue, so a call never waits for the database; a timer flushes the
// queue in batches (every 500 ms, or sooner at 100 entries) so a busy runtime does not hammer
// PGlite. If a write fails, the batch is logged and dropped; the queue is bounded, and entries
// beyond it are dropped (and counted) rather than growing memory without limit.
import type { Prisma, PrismaClient } from "../../../../prisma/generated/client/client";
import type { CallLogEntry, CallLogSink } from "../../../../runtime/session/call-log";
import type { RouteTarget } from "./route-table";

export interface CallLogWriterOptions {
  /** Flow and version a route pattern runs (at the time the call starts). */
  targetOf: (pattern: string) => RouteTarget | undefined;
  log: (line: string) => void;
  flushEveryMs?: number;
  flushAtEntries?: number;
  /** Largest queue; beyond it new entries are dropped. */
  maxQueue?: number;
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

export class CallLogWriter {
  private queue: CallLogEntry[] = [];
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> | undefined;
  private dropped = 0;
  private closed = false;
  /** Entries written and batches failed since start (for logs and tests). */
  readonly stats = { written: 0, failedBatches: 0, dropped: 0 };
  private readonly flushEveryMs: number;
  private readonly flushAtEntries: number;
  private readonly maxQueue: number;

  constructor(
    private readonly prisma: PrismaClient,
    private readonly options: CallLogWriterOptions,
  ) {
    this.flushEveryMs = options.flushEveryMs ?? 500;
    this.flushAtEntries = options.flushAtEntries ?? 100;
    this.maxQueue = options.maxQueue ?? 10_000;
  }

  /** The runtime's callLog: O(1), never throws, never waits. */
  readonly sink: CallLogSink = (entry) => {
    if (this.closed) return;
    if (this.queue.length >= this.maxQueue) {
      if (this.dropped++ === 0) this.options.log(`[calls] call log queue full (${this.maxQueue}): dropping entries until the database catches up`);
      this.stats.dropped++;
      return;
    }
    // The route's flow is resolved now: the table may be swapped before the batch is written.
    // (The runtime thread stamps it itself when the call starts; that stamp wins.)
    if (isStart(entry) && typeof entry.flowId !== "string") {
      const target = typeof entry.route === "string" ? this.options.targetOf(entry.route) : undefined;
      this.queue.push(target ? { ...entry, flowId: target.flowId, version: target.version } : entry);
    } else this.queue.push(entry);
    if (this.queue.length >= this.flushAtEntries) this.flushSoon(0);
    else this.flushSoon(this.flushEveryMs);
  };

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
    if (!this.queue.length) return;
    const batch = this.queue;
    this.queue = [];
    this.flushing = this.write(batch).finally(() => {
      this.flushing = undefined;
    });
    await this.flushing;
    if (this.dropped) {
      this.options.log(`[calls] ${this.dropped} call log entries were dropped (queue full)`);
      this.dropped = 0;
    }
    // More arrived while writing: keep going on the timer.
    if (this.queue.length) this.flushSoon(this.queue.length >= this.flushAtEntries ? 0 : this.flushEveryMs);
  }

  private async write(batch: CallLogEntry[]): Promise<void> {
    const starts = batch.filter(isStart);
    const ends = batch.filter(isEnd);
    const methods = batch.filter((e): e is MethodEntry => "method" in e);
    // Calls first: events reference them.
    await this.step(`${starts.length} call start(s)`, async () => {
      if (!starts.length) return;
      await this.prisma.call.createMany({
        data: starts.map((s) => ({
          callId: s.callId,
          from: clip(s.from),
          to: clip(s.to),
          flowId: typeof s.flowId === "string" ? s.flowId : null,
          version: typeof s.version === "number" ? s.version : null,
          startedAt: new Date(s.ts),
        })),
        skipDuplicates: true,
      });
      this.stats.written += starts.length;
    });
    await this.step(`${methods.length} call event(s)`, async () => {
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
      await this.step(`the end of call ${e.callId}`, async () => {
        // updateMany: a call whose start was dropped is simply not there (no throw).
        const hangupBy = typeof e.by === "string" && HANGUP_BY.has(e.by) ? e.by : null;
        await this.prisma.call.updateMany({ where: { callId: e.callId, endedAt: null }, data: { endedAt: new Date(e.ts), cause: clip(e.cause, 64), hangupBy } });
        this.stats.written++;
      });
    }
  }

  private async step(what: string, fn: () => Promise<void>): Promise<void> {
    try {
      await fn();
    } catch (e) {
      this.stats.failedBatches++;
      this.options.log(`[calls] writing ${what} to the database failed, dropped: ${(e as Error)?.message?.split("\n")[0] ?? e}`);
    }
  }

  /** Stop taking entries (the runtime is stopped first) and write what is queued. */
  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    do await this.flush();
    while (this.queue.length);
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }
}
