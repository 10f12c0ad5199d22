// Where outbound calls may go: gateways (a carrier or PBX trunk, reached over UDP, maybe with
// digest credentials and a registration) and local users (desk phones that register to us
// with a password, like FreeSWITCH's directory users). The CLI and the designer build these
// from text; this module checks them and turns a parsed dial-string leg into a SIP target.
import type { HangupCause } from "../../flow/hangup-causes";
import type { Endpoint } from "./dial-string";
import { DestinationError } from "./destination-error";
import { compileDestinationPattern, type DestinationPattern } from "./patterns";

export { DestinationError };

export interface GatewayConfig {
  name: string;
  host: string;
  port: number;
  transport: "udp";
  username?: string;
  password?: string;
  /** Keep a registration with the gateway (REGISTER, refreshed before it expires). */
  register: boolean;
  /** Caller-ID for calls through this gateway; unset: origination_caller_id_number, else the caller's. */
  callerId?: string;
  /** Destination numbers this gateway may dial (default none: nothing goes out until allowed). */
  allow: string[];
  /** Concurrent calls through this gateway (0 = only the global limit). */
  maxCalls: number;
  /** New calls per minute through this gateway (0 = only the global limit). */
  callsPerMinute: number;
  /** OPTIONS ping interval in seconds (FreeSWITCH's `ping`; 0/unset: no pings; else at least 5). */
  ping?: number;
  /** Successful pings needed to be up (`ping-min`, default 1) and the most counted (`ping-max`, default 1). */
  pingMin?: number;
  pingMax?: number;
}

export interface LocalUserConfig {
  /** Extension number, e.g. "1000". */
  number: string;
  password: string;
}

/** Where a registered user can be reached (the location table, kept by runtime/sip). */
export interface Contact {
  uri: string;
  host: string;
  port: number;
}

/** Looks up the current registration of a local user (undefined: not registered). */
export type UserLocator = (user: string) => Contact | undefined;

/** Where one leg goes, once resolved and allowed. */
export interface SipTarget {
  /** "gateway:NAME" or "users": the route the limits count against. */
  route: string;
  requestUri: string;
  host: string;
  port: number;
  transport: "udp";
  /** Digest credentials for 401/407 challenges. */
  auth?: { username: string; password: string };
  /** Caller-ID the route imposes, if any. */
  callerId?: string;
  /** The dialed number or user, for logs and allow-lists. */
  destination: string;
}

export type Resolution =
  | { ok: true; target: SipTarget }
  /** barred: refused by policy (logged as a toll-fraud refusal); otherwise a plain routing failure. */
  | { ok: false; cause: HangupCause; reason: string; barred: boolean };

