// REGISTER client for gateways with register=yes (RFC 3261 10.2), timed like FreeSWITCH's
// sofia_reg.c: refresh 15 s before the granted expiry (half of it for short ones), retry after
// retrySeconds (times the failures so far, except for 503 and timeouts), digest auth for 401/407,
// 423 answered with the registrar's Min-Expires, and an un-REGISTER (Expires: 0) on stop().
import { SipHeaders, createRequest, type SipResponse } from "./message";
import { formatVia, parseNameAddr, parseSipUri, type Via } from "./grammar";
import { buildAuthorization, pickChallenge, type DigestCredentials } from "./auth";
import { TypedEmitter } from "./emitter";
import { newBranch, randomToken, type LogFn, type TransactionLayer } from "./transaction";
import type { Endpoint, SipTransport } from "./transport";
import type { SipResolver } from "./resolver";
import type { TimerHandle, Timers } from "./timers";

export interface RegistrationOptions {
  /** Registrar `host[:port]` (the gateway's address, or its register-proxy). */
  registrar: string;
  /** Address-of-record user (the gateway account's username unless told). */
  user: string;
  /** AOR domain (default: the registrar host). */
  domain?: string;
  /** Credentials for the 401/407 challenge. */
  auth?: DigestCredentials;
  /** Requested binding lifetime in seconds (FreeSWITCH's expire-seconds, default 3600). */
  expires?: number;
  /** Wait before trying again after a failure (FreeSWITCH's retry-seconds, default 30 s). */
  retrySeconds?: number;
  /** User part of our Contact (default: the AOR user). */
  contactUser?: string;
}

export type RegistrationState = "unregistered" | "trying" | "registered" | "failed" | "stopped";

export type RegistrationEvents = {
  state: [state: RegistrationState];
  /** Registered or refreshed: the lifetime the registrar granted, in seconds. */
  registered: [info: { expires: number; response: SipResponse }];
  /** A REGISTER failed: status (408 for no answer, 503 DNS Error), and when the next try is due (ms). */
  failed: [info: { status: number; reason: string; retryInMs: number }];
};

export interface RegistrationContext {
  transport: SipTransport;
  transactions: TransactionLayer;
  timers: Timers;
  resolver: SipResolver;
  log: LogFn;
  serverName: string;
  /** Host put in our Contact. */
  contactHost: string;
}

const MAX_AUTH_ROUNDS = 3;

export class Registration extends TypedEmitter<RegistrationEvents> {
  state: RegistrationState = "unregistered";
  /** Granted lifetime of the current binding, seconds. */
  grantedExpires = 0;
  failures = 0;
  private readonly callId = `${randomToken(20)}`;
  private readonly fromTag = randomToken();
  private cseq = 1 + Math.floor(Math.random() * 1000);
  private timer?: TimerHandle;
  private stopped = false;
  private usedNonces = new Set<string>();
  private expires: number;
  private readonly registrarHost: string;
  private readonly registrarPort?: number;

  constructor(readonly options: RegistrationOptions, private readonly ctx: RegistrationContext) {
    super((event, err) => ctx.log("err", `registration ${options.user}@${options.registrar} '${event}' listener threw: ${(err as Error)?.stack ?? err}`));
    const m = /^([^:]+)(?::(\d{1,5}))?$/.exec(options.registrar);
    if (!m) throw new Error(`bad registrar address ${options.registrar}`);
    this.registrarHost = m[1];
    this.registrarPort = m[2] ? Number(m[2]) : undefined;
    this.expires = options.expires ?? 3600;
  }

  private get aor(): string {
    return `sip:${this.options.user}@${this.options.domain ?? this.registrarHost}`;
  }

  private get requestUri(): string {
    return `sip:${this.options.domain ?? this.registrarHost}`;
  }

  private setState(state: RegistrationState): void {
    if (this.state === state) return;
    this.state = state;
    this.emit("state", state);
  }

  /** Register now, then keep the binding fresh until stop(). */
  start(): void {
    if (this.stopped) return;
    void this.attempt(this.expires);
  }

