// The call log: one JSON object per line, the same schema for the JSONL file and the
// database rows. `ts` and `ms` are left out when traces are compared.
import { createWriteStream, type WriteStream } from "node:fs";
import type { MethodRecord } from "./session";

export type CallLogEntry =
  | { ts: string; callId: string; seq: number; node: string | null; method: string; args: unknown[]; result: unknown; ms: number; error?: string }
  | { ts: string; callId: string; seq: number; event: "start"; from: string; to: string; [k: string]: unknown }
  | { ts: string; callId: string; seq: number; event: "end"; cause: string; [k: string]: unknown };

export type CallLogSink = (entry: CallLogEntry) => void;

/** JSON-safe copy: undefined becomes null inside arrays, numbers stay plain numbers. */
function plain(v: unknown): unknown {
  if (v === undefined) return null;
  if (typeof v === "function") return "[function]";
  if (Array.isArray(v)) return v.map(plain);
  if (v && typeof v === "object") return JSON.parse(JSON.stringify(v));
  return v;
}

/** Per-call logger: numbers entries and feeds a sink. */
export class CallLogger {
  private seq = 0;
  constructor(
    readonly callId: string,
    private readonly sink: CallLogSink,
  ) {}

  start(from: string, to: string, extra: Record<string, unknown> = {}): void {
    this.sink({ ts: new Date().toISOString(), callId: this.callId, seq: this.seq++, event: "start", from, to, ...extra });
  }

  method(r: MethodRecord): void {
    this.sink({
      ts: new Date().toISOString(),
      callId: this.callId,
      seq: this.seq++,
      node: r.node ?? null,
      method: r.method,
      args: plain(r.args) as unknown[],
      result: plain(r.result),
      ms: r.ms,
      ...(r.error ? { error: r.error } : {}),
    });
  }

  end(cause: string, extra: Record<string, unknown> = {}): void {
    this.sink({ ts: new Date().toISOString(), callId: this.callId, seq: this.seq++, event: "end", cause, ...extra });
  }
}

/** Appends entries to a JSONL file. */
export class JsonlCallLog {
  private readonly out: WriteStream;
  constructor(path: string) {
    this.out = createWriteStream(path, { flags: "a" });
  }
  readonly write: CallLogSink = (entry) => {
    this.out.write(`${JSON.stringify(entry)}\n`);
  };
  close(): Promise<void> {
    return new Promise((r) => this.out.end(r));
  }
}

/** Strip the fields that differ between runs, for comparing traces. */
export function comparableTrace(entries: CallLogEntry[]): unknown[] {
  return entries.map(({ ts: _ts, ...rest }) => {
    const r = rest as Record<string, unknown>;
    delete r.ms;
    delete r.callId;
    return r;
  });
}
