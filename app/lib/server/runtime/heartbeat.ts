// The runtime's heartbeat: one RuntimeNode row per runtime, written every few seconds (address,
// version, calls in progress, up/draining), so the designer's Cluster page can list the runtimes
// that share the database and an admin can drain one from there: the drain request is a flag on
// the row, which the runtime reads back on its next heartbeat (no connection from the designer to
// the runtime needed). A clean exit writes "down"; a runtime that died just stops beating, and
// readers treat a row older than STALE_AFTER_MS as down.
import type { PrismaClient } from "../../../../prisma/generated/client/client";

export type RuntimeState = "up" | "draining" | "down";

export const HEARTBEAT_MS = 2000;
/** A heartbeat older than this: the runtime is down (killed, its machine off, cut from the database). */
export const STALE_AFTER_MS = 10_000;

export interface HeartbeatOptions {
  prisma: PrismaClient;
  id: string;
  /** Where it takes SIP, host:port. */
  address: string;
  version: string;
  everyMs?: number;
  /** Calls in progress and state now. */
  report: () => Promise<{ activeCalls: number; state: RuntimeState }>;
  /** An admin asked for a drain (the flag on the row). */
  onDrainRequested: () => void;
  log: (line: string) => void;
}

export class Heartbeat {
  private timer: NodeJS.Timeout | undefined;
  private first = true;
  private beating: Promise<void> | undefined;
  private lastError = "";
  private stopped = false;

  constructor(private readonly o: HeartbeatOptions) {}

  start(): void {
    void this.beat();
    this.timer = setInterval(() => void this.beat(), this.o.everyMs ?? HEARTBEAT_MS);
    this.timer.unref();
  }

  /** Write the row now (one write at a time; a write in flight is awaited). */
  beat(): Promise<void> {
    if (this.beating) return this.beating;
    this.beating = this.write().finally(() => (this.beating = undefined));
    return this.beating;
  }

  private async write(forced?: RuntimeState): Promise<void> {
    let report: { activeCalls: number; state: RuntimeState };
    try {
      report = await this.o.report();
    } catch {
      report = { activeCalls: 0, state: "up" };
    }
    const state = forced ?? report.state;
    const now = new Date();
    const row = { address: this.o.address, version: this.o.version, activeCalls: report.activeCalls, state, lastHeartbeat: now };
    try {
      const saved = await this.o.prisma.runtimeNode.upsert({
        where: { id: this.o.id },
        create: { id: this.o.id, ...row, startedAt: now },
        // A runtime (re)starting takes its row back fresh: a drain asked of its predecessor is done.
        update: this.first ? { ...row, startedAt: now, drainRequested: false } : row,
        select: { drainRequested: true },
      });
      this.first = false;
      if (this.lastError) this.o.log("[cluster] heartbeat written again");
      this.lastError = "";
      if (saved.drainRequested && state === "up" && !this.stopped) this.o.onDrainRequested();
    } catch (e) {
      // Once per distinct error: the database may be away for a while (calls go on meanwhile).
      const msg = (e as Error)?.message?.split("\n")[0] ?? String(e);
      if (msg !== this.lastError) this.o.log(`[cluster] writing the heartbeat failed: ${msg}`);
      this.lastError = msg;
    }
  }

  /** No more beats; write the final state ("down" at a clean exit), giving up after timeoutMs. */
  async stop(finalState: RuntimeState = "down", timeoutMs = 2000): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    await this.beating;
    let t: NodeJS.Timeout | undefined;
    await Promise.race([this.write(finalState), new Promise((r) => (t = setTimeout(r, timeoutMs)))]);
    clearTimeout(t);
  }
}
