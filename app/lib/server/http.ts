// Route-handler plumbing: one error shape for every API answer, JSON body parsing with a
// clear 400 (and a 413 past the size limit, read no further than the limit), and a wrapper so
// an unexpected throw becomes a logged 500, never a crash.
import { bodyTooLargeMessage, readLimits } from "./limits";

export type ErrorCode =
  | "unauthenticated"
  | "forbidden"
  | "password_change_required"
  | "last_admin"
  | "not_found"
  | "invalid"
  | "conflict"
  | "setup_done"
  | "in_use"
  | "missing_on_server"
  | "overlap"
  | "too_large"
  | "misdirected"
  | "unavailable"
  | "too_many"
  | "internal";

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: ErrorCode,
    message: string,
    readonly extra: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = "ApiError";
  }
}

export const json = (body: unknown, status = 200, headers?: HeadersInit): Response => Response.json(body, { status, headers });

export const noContent = (headers?: HeadersInit): Response => new Response(null, { status: 204, headers });

export const errorResponse = (e: ApiError): Response => json({ error: e.code, message: e.message, ...e.extra }, e.status);

export const notFound = (what: string) => new ApiError(404, "not_found", `${what} was not found.`);
export const invalid = (message: string, extra?: Record<string, unknown>) => new ApiError(400, "invalid", message, extra);

export const tooLarge = (message: string) => new ApiError(413, "too_large", message);

/**
 * The body's bytes, refused with `tooBig()` once they pass maxBytes: a Content-Length over the
 * limit is refused before reading anything, a chunked body as soon as the limit is crossed.
 */
export async function readBodyCapped(req: Request, maxBytes: number, tooBig: (declared?: number) => ApiError): Promise<Buffer<ArrayBuffer>> {
  const declared = Number(req.headers.get("content-length") ?? NaN);
  if (declared > maxBytes) throw tooBig(declared);
  if (!req.body) return Buffer.alloc(0);
  const reader = req.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel().catch(() => undefined);
      throw tooBig();
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks, size);
}

/** The body as text, refused with 413 past maxBytes (see readBodyCapped). */
export async function readText(req: Request, maxBytes = readLimits().maxBodyBytes): Promise<string> {
  const body = await readBodyCapped(req, maxBytes, (declared) => tooLarge(bodyTooLargeMessage(maxBytes, declared)));
  return body.toString("utf8");
}

export async function readJson(req: Request): Promise<unknown> {
  const text = await readText(req);
  if (!text.trim()) return {};
  try {
    return JSON.parse(text);
  } catch (e) {
    throw invalid(`The request body is not valid JSON (${(e as Error).message}).`);
  }
}

/** Read a JSON object body; anything else is a 400. */
export async function readObject(req: Request): Promise<Record<string, unknown>> {
  const body = await readJson(req);
  if (typeof body !== "object" || body === null || Array.isArray(body)) throw invalid("The request body must be a JSON object.");
  return body as Record<string, unknown>;
}

export function optionalString(body: Record<string, unknown>, key: string, max = 10_000): string | undefined {
  const v = body[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== "string") throw invalid(`${key} must be a string.`);
  if (v.length > max) throw invalid(`${key} is too long (at most ${max} characters).`);
  return v;
}

export function requiredString(body: Record<string, unknown>, key: string, max = 10_000): string {
  const v = optionalString(body, key, max);
  if (v === undefined || !v.trim()) throw invalid(`${key} is required.`);
  return v.trim();
}

type Handler<C> = (req: Request, ctx: C) => Promise<Response>;

/** Wrap a route handler: ApiError -> its JSON answer; anything else -> logged 500. */
export function handler<C = unknown>(fn: Handler<C>): Handler<C> {
  return async (req, ctx) => {
    try {
      return await fn(req, ctx);
    } catch (e) {
      if (e instanceof ApiError) return errorResponse(e);
      console.error(`[api] ${req.method} ${new URL(req.url).pathname}:`, e);
      return json({ error: "internal", message: "The server failed to handle this request; see the server log." }, 500);
    }
  };
}

/** Route params arrive as a Promise in Next 15+. */
export type Params<K extends string> = { params: Promise<Record<K, string>> };
