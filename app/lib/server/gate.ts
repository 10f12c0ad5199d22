// The checks server.mjs makes on every request before Next.js sees it: the peer address is
// taken from the socket (never from a header a client sent), the Host must be on the allow-list
// (421 otherwise), and an API body whose declared size is over the limit is refused (413)
// before a byte of it is read. Handlers still enforce the limit on chunked bodies (readText).
import type { IncomingMessage, ServerResponse } from "node:http";
import { PEER_HEADER, peerHeaderValue } from "./auth/peer";
import { hostRefusal, isAllowedHost } from "./hosts";
import { bodyTooLargeMessage, readLimits } from "./limits";

type Env = Record<string, string | undefined>;

export interface Refusal {
  status: number;
  error: string;
  message: string;
}

/**
 * Bodies a JSON handler reads (readJson ignores the type, so "none" and text count too);
 * multipart and binary uploads are left to the handler that takes them, with its own limit.
 */
const JSON_LIKE = /^(?:application\/(?:[\w.+-]*\+)?json|text\/|application\/x-www-form-urlencoded)/i;

/** Why this request must not reach the app, or undefined when it may. */
export function refusalFor(req: { method?: string; url?: string; headers: IncomingMessage["headers"] }, env: Env = process.env): Refusal | undefined {
  const host = req.headers.host;
  if (!isAllowedHost(host, env)) return { status: 421, error: "misdirected", message: hostRefusal(host, env) };
  const path = (req.url ?? "/").split("?")[0];
  const length = Number(req.headers["content-length"] ?? NaN);
  const type = req.headers["content-type"] ?? "";
  if (path.startsWith("/api/") && Number.isFinite(length) && (!type || JSON_LIKE.test(type))) {
    const { maxBodyBytes } = readLimits(env);
    if (length > maxBodyBytes) return { status: 413, error: "too_large", message: bodyTooLargeMessage(maxBodyBytes, length) };
  }
  return undefined;
}

type NodeHandler = (req: IncomingMessage, res: ServerResponse) => void;

/**
 * Wrap the app's request handler with the gate. A refused request's body is never buffered:
 * Node discards whatever of it still arrives, and the connection stays usable.
 */
export function gatedHandler(handle: (req: IncomingMessage, res: ServerResponse) => Promise<unknown> | void, env: Env = process.env): NodeHandler {
  return (req, res) => {
    // The peer address comes from the socket only; whatever a client sent in this header
    // (or in X-Forwarded-For) is replaced, so "localhost" cannot be forged.
    req.headers[PEER_HEADER] = peerHeaderValue(req.socket.remoteAddress ?? "");
    const refusal = refusalFor(req, env);
    if (refusal) {
      const api = (req.url ?? "").startsWith("/api/");
      const body = api ? JSON.stringify({ error: refusal.error, message: refusal.message }) : `${refusal.message}\n`;
      res.writeHead(refusal.status, { "content-type": api ? "application/json" : "text/plain; charset=utf-8", "content-length": Buffer.byteLength(body) });
      res.end(body);
      return;
    }
    Promise.resolve(handle(req, res)).catch((e) => {
      console.error("[server] request failed:", e);
      if (!res.headersSent) res.writeHead(500).end("Internal error");
    });
  };
}
