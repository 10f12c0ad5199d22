// Who wakes a stream when its next packet is due. Two strategies, chosen per media worker
// (IVR_MEDIA_PACER=timers|wheel; bench/media/talk.ts compares them):
//   - TimerPacer: one Node timer per stream, re-armed for every packet (the original design);
//   - WheelPacer: one timer per worker over a wheel of 1 ms slots; each stream sits in the slot of
//     its next deadline, and one wake-up serves every stream due in that millisecond.
// Either way a stream keeps its own absolute schedule (packet n at t0 + n * ptime): the wheel only
// batches the wake-ups, it never moves a deadline.
import { performance } from "node:perf_hooks";

export interface Paced {
  /**
   * Sends whatever is due at `now`; returns the next deadline (performance.now() ms), or undefined to
   * stop. It may be called up to 1 ms before a deadline (millisecond timers and slots) and must then
   * send that packet, so that every call makes progress.
   */
  onDue(now: number): number | undefined;
  /** The WheelPacer's bookkeeping: the slot (absolute ms) it waits in, undefined when not queued. */
  wheelSlot?: number;
}

export interface Pacer {
  /** Wake `p` at `due` (and then at whatever onDue returns). */
  add(p: Paced, due: number): void;
  remove(p: Paced): void;
  readonly size: number;
}

export class TimerPacer implements Pacer {
  private readonly timers = new Map<Paced, NodeJS.Timeout>();

  get size(): number {
    return this.timers.size;
  }

  add(p: Paced, due: number): void {
    this.remove(p);
    const fire = (): void => {
      const next = p.onDue(performance.now());
      if (next === undefined) this.timers.delete(p);
      else this.timers.set(p, setTimeout(fire, Math.max(0, next - performance.now())));
    };
    this.timers.set(p, setTimeout(fire, Math.max(0, due - performance.now())));
  }

  remove(p: Paced): void {
    const t = this.timers.get(p);
    if (t) clearTimeout(t);
    this.timers.delete(p);
  }
}

/** Slots cover this many milliseconds ahead (ptime is at most 120 ms). */
const WHEEL_SLOTS = 256;

export class WheelPacer implements Pacer {
  private readonly slots: Paced[][] = Array.from({ length: WHEEL_SLOTS }, () => []);
  private count = 0;
  /** The next slot (absolute ms) to serve. */
  private cursor: number;
  private timer: NodeJS.Timeout | undefined;
  private armedFor = Infinity;
  private spare: Paced[] = [];

  constructor(private readonly clock: () => number = () => performance.now()) {
    this.cursor = Math.floor(this.clock());
  }

  get size(): number {
    return this.count;
  }

  add(p: Paced, due: number): void {
    if (p.wheelSlot === undefined) this.count++;
    this.place(p, Math.floor(due));
    this.arm();
  }

  remove(p: Paced): void {
    if (p.wheelSlot === undefined) return;
    p.wheelSlot = undefined; // its slot entry is skipped lazily
    if (--this.count === 0 && this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
      this.armedFor = Infinity;
    }
  }

  private place(p: Paced, slot: number): void {
    // A slot at or behind the cursor is served on the next turn; never more than the wheel ahead.
    const s = Math.min(Math.max(slot, this.cursor), this.cursor + WHEEL_SLOTS - 1);
    p.wheelSlot = s;
    this.slots[s % WHEEL_SLOTS].push(p);
  }

  /** Serves every slot up to now. Exposed for tests; the timer calls it. */
  turn(now = this.clock()): void {
    const upTo = Math.floor(now);
    while (this.cursor <= upTo && this.count > 0) {
      const index = this.cursor % WHEEL_SLOTS;
      const due = this.slots[index];
      this.slots[index] = this.spare;
      const slot = this.cursor;
      this.cursor++; // what a stream re-queues lands in a later slot, never this one
      for (let i = 0; i < due.length; i++) {
        const p = due[i];
        if (p.wheelSlot !== slot) continue; // removed, or re-added elsewhere
        const next = p.onDue(now);
        if (p.wheelSlot !== slot) continue; // removed or re-added from inside onDue
        if (next === undefined) this.remove(p);
        else this.place(p, Math.floor(next));
      }
      due.length = 0;
      this.spare = due;
    }
    if (this.count === 0) this.cursor = Math.max(this.cursor, upTo + 1);
  }

  private readonly onTimer = (): void => {
    this.timer = undefined;
    this.armedFor = Infinity;
    this.turn();
    this.arm();
  };

  /** Sets the one timer for the earliest occupied slot. */
  private arm(): void {
    if (this.count === 0) return;
    let next = this.cursor;
    const last = this.cursor + WHEEL_SLOTS;
    while (next < last && this.slots[next % WHEEL_SLOTS].length === 0) next++;
    if (next >= this.armedFor) return;
    if (this.timer) clearTimeout(this.timer);
    this.armedFor = next;
    this.timer = setTimeout(this.onTimer, Math.max(0, next - this.clock()));
  }
}

export type PacerKind = "timers" | "wheel";

export function createPacer(kind: PacerKind): Pacer {
  return kind === "timers" ? new TimerPacer() : new WheelPacer();
}
