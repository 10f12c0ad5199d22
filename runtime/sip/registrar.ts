// REGISTER server for local users (RFC 3261 10.3) with digest authentication, like FreeSWITCH's
// directory users: extension NUMBER with a password registers its phone, and the location table
// remembers where (its Contact, and the address the REGISTER came from, for NATed phones) until
// the binding expires. Dialling `user/NUMBER` later looks it up here.
import type { SipRequest } from "./message";
import { parseNameAddr, parseSipUri } from "./grammar";
import { buildResponse } from "./response";
import { DigestServer, type DigestAlgorithm } from "./auth";
import { TypedEmitter } from "./emitter";
import { randomToken, type LogFn, type NonInviteServerTransaction } from "./transaction";
import type { Endpoint } from "./transport";
import type { TimerHandle, Timers } from "./timers";

export interface RegistrarOptions {
  /** Digest realm and the domain users belong to (FreeSWITCH: the domain; default: our address). */
  realm: string;
  /** The password of a local user, or undefined when there is no such user. Called per REGISTER. */
  password(user: string): string | undefined;
  /** Digest algorithms offered, preferred first (default ["MD5"]; add "SHA-256" for RFC 8760 phones). */
  algorithms?: DigestAlgorithm[];
  /** Expires when the phone asks for none (default 3600 s). */
  defaultExpires?: number;
  /** Longest binding granted (default 3600 s): longer requests are shortened. */
  maxExpires?: number;
  /** Shorter requests get 423 Interval Too Brief (default 60 s). */
  minExpires?: number;
  /** Most contacts kept per user (default 10): the oldest goes. */
  maxContactsPerUser?: number;
  /** Failed authentications from one address before it is refused for `lockoutMs` (default 10 per minute). */
  maxAuthFailures?: number;
  lockoutMs?: number;
  nonceTtlMs?: number;
  timers: Timers;
  log: LogFn;
  serverName: string;
}

export interface Binding {
  user: string;
  /** The Contact URI to send requests to. */
  contact: string;
  /** Where the REGISTER came from: send there (a phone behind NAT cannot be reached at its Contact). */
  source: Endpoint;
  callId: string;
  cseq: number;
  /** Clock time (ms, the stack's Timers) when the binding lapses. */
  expiresAt: number;
  userAgent?: string;
}

export type RegistrarEvents = {
  registered: [binding: Binding];
  /** A binding ended: removed by the phone (Expires 0), expired, or replaced by a newer one. */
  unregistered: [binding: Binding, why: "removed" | "expired" | "replaced"];
  /** A REGISTER was refused (wrong password, unknown user, locked out). */
  refused: [info: { user: string; source: Endpoint; status: number; reason: string }];
};

export class Registrar extends TypedEmitter<RegistrarEvents> {
  private readonly digest: DigestServer;
  private readonly bindings = new Map<string, Array<Binding & { timer: TimerHandle }>>();
  private readonly failures = new Map<string, { count: number; since: number; lockedUntil?: number }>();
  private readonly o: Required<Omit<RegistrarOptions, "algorithms" | "nonceTtlMs">> & Pick<RegistrarOptions, "algorithms" | "nonceTtlMs">;

  constructor(options: RegistrarOptions) {
    super((event, err) => options.log("err", `registrar '${event}' listener threw: ${(err as Error)?.stack ?? err}`));
    this.o = {
      defaultExpires: 3600, maxExpires: 3600, minExpires: 60, maxContactsPerUser: 10, maxAuthFailures: 10, lockoutMs: 60_000,
      ...options,
    };
    this.digest = new DigestServer({ realm: options.realm, algorithms: options.algorithms, nonceTtlMs: options.nonceTtlMs, clock: options.timers });
  }

  get realm(): string {
    return this.o.realm;
  }