  /** Stop refreshing and remove the binding (REGISTER with Expires: 0); resolves when answered or timed out. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.timer?.cancel();
    const wasRegistered = this.state === "registered";
    this.setState("stopped");
    if (wasRegistered) await this.attempt(0);
  }

  private schedule(ms: number): void {
    this.timer?.cancel();
    this.timer = this.ctx.timers.after(ms, () => void this.attempt(this.expires));
  }

  private async attempt(expires: number, authorization?: [string, string], authRounds = 0): Promise<void> {
    if (this.stopped && expires !== 0) return;
    if (expires !== 0) this.setState("trying");
    let destination: Endpoint;
    try {
      destination = await this.ctx.resolver.resolve(this.registrarHost, this.registrarPort);
    } catch (err) {
      return this.failed(503, "DNS Error", `${(err as Error)?.message ?? err}`);
    }
    const local = this.ctx.transport.local;
    const via: Via = { transport: "UDP", host: local.address, port: local.port, params: new Map([["branch", newBranch()], ["rport", null]]) };
    const headers = new SipHeaders()
      .append("Via", formatVia(via))
      .append("Max-Forwards", "70")
      .append("From", `<${this.aor}>;tag=${this.fromTag}`)
      .append("To", `<${this.aor}>`)
      .append("Call-ID", this.callId)
      .append("CSeq", `${this.cseq++} REGISTER`)
      .append("Contact", `<sip:${this.options.contactUser ?? this.options.user}@${this.ctx.contactHost}:${local.port}>`)
      .append("Expires", String(expires))
      .append("User-Agent", this.ctx.serverName);
    if (authorization) headers.append(authorization[0], authorization[1]);
    const tx = this.ctx.transactions.sendRequest(createRequest("REGISTER", this.requestUri, headers), destination);
    const result = await tx.result;
    if (result.kind !== "response") return expires === 0 ? undefined : this.failed(408, "Request Timeout", result.kind === "error" ? result.error : "no answer (Timer F)");
    const response = result.response;
    const status = response.status;
    if (status >= 200 && status < 300) {
      if (expires === 0) return;
      return this.succeeded(response);
    }
    if ((status === 401 || status === 407) && this.options.auth && authRounds < MAX_AUTH_ROUNDS) {
      const challenge = pickChallenge(response.headers.getAll(status === 407 ? "proxy-authenticate" : "www-authenticate"), this.options.auth.realm);
      if (challenge && (!this.usedNonces.has(challenge.nonce) || challenge.stale)) {
        this.usedNonces.add(challenge.nonce);
        const value = buildAuthorization(challenge, this.options.auth, "REGISTER", this.requestUri);
        return this.attempt(expires, [status === 407 ? "Proxy-Authorization" : "Authorization", value], authRounds + 1);
      }
    }
    if (status === 423 && expires !== 0) {
      // Interval Too Brief: ask again with the registrar's minimum.
      const min = Number(response.headers.get("min-expires"));
      if (Number.isInteger(min) && min > this.expires && min <= 86_400) {
        this.expires = min;
        return this.attempt(min, undefined, authRounds);
      }
    }
    if (expires === 0) return;
    this.failed(status, response.reason);
  }

  private succeeded(response: SipResponse): void {
    this.failures = 0;
    this.usedNonces.clear();
    const granted = grantedExpires(response, this.ctx.contactHost, this.ctx.transport.local.port) ?? this.expires;
    this.grantedExpires = granted;
    this.setState("registered");
    this.emit("registered", { expires: granted, response });
    // sofia_reg.c: refresh 15 s early, or at half time for short bindings.
    const refreshIn = granted > 30 ? granted - 15 : Math.max(1, granted / 2);
    this.schedule(refreshIn * 1000);
  }

  private failed(status: number, reason: string, detail?: string): void {
    if (this.stopped) return;
    this.failures++;
    const retry = this.options.retrySeconds ?? 30;
    const seconds = status === 503 || status === 408 ? retry : retry * this.failures;
    this.ctx.log("warning", `registration ${this.options.user}@${this.options.registrar} failed: ${status} ${reason}${detail ? ` (${detail})` : ""}; retry in ${seconds} s`);
    this.setState("failed");
    this.emit("failed", { status, reason, retryInMs: seconds * 1000 });
    this.schedule(seconds * 1000);
  }
}

/** The expires the registrar granted to our Contact (its Contact's expires, else the Expires header). */
function grantedExpires(response: SipResponse, host: string, port: number): number | undefined {
  for (const value of response.headers.getAll("contact")) {
    const parsed = parseNameAddr(value);
    const uri = parsed.ok ? parseSipUri(parsed.value.uri.raw) : undefined;
    if (!parsed.ok || !uri?.ok || uri.value.host !== host || (uri.value.port ?? 5060) !== port) continue;
    const expires = parsed.value.params.get("expires");
    if (expires && /^\d+$/.test(expires)) return Number(expires);
  }
  const header = response.headers.get("expires");
  return header && /^\d+$/.test(header.trim()) ? Number(header.trim()) : undefined;
}