const NAME_RE = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;
const USER_RE = /^[A-Za-z0-9+*#_.-]{1,32}$/;
/** What may stand in a Request-URI's user part here (no '@', '>', ';', '?', spaces or line breaks). */
const DIALABLE_RE = /^[A-Za-z0-9+*#._~-]{1,64}$/;
const HOST_RE = /^(?:[A-Za-z0-9-]{1,63}\.)*[A-Za-z0-9-]{1,63}$/;

function checkHost(host: string, what: string): string {
  const h = host.trim().toLowerCase();
  if (!HOST_RE.test(h)) throw new DestinationError(`${what}: '${host}' is not a host name or IPv4 address`);
  return h;
}

function checkPort(p: string, what: string): number {
  if (!/^\d{1,5}$/.test(p) || Number(p) < 1 || Number(p) > 65535) throw new DestinationError(`${what}: bad port '${p}'`);
  return Number(p);
}

function checkCount(v: string, what: string): number {
  if (!/^\d{1,6}$/.test(v)) throw new DestinationError(`${what}: expected a whole number, got '${v}'`);
  return Number(v);
}

/** Where `env:NAME` secrets come from (a password on a command line shows up in `ps`). */
export type SecretSource = Readonly<Record<string, string | undefined>>;

function secret(value: string, what: string, env: SecretSource): string {
  if (!value.startsWith("env:")) return value;
  const name = value.slice(4);
  const v = env[name];
  if (v === undefined || v === "") throw new DestinationError(`${what}: the environment variable ${name} is not set`);
  return v;
}

/**
 * `NAME=HOST[:PORT][;user=U;pass=P;register=yes;cid=NUMBER;allow=PATTERN,PATTERN;max=N;cpm=N]`
 * (the `ivr serve --gateway` syntax; pass=env:NAME reads the password from the environment).
 * Throws DestinationError with a sentence on bad input.
 */
export function parseGatewaySpec(spec: string, env: SecretSource = {}): GatewayConfig {
  const eq = spec.indexOf("=");
  if (eq <= 0) throw new DestinationError(`gateway '${spec}': expected NAME=HOST:PORT[;user=U;pass=P;register=yes]`);
  const name = spec.slice(0, eq).trim();
  if (!NAME_RE.test(name)) throw new DestinationError(`gateway name '${name}': letters, digits, '.', '_' and '-' only`);
  const [hostPort, ...options] = spec.slice(eq + 1).split(";");
  const what = `gateway ${name}`;
  const colon = hostPort.lastIndexOf(":");
  const host = checkHost(colon > 0 ? hostPort.slice(0, colon) : hostPort, what);
  const port = colon > 0 ? checkPort(hostPort.slice(colon + 1), what) : 5060;
  const gw: GatewayConfig = { name, host, port, transport: "udp", register: false, allow: [], maxCalls: 0, callsPerMinute: 0 };
  for (const opt of options) {
    if (opt.trim() === "") continue;
    const oeq = opt.indexOf("=");
    if (oeq <= 0) throw new DestinationError(`${what}: option '${opt}' needs a value (key=value)`);
    const key = opt.slice(0, oeq).trim().toLowerCase();
    const value = opt.slice(oeq + 1).trim();
    switch (key) {
      case "user":
      case "username":
        gw.username = value;
        break;
      case "pass":
      case "password":
        gw.password = secret(value, what, env);
        break;
      case "register":
        if (!/^(yes|no|true|false)$/i.test(value)) throw new DestinationError(`${what}: register=yes or register=no`);
        gw.register = /^(yes|true)$/i.test(value);
        break;
      case "transport":
        if (value.toLowerCase() !== "udp") throw new DestinationError(`${what}: only transport=udp is available`);
        break;
      case "cid":
      case "caller_id":
        if (!USER_RE.test(value)) throw new DestinationError(`${what}: caller-ID '${value}' is not a number`);
        gw.callerId = value;
        break;
      case "allow":
        for (const p of value.split(",").map((x) => x.trim()).filter(Boolean)) {
          compileDestinationPattern(p); // throws on a bad pattern
          gw.allow.push(p);
        }
        break;
      case "max":
        gw.maxCalls = checkCount(value, what);
        break;
      case "ping":
        gw.ping = checkCount(value, what);
        if (gw.ping > 0 && gw.ping < 5) throw new DestinationError(`${what}: ping must be 0 (off) or at least 5 seconds`);
        break;
      case "ping-min":
      case "ping-max": {
        const n = checkCount(value, what);
        if (n < 1) throw new DestinationError(`${what}: ${key} must be at least 1`);
        if (key === "ping-min") gw.pingMin = n;
        else gw.pingMax = n;
        break;
      }
      case "cpm":
        gw.callsPerMinute = checkCount(value, what);
        break;
      default:
        throw new DestinationError(`${what}: unknown option '${key}' (user, pass, register, cid, allow, max, cpm, ping, ping-min, ping-max)`);
    }
  }
  if (gw.register && (!gw.username || !gw.password)) throw new DestinationError(`${what}: register=yes needs user= and pass=`);
  if ((gw.username === undefined) !== (gw.password === undefined)) throw new DestinationError(`${what}: give both user= and pass=`);
  if ((gw.pingMin ?? 1) > (gw.pingMax ?? 1)) throw new DestinationError(`${what}: ping-min (${gw.pingMin ?? 1}) is more than ping-max (${gw.pingMax ?? 1}); the gateway could never be up`);
  return gw;
}

/** `NUMBER:PASSWORD` (the `ivr serve --user` syntax; NUMBER:env:NAME reads it from the environment). */
export function parseUserSpec(spec: string, env: SecretSource = {}): LocalUserConfig {
  const colon = spec.indexOf(":");
  if (colon <= 0) throw new DestinationError(`user '${spec}': expected NUMBER:PASSWORD`);
  const number = spec.slice(0, colon).trim();
  const password = secret(spec.slice(colon + 1), `user ${number}`, env);
  if (!USER_RE.test(number)) throw new DestinationError(`user '${number}': letters, digits and + * # _ . - only`);
  if (password.length < 8) throw new DestinationError(`user ${number}: the password needs at least 8 characters`);
  return { number, password };
}

export interface DestinationsConfig {
  gateways: GatewayConfig[];
  users: LocalUserConfig[];
  /** Our SIP profile names (sofia/NAME/...): "internal" and "external" are accepted by default. */
  profiles?: string[];
}

/** The configured routes, checked once: duplicate names are configuration errors. */
export class Destinations {
  private readonly gateways = new Map<string, { config: GatewayConfig; allow: DestinationPattern[] }>();
  private readonly users = new Map<string, LocalUserConfig>();
  private readonly profiles: Set<string>;

  constructor(
    config: DestinationsConfig,
    private readonly locate: UserLocator = () => undefined,
    /** Whether a gateway is up (pings, registration: gateway-monitor.ts); default always. */
    private readonly gatewayUp: (name: string) => boolean = () => true,
  ) {
    for (const g of config.gateways) {
      if (this.gateways.has(g.name)) throw new DestinationError(`gateway ${g.name} is configured twice`);
      this.gateways.set(g.name, { config: g, allow: g.allow.map(compileDestinationPattern) });
    }
    for (const u of config.users) {
      if (this.users.has(u.number)) throw new DestinationError(`user ${u.number} is configured twice`);
      this.users.set(u.number, u);
    }
    this.profiles = new Set((config.profiles ?? ["internal", "external"]).map((p) => p.toLowerCase()));
  }

  gateway(name: string): GatewayConfig | undefined {
    return this.gateways.get(name)?.config;
  }

  user(number: string): LocalUserConfig | undefined {
    return this.users.get(number);
  }

  get gatewayList(): GatewayConfig[] {
    return [...this.gateways.values()].map((g) => g.config);
  }

  get userList(): LocalUserConfig[] {
    return [...this.users.values()];
  }

  /** Hosts a sofia/PROFILE/USER@HOST leg may reach: the gateways' hosts. */
  private gatewayForHost(host: string, port: number | undefined) {
    for (const g of this.gateways.values()) {
      if (g.config.host === host && (port === undefined || port === g.config.port)) return g;
    }
    return undefined;
  }

  /** A parsed leg -> where its INVITE goes, or why it cannot go anywhere (FreeSWITCH's cause). */
  resolve(endpoint: Endpoint): Resolution {
    const refuse = (cause: HangupCause, reason: string, barred = false): Resolution => ({ ok: false, cause, reason, barred });
    switch (endpoint.kind) {
      case "error":
        return refuse(endpoint.cause, `error endpoint`);
      case "unsupported":
        return refuse("CHAN_NOT_IMPLEMENTED", endpoint.reason);
      case "gateway": {
        const g = this.gateways.get(endpoint.gateway);
        if (!g) return refuse("INVALID_GATEWAY", `no gateway named '${endpoint.gateway}'`, true);
        if (endpoint.params) return refuse("INVALID_URL", "parameters after the number are not accepted", true);
        if (!DIALABLE_RE.test(endpoint.number)) return refuse("INVALID_NUMBER_FORMAT", `'${endpoint.number}' is not a dialable number`, true);
        if (!g.allow.some((p) => p.test(endpoint.number))) {
          return refuse("OUTGOING_CALL_BARRED", `${endpoint.number} is not in gateway ${g.config.name}'s allow-list`, true);
        }
        // mod_sofia: "Gateway 'NAME' is down!" -> GATEWAY_DOWN (a failover group goes on).
        if (!this.gatewayUp(g.config.name)) return refuse("GATEWAY_DOWN", `gateway ${g.config.name} is down`);
        const c = g.config;
        return {
          ok: true,
          target: {
            route: `gateway:${c.name}`,
            requestUri: `sip:${endpoint.number}@${c.host}${c.port === 5060 ? "" : `:${c.port}`}`,
            host: c.host,
            port: c.port,
            transport: "udp",
            auth: c.username !== undefined && c.password !== undefined ? { username: c.username, password: c.password } : undefined,
            callerId: c.callerId,
            destination: endpoint.number,
          },
        };
      }
      case "user":
      case "registered": {
        if (endpoint.kind === "registered" && !this.profiles.has(endpoint.profile.toLowerCase())) {
          return refuse("INVALID_PROFILE", `no SIP profile named '${endpoint.profile}'`);
        }
        // user/NAME of an unknown user: FreeSWITCH's "Can't find user" (SUBSCRIBER_ABSENT).
        if (!this.users.has(endpoint.user)) {
          return refuse(endpoint.kind === "user" ? "SUBSCRIBER_ABSENT" : "USER_NOT_REGISTERED", `no local user ${endpoint.user}`, true);
        }
        const contact = this.locate(endpoint.user);
        if (!contact) return refuse("USER_NOT_REGISTERED", `user ${endpoint.user} is not registered`);
        return {
          ok: true,
          target: {
            route: "users",
            requestUri: contact.uri,
            host: contact.host,
            port: contact.port,
            transport: "udp",
            destination: endpoint.user,
          },
        };
      }
      case "sip": {
        if (!this.profiles.has(endpoint.profile.toLowerCase())) {
          return refuse("INVALID_PROFILE", `no SIP profile named '${endpoint.profile}'`);
        }
        if (!DIALABLE_RE.test(endpoint.user)) return refuse("INVALID_NUMBER_FORMAT", `'${endpoint.user}' is not a dialable user`, true);
        const g = this.gatewayForHost(endpoint.host, endpoint.port);
        if (!g) return refuse("OUTGOING_CALL_BARRED", `${endpoint.host} is not a configured gateway host`, true);
        if (!g.allow.some((p) => p.test(endpoint.user))) {
          return refuse("OUTGOING_CALL_BARRED", `${endpoint.user} is not in gateway ${g.config.name}'s allow-list`, true);
        }
        const c = g.config;
        return {
          ok: true,
          target: {
            route: `gateway:${c.name}`,
            requestUri: `sip:${endpoint.user}@${c.host}${c.port === 5060 ? "" : `:${c.port}`}`,
            host: c.host,
            port: c.port,
            transport: "udp",
            auth: c.username !== undefined && c.password !== undefined ? { username: c.username, password: c.password } : undefined,
            callerId: c.callerId,
            destination: endpoint.user,
          },
        };
      }
    }
  }
}
