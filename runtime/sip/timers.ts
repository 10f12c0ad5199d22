// Injected time for the SIP layer: a monotonic Clock and cancellable Timers, with a real
// implementation and a fake one that tests advance by hand (no real waits for Timers B/F/H).

export interface Clock {
  /** Monotonic milliseconds. */
  now(): number;
}

export interface TimerHandle {
  cancel(): void;
}

export interface Timers extends Clock {
  /** Run fn once after ms milliseconds. */
  after(ms: number, fn: () => void): TimerHandle;
}

/** RFC 3261 17.1.1.1 / table 4 base values, overridable per stack instance. */
export interface SipTimerConfig {
  T1: number;
  T2: number;
  T4: number;
}

export const DEFAULT_SIP_TIMERS: SipTimerConfig = { T1: 500, T2: 4000, T4: 5000 };

export function realTimers(): Timers {
  return {
    now: () => performance.now(),
    after(ms, fn) {
      const handle = setTimeout(fn, ms);
      // A pending retransmission must not keep the process alive on shutdown.
      handle.unref?.();
      return { cancel: () => clearTimeout(handle) };
    },
  };
}

interface FakeEntry {
  at: number;
  seq: number;
  fn: () => void;
  cancelled: boolean;
}

/** Deterministic timers: nothing runs until advance()/advanceAsync() moves time forward. */
export class FakeTimers implements Timers {
  private time = 0;
  private seq = 0;
  private queue: FakeEntry[] = [];

  now(): number {
    return this.time;
  }

  after(ms: number, fn: () => void): TimerHandle {
    const entry: FakeEntry = { at: this.time + Math.max(0, ms), seq: this.seq++, fn, cancelled: false };
    this.queue.push(entry);
    return { cancel: () => { entry.cancelled = true; } };
  }

  /** Number of timers still waiting. */
  get pending(): number {
    return this.queue.filter((e) => !e.cancelled).length;
  }

  private nextDue(until: number): FakeEntry | undefined {
    this.queue = this.queue.filter((e) => !e.cancelled);
    let best: FakeEntry | undefined;
    for (const e of this.queue) {
      if (e.at <= until && (!best || e.at < best.at || (e.at === best.at && e.seq < best.seq))) best = e;
    }
    return best;
  }

  /** Move time forward synchronously, firing due timers in order. */
  advance(ms: number): void {
    const until = this.time + ms;
    for (let e = this.nextDue(until); e; e = this.nextDue(until)) {
      this.queue.splice(this.queue.indexOf(e), 1);
      this.time = e.at;
      e.fn();
    }
    this.time = until;
  }

  /** Like advance(), but lets promise callbacks run after every timer (async hooks in the UA). */
  async advanceAsync(ms: number): Promise<void> {
    const until = this.time + ms;
    await flushMicrotasks();
    for (let e = this.nextDue(until); e; e = this.nextDue(until)) {
      this.queue.splice(this.queue.indexOf(e), 1);
      this.time = e.at;
      e.fn();
      await flushMicrotasks();
    }
    this.time = until;
    await flushMicrotasks();
  }
}

export function flushMicrotasks(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