  /** Current bindings of a user, the most recently registered first. */
  lookup(user: string): Binding[] {
    const now = this.o.timers.now();
    return (this.bindings.get(user) ?? [])
      .filter((b) => b.expiresAt > now)
      .sort((a, b) => b.expiresAt - a.expiresAt)
      .map(({ timer: _timer, ...b }) => b);
  }

  /** Every user with at least one binding. */
  get users(): string[] {
    return [...this.bindings.keys()];
  }

  /** @internal A REGISTER from the UA. */
  handle(request: SipRequest, source: Endpoint, tx: NonInviteServerTransaction): void {
    const reply = (status: number, headers: Array<[string, string]> = [], reason?: string) =>
      tx.respond(buildResponse(request, status, { toTag: randomToken(), reason, headers: [["Server", this.o.serverName], ...headers] }));
    const to = parseNameAddr(request.headers.get("to") ?? "");
    const aor = to.ok ? to.value.uri.sip : undefined;
    if (!aor || !aor.user) return void reply(404, [], "Not Found - To must name a sip: user");
    const user = decodeUser(aor.user);

    const key = source.address;
    const now = this.o.timers.now();
    const failure = this.failures.get(key);
    if (failure?.lockedUntil && failure.lockedUntil > now) {
      this.emit("refused", { user, source, status: 403, reason: "locked out" });
      return void reply(403, [], "Forbidden - too many failed attempts");
    }

    const answer = request.headers.get("authorization");
    if (!answer) return void reply(401, this.digest.challenge().map((c) => ["WWW-Authenticate", c] as [string, string]));
    const verdict = this.digest.verify(answer, "REGISTER", (name) => this.o.password(name));
    if (!verdict.ok) {
      if (verdict.stale) return void reply(401, this.digest.challenge(true).map((c) => ["WWW-Authenticate", c] as [string, string]));
      this.countFailure(key, now);
      this.o.log("warning", `REGISTER for ${user} from ${source.address}:${source.port} refused: ${verdict.reason}`);
      this.emit("refused", { user, source, status: 403, reason: verdict.reason });
      return void reply(403, [], "Forbidden");
    }
    // A user registers only their own extension (FreeSWITCH compares the auth user with the To user).
    if (verdict.username !== user) {
      this.emit("refused", { user, source, status: 403, reason: `authenticated as ${verdict.username}` });
      return void reply(403, [], "Forbidden - authenticated user does not match To");
    }
    this.failures.delete(key);

    const callId = request.headers.get("call-id") ?? "";
    const cseq = Number(/^\s*(\d+)/.exec(request.headers.get("cseq") ?? "")?.[1] ?? 0);
    const headerExpires = request.headers.get("expires");
    const contacts = request.headers.getAll("contact");
    const current = this.bindings.get(user) ?? [];

    if (contacts.length === 1 && contacts[0].trim() === "*") {
      // RFC 3261 10.3 step 6: "*" only with Expires: 0 removes every binding of the user.
      if (headerExpires?.trim() !== "0") return void reply(400, [], "Bad Request - Contact * needs Expires: 0");
      for (const b of [...current]) this.remove(user, b.contact, "removed");
      return void reply(200);
    }

    const updates: Array<{ contact: string; expires: number }> = [];
    for (const value of contacts) {
      const parsed = parseNameAddr(value);
      if (!parsed.ok || !parsed.value.uri.sip) return void reply(400, [], "Bad Request - unusable Contact");
      const asked = parsed.value.params.get("expires") ?? headerExpires;
      let expires = asked !== undefined && asked !== null && /^\d+$/.test(asked.trim()) ? Number(asked.trim()) : this.o.defaultExpires;
      if (expires > 0 && expires < this.o.minExpires) {
        return void reply(423, [["Min-Expires", String(this.o.minExpires)]]);
      }
      expires = Math.min(expires, this.o.maxExpires);
      updates.push({ contact: parsed.value.uri.raw, expires });
    }
    for (const { contact, expires } of updates) {
      const existing = current.find((b) => sameContact(b.contact, contact));
      // RFC 3261 10.3 step 7: the same Call-ID with a CSeq not higher is an old request.
      if (existing && existing.callId === callId && cseq <= existing.cseq) return void reply(500, [], "Server Internal Error - out of order REGISTER");
    }
    for (const { contact, expires } of updates) {
      if (expires === 0) {
        this.remove(user, contact, "removed");
        continue;
      }
      this.bind({ user, contact, source: { ...source }, callId, cseq, expiresAt: now + expires * 1000, userAgent: request.headers.get("user-agent") });
    }
    const granted = this.lookup(user).map((b) => ["Contact", `<${b.contact}>;expires=${Math.max(0, Math.round((b.expiresAt - now) / 1000))}`] as [string, string]);
    reply(200, granted);
  }

