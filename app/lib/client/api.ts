// Thin JSON client for the REST API (see notes/api-contract.md). Every non-2xx answer
// becomes an ApiError carrying the server's { error, message, ...extra } body.
import type { Diagnostic } from "../../../flow/diagnostics";

export type Role = "admin" | "editor" | "viewer";
export interface User {
  id: string;
  email: string;
  name: string;
  role: Role;
}
// The API's shapes, as the server declares them (type-only: no server code reaches the browser).
export type { FlowDetail, FlowSummary } from "../server/flows/store";
export type { FlowVersionSummary } from "../server/flows/publish";
export type { RouteView as RouteRecord } from "../server/routes/store";
export type { FlowChange as DiffChange } from "../../../flow/diff";

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly body: Record<string, unknown>,
  ) {
    super(message);
    this.name = "ApiError";
  }
  get diagnostics(): Diagnostic[] {
    return Array.isArray(this.body.diagnostics) ? (this.body.diagnostics as Diagnostic[]) : [];
  }
}

export async function api<T>(method: string, url: string, body?: unknown): Promise<T> {
  let res: Response;
  try {
    res = await fetch(url, {
      method,
      headers: body === undefined ? undefined : { "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: "same-origin",
    });
  } catch (e) {
    throw new ApiError(0, "network", `The server could not be reached (${(e as Error).message}).`, {});
  }
  if (res.status === 204) return undefined as T;
  const text = await res.text();
  let data: Record<string, unknown> = {};
  try {
    data = text ? (JSON.parse(text) as Record<string, unknown>) : {};
  } catch {
    data = { message: text.slice(0, 200) };
  }
  if (!res.ok) {
    const message = typeof data.message === "string" ? data.message : `Request failed (HTTP ${res.status}).`;
    throw new ApiError(res.status, typeof data.error === "string" ? data.error : "http_error", message, data);
  }
  return data as T;
}

export const errorText = (e: unknown): string => (e instanceof Error ? e.message : String(e));

/** Save a blob the browser got from us as a file. */
export function downloadBlob(blob: Blob, fileName: string): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement("a");
  a.href = url;
  a.download = fileName;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

/** A safe file-name stem from a flow name. */
export const fileStem = (name: string) => name.replace(/[^A-Za-z0-9._-]+/g, "-").replace(/^-+|-+$/g, "") || "flow";
