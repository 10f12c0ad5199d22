// The live view of calls in progress (GET /api/calls/live, its server-sent events, an admin's
// hang-up): the runtime thread keeps each call's current node (runtime-thread.ts) and pushes the
// list when it changes; this side adds flow names and filters by flow.
import type { PrismaClient } from "../../../../prisma/generated/client/client";
import { ApiError, invalid } from "../http";
import type { LiveCall } from "./protocol";
import { runningRuntime, type RuntimeStatus } from "./registry";

export interface LiveCallView extends LiveCall {
  flowName: string | null;
}

const ID_RE = /^[A-Za-z0-9_-]{1,64}$/;

/** ?flowId= (optional): only the calls running that flow. */
export function parseLiveFilter(params: URLSearchParams): { flowId?: string } {
  const flowId = params.get("flowId")?.trim() || undefined;
  if (flowId && !ID_RE.test(flowId)) throw invalid(`"${flowId}" is not a flow id.`);
  return { flowId };
}

export function requireRuntime(): RuntimeStatus {
  const runtime = runningRuntime();
  if (!runtime) throw new ApiError(503, "unavailable", "The SIP runtime is not running in this server (IVR_RUNTIME=off, or it could not start: see the server log).");
  return runtime;
}

/** Flow names for live calls, remembered per viewer (a stream asks the database once per flow). */
export class FlowNames {
  private readonly names = new Map<string, string | null>();
  constructor(private readonly prisma: PrismaClient) {}

  async view(calls: LiveCall[], filter: { flowId?: string }): Promise<LiveCallView[]> {
    const shown = filter.flowId ? calls.filter((c) => c.flowId === filter.flowId) : calls;
    const missing = [...new Set(shown.map((c) => c.flowId).filter((id): id is string => !!id && !this.names.has(id)))];
    if (missing.length) {
      const rows = await this.prisma.flow.findMany({ where: { id: { in: missing } }, select: { id: true, name: true } });
      for (const id of missing) this.names.set(id, rows.find((r) => r.id === id)?.name ?? null);
    }
    // Oldest call first: the list stays in place as calls come and go.
    return shown
      .map((c) => ({ ...c, flowName: c.flowId ? (this.names.get(c.flowId) ?? null) : null }))
      .sort((a, b) => a.startedAt.localeCompare(b.startedAt) || a.callId.localeCompare(b.callId));
  }
}

/** How often an idle event stream sends a comment, so proxies and browsers keep it open. */
const KEEPALIVE_MS = 15_000;

/**
 * Server-sent events: `event: calls` with the live list (filtered) now and after every change.
 * Ends when the client goes away (the request's signal) or the server stops.
 */
export function liveEventStream(req: Request, runtime: RuntimeStatus, names: FlowNames, filter: { flowId?: string }): Response {
  const encoder = new TextEncoder();
  let cleanup = () => {};
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      let closed = false;
      let last = "";
      // Updates are serialised: a slow name lookup never reorders two lists.
      let chain = Promise.resolve();
      const send = (text: string) => {
        if (closed) return;
        try {
          controller.enqueue(encoder.encode(text));
        } catch {
          cleanup();
        }
      };
      const unsubscribe = runtime.watchLive((calls) => {
        chain = chain.then(async () => {
          const view = JSON.stringify(await names.view(calls, filter).catch(() => calls.map((c) => ({ ...c, flowName: null }))));
          if (view === last) return;
          last = view;
          send(`event: calls\ndata: ${view}\n\n`);
        });
      });
      const keepalive = setInterval(() => send(": keep-alive\n\n"), KEEPALIVE_MS);
      keepalive.unref?.();
      cleanup = () => {
        if (closed) return;
        closed = true;
        clearInterval(keepalive);
        unsubscribe();
        try {
          controller.close();
        } catch {
          /* already closed */
        }
      };
      send("retry: 2000\n\n");
      req.signal.addEventListener("abort", () => cleanup(), { once: true });
    },
    cancel() {
      cleanup();
    },
  });
  return new Response(body, {
    headers: {
      "content-type": "text/event-stream; charset=utf-8",
      // no-transform: compression would hold the events back.
      "cache-control": "no-cache, no-transform",
      "x-accel-buffering": "no",
    },
  });
}