  private bind(binding: Binding): void {
    const list = this.bindings.get(binding.user) ?? [];
    const old = list.find((b) => sameContact(b.contact, binding.contact));
    if (old) {
      old.timer.cancel();
      list.splice(list.indexOf(old), 1);
    }
    const timer = this.o.timers.after(binding.expiresAt - this.o.timers.now(), () => this.remove(binding.user, binding.contact, "expired"));
    list.push({ ...binding, timer });
    while (list.length > this.o.maxContactsPerUser) {
      const oldest = list.shift()!;
      oldest.timer.cancel();
      const { timer: _t, ...gone } = oldest;
      this.emit("unregistered", gone, "replaced");
    }
    this.bindings.set(binding.user, list);
    if (!old) this.o.log("info", `${binding.user} registered at ${binding.contact} from ${binding.source.address}:${binding.source.port}`);
    this.emit("registered", binding);
  }

  private remove(user: string, contact: string, why: "removed" | "expired"): void {
    const list = this.bindings.get(user);
    const found = list?.find((b) => sameContact(b.contact, contact));
    if (!list || !found) return;
    found.timer.cancel();
    list.splice(list.indexOf(found), 1);
    if (!list.length) this.bindings.delete(user);
    const { timer: _t, ...gone } = found;
    this.o.log("info", `${user} unregistered (${why}) from ${contact}`);
    this.emit("unregistered", gone, why);
  }

  private countFailure(key: string, now: number): void {
    // Many source addresses (a scan) must not grow the table without bound: forget settled ones.
    if (this.failures.size > 10_000) {
      for (const [k, v] of this.failures) if ((v.lockedUntil ?? v.since + this.o.lockoutMs) < now) this.failures.delete(k);
    }
    const entry = this.failures.get(key);
    const fresh = !entry || now - entry.since > this.o.lockoutMs;
    const next = fresh ? { count: 1, since: now } : { ...entry!, count: entry!.count + 1 };
    if (next.count >= this.o.maxAuthFailures) {
      this.o.log("warning", `REGISTER from ${key}: ${next.count} failed attempts, refusing it for ${this.o.lockoutMs} ms`);
      this.failures.set(key, { count: 0, since: now, lockedUntil: now + this.o.lockoutMs });
      return;
    }
    this.failures.set(key, next);
  }

  /** Forget every binding (stack shutdown). */
  clear(): void {
    for (const list of this.bindings.values()) for (const b of list) b.timer.cancel();
    this.bindings.clear();
  }
}

/** RFC 3261 19.1.4 comparison, reduced to what matters for bindings: scheme, user, host, port. */
function sameContact(a: string, b: string): boolean {
  if (a === b) return true;
  const x = parseSipUri(a);
  const y = parseSipUri(b);
  if (!x.ok || !y.ok) return false;
  return x.value.scheme === y.value.scheme && x.value.user === y.value.user
    && x.value.host.toLowerCase() === y.value.host.toLowerCase() && (x.value.port ?? 5060) === (y.value.port ?? 5060);
}

function decodeUser(user: string): string {
  try {
    return decodeURIComponent(user);
  } catch {
    return user;
  }
}
