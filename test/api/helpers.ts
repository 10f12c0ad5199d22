// Shared by the API tests: a fresh embedded database per test file (PGlite in memory, or a
// real PostgreSQL database when the file asks for one), and a way to call route handlers
// directly with a Request, as Next.js does.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { openDatabase, setDatabase, closeDatabase, type Database } from "../../app/lib/server/db/client";
import { peerHeaderValue, PEER_HEADER } from "../../app/lib/server/auth/peer";
import { createSession, type PublicUser } from "../../app/lib/server/auth/session";
import { createUser } from "../../app/lib/server/auth/users";
import type { Role } from "../../prisma/generated/client/client";
import { migratedImage } from "../support/migrated-database";

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
process.env.IVR_ROOT = repoRoot;
process.env.IVR_MEDIA_DIR ??= mkdtempSync(path.join(tmpdir(), "ivr-media-"));

export const ORIGIN = "http://localhost:3000";

/** A fresh database for this file: PostgreSQL at url, else PGlite in memory from the run's migrated image. */
export async function startTestDatabase(url?: string): Promise<Database> {
  const db = await openDatabase(url ? { url } : { dataDir: "memory://", image: await migratedImage() });
  setDatabase(db);
  return db;
}

export const stopTestDatabase = () => closeDatabase();

export interface Caller {
  user: PublicUser;
  cookie: string;
}

let counter = 0;
/** A user with a live session, created straight in the database. */
export async function makeUser(db: Database, role: Role, name = `${role} ${++counter}`): Promise<Caller> {
  const user = await createUser(db.prisma, { email: `${role}${counter}-${Date.now()}@example.com`, name, password: "correct horse battery", role });
  const { token } = await createSession(db.prisma, user.id);
  return { user, cookie: `ivr_session=${token}` };
}

type RouteFn = (req: Request, ctx: { params: Promise<Record<string, string>> }) => Promise<Response>;

export interface CallOptions {
  as?: Caller;
  body?: unknown;
  /** Raw body text (for bad JSON). */
  raw?: string;
  params?: Record<string, string>;
  bearer?: string;
  /** Origin header; defaults to this server's origin for cookie calls. null: send none. */
  origin?: string | null;
  /** Socket address the custom server would report. */
  peer?: string;
  query?: string;
  method?: string;
  /** Host header (default localhost:3000). */
  host?: string;
  /** A streamed body (sent chunked: no Content-Length). */
  stream?: ReadableStream<Uint8Array>;
}

export interface CallResult<T = any> {
  status: number;
  body: T;
  headers: Headers;
  bytes: Uint8Array;
}

export async function call<T = any>(fn: unknown, method: string, urlPath: string, o: CallOptions = {}): Promise<CallResult<T>> {
  const headers = new Headers({ host: o.host ?? "localhost:3000" });
  if (o.as) headers.set("cookie", o.as.cookie);
  if (o.bearer) headers.set("authorization", `Bearer ${o.bearer}`);
  const origin = o.origin === undefined ? (o.as && method !== "GET" ? ORIGIN : null) : o.origin;
  if (origin) headers.set("origin", origin);
  if (o.peer) headers.set(PEER_HEADER, peerHeaderValue(o.peer));
  let body: string | undefined;
  if (o.raw !== undefined) body = o.raw;
  else if (o.body !== undefined) body = JSON.stringify(o.body);
  if (body !== undefined) headers.set("content-type", "application/json");
  const init: RequestInit & { duplex?: "half" } = o.stream ? { method, headers, body: o.stream, duplex: "half" } : { method, headers, body };
  const req = new Request(`${ORIGIN}${urlPath}${o.query ? `?${o.query}` : ""}`, init);
  const res = await (fn as RouteFn)(req, { params: Promise.resolve(o.params ?? {}) });
  const bytes = new Uint8Array(await res.arrayBuffer());
  const text = new TextDecoder().decode(bytes);
  let parsed: unknown = text;
  if ((res.headers.get("content-type") ?? "").includes("json") && text) parsed = JSON.parse(text);
  return { status: res.status, body: parsed as T, headers: res.headers, bytes };
}
