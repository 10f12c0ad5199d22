// The cluster as the designer sees it: the runtimes that share this database (their heartbeat
// rows, RuntimeNode) and an admin's drain request. The designer never connects to a runtime: it
// reads what each one last wrote, and a drain is a flag the runtime picks up on its next
// heartbeat (app/lib/server/runtime/heartbeat.ts).
import type { PrismaClient } from "../../../../prisma/generated/client/client";
import { ApiError, notFound } from "../http";
import { STALE_AFTER_MS, type RuntimeState } from "./heartbeat";

export interface RuntimeNodeView {
  id: string;
  address: string;
  version: string;
  /** As of the last heartbeat (0 once down). */
  activeCalls: number;
  /** up | draining | down: down when it said so at exit, or its heartbeat is older than staleAfterMs. */
  state: RuntimeState;
  /** An admin asked it to drain and it has not yet said it is draining. */
  drainRequested: boolean;
  startedAt: string;
  lastHeartbeat: string;
  /** Seconds since the last heartbeat, at the time of the request. */
  heartbeatAgeSeconds: number;
}

export async function listRuntimes(prisma: PrismaClient, now = new Date()): Promise<{ runtimes: RuntimeNodeView[]; staleAfterSeconds: number }> {
  const rows = await prisma.runtimeNode.findMany({ orderBy: { id: "asc" } });
  const runtimes = rows.map((r): RuntimeNodeView => {
    const age = now.getTime() - r.lastHeartbeat.getTime();
    const down = r.state === "down" || age > STALE_AFTER_MS;
    const state: RuntimeState = down ? "down" : r.state === "draining" ? "draining" : "up";
    return {
      id: r.id,
      address: r.address,
      version: r.version,
      activeCalls: down ? 0 : r.activeCalls,
      state,
      drainRequested: r.drainRequested && state === "up",
      startedAt: r.startedAt.toISOString(),
      lastHeartbeat: r.lastHeartbeat.toISOString(),
      heartbeatAgeSeconds: Math.max(0, Math.round(age / 100) / 10),
    };
  });
  return { runtimes, staleAfterSeconds: STALE_AFTER_MS / 1000 };
}

/** Ask a runtime to drain (it sees the flag within a heartbeat). 409 when it is down already. */
export async function requestDrain(prisma: PrismaClient, id: string, now = new Date()): Promise<RuntimeNodeView> {
  const { runtimes } = await listRuntimes(prisma, now);
  const node = runtimes.find((r) => r.id === id);
  if (!node) throw notFound(`Runtime ${JSON.stringify(id)}`);
  if (node.state === "down") throw new ApiError(409, "conflict", `Runtime ${id} is down (no heartbeat for ${node.heartbeatAgeSeconds} s): there is nothing to drain.`);
  await prisma.runtimeNode.update({ where: { id }, data: { drainRequested: true } });
  return { ...node, drainRequested: node.state === "up" };
}
