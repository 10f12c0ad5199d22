// Runs of untrusted flow code started from the designer (test-case runs, simulator calls) each
// hold a slot: a few per user, a few in total, so that one editor (or a stuck browser tab)
// cannot fill the machine with script processes. Next's bundle (the API) and server.mjs's
// bundle (the simulator's WebSocket) count against the same slots through one globalThis key.

export interface SlotLimits {
  perUser: number;
  total: number;
}

function envCount(name: string, fallback: number): number {
  const raw = process.env[name];
  const n = Number(raw);
  return raw !== undefined && /^\d+$/.test(raw.trim()) && n >= 1 ? n : fallback;
}

/** IVR_SANDBOX_RUNS_PER_USER (default 2) and IVR_SANDBOX_RUNS_TOTAL (default 6). */
export const slotLimits = (): SlotLimits => ({ perUser: envCount("IVR_SANDBOX_RUNS_PER_USER", 2), total: envCount("IVR_SANDBOX_RUNS_TOTAL", 6) });

interface Held {
  byUser: Map<string, number>;
  total: number;
}

const KEY = Symbol.for("ivr-studio.sandbox-slots");
const held = (): Held => ((globalThis as { [KEY]?: Held })[KEY] ??= { byUser: new Map(), total: 0 });

export type SlotGrant = { ok: true; release: () => void } | { ok: false; reason: string };

/** A slot for `userId`, or why not (the user's own runs, or everyone's, are at their cap). */
export function acquireSlot(userId: string, limits: SlotLimits = slotLimits()): SlotGrant {
  const h = held();
  const mine = h.byUser.get(userId) ?? 0;
  if (mine >= limits.perUser) return { ok: false, reason: `You already have ${mine} test run(s) or simulator call(s) going (at most ${limits.perUser}); wait for one to end.` };
  if (h.total >= limits.total) return { ok: false, reason: `The server is running ${h.total} test runs and simulator calls (at most ${limits.total}); try again shortly.` };
  h.byUser.set(userId, mine + 1);
  h.total++;
  let released = false;
  return {
    ok: true,
    release: () => {
      if (released) return;
      released = true;
      const n = (h.byUser.get(userId) ?? 1) - 1;
      if (n > 0) h.byUser.set(userId, n);
      else h.byUser.delete(userId);
      h.total--;
    },
  };
}

/** Slots held now (tests, stats). */
export function slotsInUse(): { total: number; byUser: Record<string, number> } {
  const h = held();
  return { total: h.total, byUser: Object.fromEntries(h.byUser) };
}
