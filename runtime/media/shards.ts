// Which media worker a new stream goes to. Streams are spread over the workers by load (fewest live
// streams, ties in turn), except that streams sharing an affinity key — the legs of one bridged
// call — all go where the first of them went, so that relaying between them never crosses threads.

export class StreamPlacement {
  private readonly load: number[];
  private readonly alive: boolean[];
  private readonly byKey = new Map<string, { worker: number; slots: number }>();
  private readonly slots = new Map<number, { worker: number; key?: string }>();
  private nextSlot = 1;
  private turn = 0;

  constructor(readonly workers: number) {
    if (!Number.isInteger(workers) || workers < 1) throw new RangeError(`workers must be a positive integer, got ${workers}`);
    this.load = new Array(workers).fill(0);
    this.alive = new Array(workers).fill(true);
  }

  /**
   * Places a new stream, at once (so two streams of one key placed concurrently still meet): on the
   * worker its affinity key is already on, else on the least loaded live worker not in `exclude`
   * (workers that just refused it). Returns the placement's slot (give it back with release) and the
   * worker; undefined when no worker can take it.
   */
  place(affinity?: string, exclude?: ReadonlySet<number>): { slot: number; worker: number } | undefined {
    let worker: number | undefined;
    const pinned = affinity === undefined ? undefined : this.byKey.get(affinity);
    if (pinned) {
      if (!this.alive[pinned.worker] || exclude?.has(pinned.worker)) return undefined;
      worker = pinned.worker;
      pinned.slots++;
    } else {
      for (let i = 0; i < this.workers; i++) {
        const w = (this.turn + i) % this.workers;
        if (!this.alive[w] || exclude?.has(w)) continue;
        if (worker === undefined || this.load[w] < this.load[worker]) worker = w;
      }
      if (worker === undefined) return undefined;
      this.turn = (worker + 1) % this.workers;
      if (affinity !== undefined) this.byKey.set(affinity, { worker, slots: 1 });
    }
    this.load[worker]++;
    const slot = this.nextSlot++;
    this.slots.set(slot, { worker, key: affinity });
    return { slot, worker };
  }

  /** The stream closed (or could not be created): its worker has one stream less. */
  release(slot: number): void {
    const s = this.slots.get(slot);
    if (!s) return;
    this.slots.delete(slot);
    this.load[s.worker]--;
    if (s.key !== undefined) {
      const k = this.byKey.get(s.key)!;
      if (--k.slots === 0) this.byKey.delete(s.key);
    }
  }

  /** A worker that died takes no new streams. */
  markDead(worker: number): void {
    this.alive[worker] = false;
  }

  get anyAlive(): boolean {
    return this.alive.some(Boolean);
  }

  loads(): readonly number[] {
    return this.load;
  }
}

/**
 * Splits an inclusive port range into `parts` contiguous ranges of even-aligned size, one per
 * worker, so that workers never compete for a port. Each part holds at least one even port.
 */
export function splitPortRange(range: [number, number], parts: number): [number, number][] {
  const [lo, hi] = range;
  const firstEven = lo % 2 === 0 ? lo : lo + 1;
  const evens = hi >= firstEven ? Math.floor((hi - firstEven) / 2) + 1 : 0;
  if (evens < parts) throw new RangeError(`port range ${lo}-${hi} has ${evens} even ports, fewer than ${parts} media workers`);
  const out: [number, number][] = [];
  for (let i = 0; i < parts; i++) {
    const from = firstEven + 2 * Math.floor((i * evens) / parts);
    const toEven = firstEven + 2 * (Math.floor(((i + 1) * evens) / parts) - 1);
    out.push([i === 0 ? lo : from, i === parts - 1 ? hi : toEven + 1]);
  }
  return out;
}
