// HTTP Digest authentication for SIP (RFC 2617, RFC 7616, RFC 8760): answering a 401/407
// challenge as a client (MD5, SHA-256 and their -sess forms, qop=auth or none), and challenging
// and checking requests as a server (signed, expiring nonces; nc replay check).
import { createHash, createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import type { Clock } from "./timers";

export type DigestAlgorithm = "MD5" | "MD5-sess" | "SHA-256" | "SHA-256-sess";
const ALGORITHMS: readonly DigestAlgorithm[] = ["MD5", "MD5-sess", "SHA-256", "SHA-256-sess"];

export interface DigestChallenge {
  realm: string;
  nonce: string;
  algorithm: DigestAlgorithm;
  /** The qop options offered ("auth", "auth-int"), empty for an RFC 2069 challenge. */
  qop: string[];
  opaque?: string;
  stale: boolean;
}

export interface DigestCredentials {
  username: string;
  password: string;
  /** Answer only challenges of this realm (default: any). */
  realm?: string;
}

/** auth-param list: name=token or name="quoted", comma separated. Undefined when malformed. */
export function parseAuthParams(text: string): Map<string, string> | undefined {
  const params = new Map<string, string>();
  let i = 0;
  const skip = () => { while (i < text.length && /[\s,]/.test(text[i])) i++; };
  skip();
  while (i < text.length) {
    const name = /^[A-Za-z0-9\-_.!%*+`'~]+/.exec(text.slice(i));
    if (!name) return undefined;
    i += name[0].length;
    while (text[i] === " " || text[i] === "\t") i++;
    if (text[i] !== "=") return undefined;
    i++;
    while (text[i] === " " || text[i] === "\t") i++;
    let value = "";
    if (text[i] === '"') {
      i++;
      for (; i < text.length && text[i] !== '"'; i++) {
        if (text[i] === "\\" && i + 1 < text.length) i++;
        value += text[i];
      }
      if (text[i] !== '"') return undefined;
      i++;
    } else {
      const token = /^[^\s,]+/.exec(text.slice(i));
      if (!token) return undefined;
      value = token[0];
      i += token[0].length;
    }
    params.set(name[0].toLowerCase(), value);
    skip();
  }
  return params;
}

/** A `Digest ...` challenge (WWW-Authenticate / Proxy-Authenticate), or undefined if not one we can answer. */
export function parseChallenge(value: string): DigestChallenge | undefined {
  const m = /^\s*Digest\s+([\s\S]*)$/i.exec(value);
  if (!m) return undefined;
  const p = parseAuthParams(m[1]);
  if (!p) return undefined;
  const realm = p.get("realm");
  const nonce = p.get("nonce");
  if (realm === undefined || !nonce) return undefined;
  const algorithm = ALGORITHMS.find((a) => a.toLowerCase() === (p.get("algorithm") ?? "MD5").toLowerCase());
  if (!algorithm) return undefined;
  const qop = (p.get("qop") ?? "").split(",").map((q) => q.trim().toLowerCase()).filter(Boolean);
  // We answer qop=auth, or a challenge without qop; auth-int alone is not offered by SIP servers in practice.
  if (qop.length && !qop.includes("auth")) return undefined;
  return { realm, nonce, algorithm, qop, opaque: p.get("opaque"), stale: (p.get("stale") ?? "").toLowerCase() === "true" };
}

/** The first challenge we can answer, in the server's order of preference (RFC 8760 2.4). */
export function pickChallenge(values: string[], realm?: string): DigestChallenge | undefined {
  for (const value of values) {
    const challenge = parseChallenge(value);
    if (challenge && (realm === undefined || challenge.realm === realm)) return challenge;
  }
  return undefined;
}

function hashHex(algorithm: DigestAlgorithm, text: string): string {
  return createHash(algorithm.startsWith("SHA-256") ? "sha256" : "md5").update(text, "utf8").digest("hex");
}

export interface DigestInput {
  algorithm: DigestAlgorithm;
  username: string;
  password: string;
  realm: string;
  nonce: string;
  method: string;
  uri: string;
  /** "auth", or undefined for an RFC 2069 exchange. */
  qop?: "auth";
  nc?: string;
  cnonce?: string;
}

/** request-digest of RFC 7616 3.4.1 (RFC 2617 3.2.2 for MD5). */
export function digestResponse(d: DigestInput): string {
  let ha1 = hashHex(d.algorithm, `${d.username}:${d.realm}:${d.password}`);
  if (d.algorithm.endsWith("-sess")) ha1 = hashHex(d.algorithm, `${ha1}:${d.nonce}:${d.cnonce ?? ""}`);
  const ha2 = hashHex(d.algorithm, `${d.method}:${d.uri}`);
  return d.qop
    ? hashHex(d.algorithm, `${ha1}:${d.nonce}:${d.nc}:${d.cnonce}:${d.qop}:${ha2}`)
    : hashHex(d.algorithm, `${ha1}:${d.nonce}:${ha2}`);
}

const quote = (s: string) => `"${s.replace(/["\\]/g, (c) => "\\" + c)}"`;

/** The Authorization / Proxy-Authorization value answering `challenge` for one request. */
export function buildAuthorization(
  challenge: DigestChallenge, credentials: DigestCredentials, method: string, uri: string,
  options: { nc?: number; cnonce?: string } = {},
): string {
  const qop = challenge.qop.includes("auth") ? "auth" as const : undefined;
  const nc = (options.nc ?? 1).toString(16).padStart(8, "0");
  const cnonce = options.cnonce ?? randomBytes(12).toString("hex");
  const response = digestResponse({
    algorithm: challenge.algorithm, username: credentials.username, password: credentials.password,
    realm: challenge.realm, nonce: challenge.nonce, method, uri, qop, nc, cnonce,
  });
  const parts = [
    `username=${quote(credentials.username)}`, `realm=${quote(challenge.realm)}`, `nonce=${quote(challenge.nonce)}`,
    `uri=${quote(uri)}`, `response=${quote(response)}`, `algorithm=${challenge.algorithm}`,
  ];
  if (qop) parts.push(`cnonce=${quote(cnonce)}`, `qop=${qop}`, `nc=${nc}`);
  if (challenge.opaque !== undefined) parts.push(`opaque=${quote(challenge.opaque)}`);
  return `Digest ${parts.join(", ")}`;
}

// ---------------------------------------------------------------------------------------------
// Server side

export interface DigestServerOptions {
  realm: string;
  /** Algorithms offered, in order of preference (default MD5 only: older phones pick the first challenge). */
  algorithms?: DigestAlgorithm[];
  /** How long a nonce stays good (default 60 s, FreeSWITCH's nonce-ttl). */
  nonceTtlMs?: number;
  clock: Clock;
  /** HMAC key for nonces (default: random per process). */
  secret?: Buffer;
}

export type DigestVerdict =
  | { ok: true; username: string }
  /** stale: the nonce expired or is unknown but the answer was otherwise well formed (challenge again with stale=true). */
  | { ok: false; reason: string; stale?: boolean; username?: string };

/**
 * Issues challenges and checks answers. Nonces carry their issue time and an HMAC, so they need
 * no table; the table only remembers the last nc seen per nonce, to refuse replays.
 */
export class DigestServer {
  readonly realm: string;
  readonly algorithms: DigestAlgorithm[];
  private readonly ttl: number;
  private readonly secret: Buffer;
  private readonly lastNc = new Map<string, { nc: number; expires: number }>();
  /** nonces answered without qop (RFC 2069): one use each. */
  private readonly usedPlain = new Map<string, number>();

  constructor(private readonly options: DigestServerOptions) {
    this.realm = options.realm;
    this.algorithms = options.algorithms?.length ? options.algorithms : ["MD5"];
    this.ttl = options.nonceTtlMs ?? 60_000;
    this.secret = options.secret ?? randomBytes(32);
  }

  private sign(issued: string, salt: string): string {
    return createHmac("sha256", this.secret).update(`${issued}:${salt}:${this.realm}`).digest("base64url").slice(0, 22);
  }

  private newNonce(): string {
    const issued = Math.floor(this.options.clock.now()).toString(36);
    const salt = randomBytes(6).toString("base64url");
    return `${issued}.${salt}.${this.sign(issued, salt)}`;
  }

  /** "fresh" | "stale" (ours, expired) | "bad" (not ours). */
  private checkNonce(nonce: string): "fresh" | "stale" | "bad" {
    const [issued, salt, mac, extra] = nonce.split(".");
    if (!issued || !salt || !mac || extra !== undefined) return "bad";
    const expected = Buffer.from(this.sign(issued, salt));
    const given = Buffer.from(mac);
    if (expected.length !== given.length || !timingSafeEqual(expected, given)) return "bad";
    const age = this.options.clock.now() - parseInt(issued, 36);
    return age >= 0 && age <= this.ttl ? "fresh" : "stale";
  }

  /** Header values for a 401/407: one challenge per algorithm, preferred first. */
  challenge(stale = false): string[] {
    const nonce = this.newNonce();
    return this.algorithms.map((algorithm) =>
      `Digest realm=${quote(this.realm)}, nonce=${quote(nonce)}, algorithm=${algorithm}, qop="auth"${stale ? ", stale=true" : ""}`);
  }

  /**
   * Check one Authorization value for `method`. `password(user)` returns the user's password, or
   * undefined for an unknown user (the answer is then refused like a wrong password).
   */
  verify(value: string, method: string, password: (username: string) => string | undefined): DigestVerdict {
    const m = /^\s*Digest\s+([\s\S]*)$/i.exec(value);
    const p = m ? parseAuthParams(m[1]) : undefined;
    if (!p) return { ok: false, reason: "not a Digest answer" };
    const username = p.get("username");
    const nonce = p.get("nonce");
    const uri = p.get("uri");
    const response = p.get("response");
    if (!username || !nonce || uri === undefined || !response) return { ok: false, reason: "incomplete Digest answer" };
    if (p.get("realm") !== this.realm) return { ok: false, reason: `wrong realm ${p.get("realm")}`, username };
    const algorithm = ALGORITHMS.find((a) => a.toLowerCase() === (p.get("algorithm") ?? "MD5").toLowerCase());
    if (!algorithm || !this.algorithms.includes(algorithm)) return { ok: false, reason: `algorithm ${p.get("algorithm")} not offered`, username };
    const qop = p.get("qop")?.toLowerCase();
    if (qop !== undefined && qop !== "auth") return { ok: false, reason: `qop ${qop} not offered`, username };
    const nc = p.get("nc");
    const cnonce = p.get("cnonce");
    if (qop && (!nc || !/^[0-9a-fA-F]{8}$/.test(nc) || !cnonce)) return { ok: false, reason: "qop=auth without nc/cnonce", username };
    const secret = password(username);
    // Compute even for unknown users, so timing does not tell them apart.
    const expected = digestResponse({
      algorithm, username, password: secret ?? "\0unknown", realm: this.realm, nonce, method, uri,
      qop: qop ? "auth" : undefined, nc, cnonce,
    });
    const a = Buffer.from(expected);
    const b = Buffer.from(response.toLowerCase());
    const matches = a.length === b.length && timingSafeEqual(a, b);
    if (!matches || secret === undefined) return { ok: false, reason: "wrong credentials", username };
    const freshness = this.checkNonce(nonce);
    if (freshness === "bad") return { ok: false, reason: "nonce not issued here", username };
    if (freshness === "stale") return { ok: false, reason: "nonce expired", stale: true, username };
    if (!this.acceptCount(nonce, qop ? parseInt(nc!, 16) : undefined)) return { ok: false, reason: "nonce count replayed", stale: true, username };
    return { ok: true, username };
  }

  /** Each answer must use a higher nc than the last (qop=auth), or a nonce only once (no qop). */
  private acceptCount(nonce: string, nc: number | undefined): boolean {
    const now = this.options.clock.now();
    for (const [k, v] of this.lastNc) if (v.expires < now) this.lastNc.delete(k);
    for (const [k, expires] of this.usedPlain) if (expires < now) this.usedPlain.delete(k);
    const expires = now + this.ttl;
    if (nc === undefined) {
      if (this.usedPlain.has(nonce)) return false;
      this.usedPlain.set(nonce, expires);
      return true;
    }
    const last = this.lastNc.get(nonce);
    if (last && nc <= last.nc) return false;
    this.lastNc.set(nonce, { nc, expires });
    return true;
  }
}
