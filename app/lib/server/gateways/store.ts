// SIP gateways and local SIP users of `npm start` (where Bridge nodes may call), and the global
// outbound limits: stored in the database, passwords encrypted at rest (../secrets.ts) and never
// returned (the API says "set" or "unset"). The runtime reads them decrypted through
// loadOutboundConfig() and picks up changes by outboundFingerprint(), like routes.
import type { PrismaClient, SipGateway, SipUser } from "../../../../prisma/generated/client/client";
import { DEFAULT_OUTBOUND_LIMITS, type OutboundLimits } from "../../../../runtime/outbound/policy";
import { compileDestinationPattern } from "../../../../runtime/outbound/patterns";
import type { GatewayConfig, LocalUserConfig } from "../../../../runtime/outbound/destinations";
import { ApiError, invalid, notFound } from "../http";
import { decryptSecret, encryptSecret } from "../secrets";

export const OUTBOUND_LIMITS = "outboundLimits";

const NAME_RE = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;
const NUMBER_RE = /^[A-Za-z0-9+*#_.-]{1,32}$/;
const HOST_RE = /^(?:[A-Za-z0-9-]{1,63}\.)*[A-Za-z0-9-]{1,63}$/;
/** Digest usernames: what a SIP user part and an Authorization header can carry safely. */
const USERNAME_RE = /^[A-Za-z0-9+*#_.!~%$&=,;?/-]{1,64}$/;
export const MIN_SIP_PASSWORD = 8;

export type SecretState = "set" | "unset";

export interface GatewayView {
  id: string;
  name: string;
  host: string;
  port: number;
  username: string | null;
  password: SecretState;
  register: boolean;
  callerId: string | null;
  allow: string[];
  maxCalls: number;
  callsPerMinute: number;
  ping: number;
  pingMin: number;
  pingMax: number;
  enabled: boolean;
  updatedAt: string;
}

export interface SipUserView {
  id: string;
  number: string;
  name: string;
  password: SecretState;
  enabled: boolean;
  updatedAt: string;
}

const gatewayView = (g: SipGateway): GatewayView => ({
  id: g.id,
  name: g.name,
  host: g.host,
  port: g.port,
  username: g.username,
  password: g.passwordCipher ? "set" : "unset",
  register: g.register,
  callerId: g.callerId,
  allow: g.allow,
  maxCalls: g.maxCalls,
  callsPerMinute: g.callsPerMinute,
  ping: g.ping,
  pingMin: g.pingMin,
  pingMax: g.pingMax,
  enabled: g.enabled,
  updatedAt: g.updatedAt.toISOString(),
});

const userView = (u: SipUser): SipUserView => ({
  id: u.id,
  number: u.number,
  name: u.name,
  password: "set",
  enabled: u.enabled,
  updatedAt: u.updatedAt.toISOString(),
});

// ---- input checks (a clear 400 naming the field) ----

/** Only the fields given: an absent one stays as stored. */
const given = <T extends object>(o: T): T => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;

function str(body: Record<string, unknown>, key: string, re: RegExp, what: string): string | undefined {
  const v = body[key];
  if (v === undefined) return undefined;
  if (typeof v !== "string" || !re.test(v.trim())) throw invalid(`${key}: ${what}.`);
  return v.trim();
}

function int(body: Record<string, unknown>, key: string, min: number, max: number): number | undefined {
  const v = body[key];
  if (v === undefined) return undefined;
  if (typeof v !== "number" || !Number.isInteger(v) || v < min || v > max) throw invalid(`${key} must be a whole number from ${min} to ${max}.`);
  return v;
}

function bool(body: Record<string, unknown>, key: string): boolean | undefined {
  const v = body[key];
  if (v === undefined) return undefined;
  if (typeof v !== "boolean") throw invalid(`${key} must be true or false.`);
  return v;
}

/** A password to set (string), to remove (null, gateways only), or unchanged (absent). */
function password(body: Record<string, unknown>, nullable: boolean): string | null | undefined {
  const v = body.password;
  if (v === undefined) return undefined;
  if (v === null && nullable) return null;
  if (typeof v !== "string") throw invalid(`password must be a string${nullable ? " (or null to remove it)" : ""}.`);
  if (v.length < MIN_SIP_PASSWORD || v.length > 128) throw invalid(`password must have ${MIN_SIP_PASSWORD} to 128 characters.`);
  if (/[\u0000-\u001f\u007f]/.test(v)) throw invalid("password must not contain control characters or line breaks.");
  return v;
}

export interface GatewayInput {
  name?: string;
  host?: string;
  port?: number;
  username?: string | null;
  password?: string | null;
  register?: boolean;
  callerId?: string | null;
  allow?: string[];
  maxCalls?: number;
  callsPerMinute?: number;
  ping?: number;
  pingMin?: number;
  pingMax?: number;
  enabled?: boolean;
}

export function parseGatewayInput(body: Record<string, unknown>): GatewayInput {
  const out: GatewayInput = {};
  out.name = str(body, "name", NAME_RE, "letters, digits, '.', '_' and '-' (up to 64, starting with a letter or digit)");
  const host = str(body, "host", HOST_RE, "a host name or IPv4 address");
  if (host !== undefined) out.host = host.toLowerCase();
  out.port = int(body, "port", 1, 65535);
  if (body.username === null || body.username === "") out.username = null;
  else out.username = str(body, "username", USERNAME_RE, "letters, digits and the characters a SIP user part allows (up to 64)");
  out.password = password(body, true);
  out.register = bool(body, "register");
  if (body.callerId === null || body.callerId === "") out.callerId = null;
  else out.callerId = str(body, "callerId", NUMBER_RE, "a caller-ID number (digits, + * # _ . -)");
  if (body.allow !== undefined) {
    if (!Array.isArray(body.allow) || body.allow.length > 200) throw invalid("allow must be a list of destination patterns (at most 200).");
    out.allow = body.allow.map((p, i) => {
      if (typeof p !== "string") throw invalid(`allow[${i}] must be a string.`);
      try {
        return compileDestinationPattern(p).source;
      } catch (e) {
        throw invalid(`allow[${i}]: ${(e as Error).message}.`);
      }
    });
    out.allow = [...new Set(out.allow)];
  }
  out.maxCalls = int(body, "maxCalls", 0, 100_000);
  out.callsPerMinute = int(body, "callsPerMinute", 0, 100_000);
  out.ping = int(body, "ping", 0, 86_400);
  if (out.ping !== undefined && out.ping > 0 && out.ping < 5) throw invalid("ping must be 0 (off) or at least 5 seconds (FreeSWITCH refuses shorter).");
  out.pingMin = int(body, "pingMin", 1, 100);
  out.pingMax = int(body, "pingMax", 1, 100);
  out.enabled = bool(body, "enabled");
  return given(out);
}

/** What must hold once an input is applied to a stored gateway (or to the defaults). */
function checkGateway(g: { name: string; host: string; username: string | null; passwordCipher: string | null; register: boolean; pingMin: number; pingMax: number }): void {
  if (g.register && (!g.username || !g.passwordCipher)) throw invalid("register needs a username and a password.");
  if (g.passwordCipher && !g.username) throw invalid("a password needs a username.");
  if (g.pingMin > g.pingMax) throw invalid(`pingMin (${g.pingMin}) is more than pingMax (${g.pingMax}): the gateway could never be up.`);
}

const conflict = (e: unknown, what: string): never => {
  if ((e as { code?: string })?.code === "P2002") throw new ApiError(409, "conflict", `${what} already exists.`);
  throw e;
};

// ---- gateways ----

/** What the audit log keeps of a gateway: everything but the secret (only whether one is set). */
export const auditDetails = (g: GatewayView): Record<string, unknown> => {
  const { id: _id, updatedAt: _u, ...rest } = g;
  return rest;
};

export async function listGateways(prisma: PrismaClient): Promise<GatewayView[]> {
  return (await prisma.sipGateway.findMany({ orderBy: { name: "asc" } })).map(gatewayView);
}

export async function createGateway(prisma: PrismaClient, input: GatewayInput): Promise<GatewayView> {
  if (!input.name) throw invalid("name is required.");
  if (!input.host) throw invalid("host is required.");
  const { password: pw, ...rest } = input;
  const data = {
    ...rest,
    name: input.name,
    host: input.host,
    allow: input.allow ?? [],
    passwordCipher: pw ? encryptSecret(pw) : null,
  };
  checkGateway({ username: null, register: false, pingMin: 1, pingMax: 1, ...data } as Parameters<typeof checkGateway>[0]);
  const row = await prisma.sipGateway.create({ data }).catch((e) => conflict(e, `A gateway named "${input.name}"`));
  return gatewayView(row);
}

export async function updateGateway(prisma: PrismaClient, id: string, input: GatewayInput): Promise<GatewayView> {
  const current = await prisma.sipGateway.findUnique({ where: { id } });
  if (!current) throw notFound("The gateway");
  const { password: pw, ...rest } = input;
  const data: Record<string, unknown> = { ...rest };
  if (pw !== undefined) data.passwordCipher = pw === null ? null : encryptSecret(pw);
  // Removing the username removes the password with it (it would belong to nobody).
  if (input.username === null) data.passwordCipher = null;
  checkGateway({ ...current, ...data } as Parameters<typeof checkGateway>[0]);
  const row = await prisma.sipGateway.update({ where: { id }, data }).catch((e) => conflict(e, `A gateway named "${input.name}"`));
  return gatewayView(row);
}

export async function deleteGateway(prisma: PrismaClient, id: string): Promise<GatewayView> {
  const row = await prisma.sipGateway.delete({ where: { id } }).catch(() => {
    throw notFound("The gateway");
  });
  return gatewayView(row);
}

// ---- local SIP users ----

export interface SipUserInput {
  number?: string;
  name?: string;
  password?: string;
  enabled?: boolean;
}

export function parseSipUserInput(body: Record<string, unknown>): SipUserInput {
  const out: SipUserInput = {};
  out.number = str(body, "number", NUMBER_RE, "an extension: letters, digits and + * # _ . - (up to 32)");
  if (body.name !== undefined) {
    if (typeof body.name !== "string" || body.name.length > 100 || /[\u0000-\u001f\u007f]/.test(body.name)) throw invalid("name must be a line of text (at most 100 characters).");
    out.name = body.name.trim();
  }
  const pw = password(body, false);
  if (pw !== undefined && pw !== null) out.password = pw;
  out.enabled = bool(body, "enabled");
  return given(out);
}

export async function listSipUsers(prisma: PrismaClient): Promise<SipUserView[]> {
  return (await prisma.sipUser.findMany({ orderBy: { number: "asc" } })).map(userView);
}

export async function createSipUser(prisma: PrismaClient, input: SipUserInput): Promise<SipUserView> {
  if (!input.number) throw invalid("number is required.");
  if (!input.password) throw invalid("password is required.");
  const row = await prisma.sipUser
    .create({ data: { number: input.number, name: input.name ?? "", enabled: input.enabled ?? true, passwordCipher: encryptSecret(input.password) } })
    .catch((e) => conflict(e, `A SIP user ${input.number}`));
  return userView(row);
}

export async function updateSipUser(prisma: PrismaClient, id: string, input: SipUserInput): Promise<SipUserView> {
  const { password: pw, ...rest } = input;
  const data: Record<string, unknown> = { ...rest };
  if (pw !== undefined) data.passwordCipher = encryptSecret(pw);
  if (!(await prisma.sipUser.findUnique({ where: { id }, select: { id: true } }))) throw notFound("The SIP user");
  const row = await prisma.sipUser.update({ where: { id }, data }).catch((e) => conflict(e, `A SIP user ${input.number}`));
  return userView(row);
}

export async function deleteSipUser(prisma: PrismaClient, id: string): Promise<SipUserView> {
  const row = await prisma.sipUser.delete({ where: { id } }).catch(() => {
    throw notFound("The SIP user");
  });
  return userView(row);
}

// ---- global limits ----

export async function getOutboundLimits(prisma: PrismaClient): Promise<OutboundLimits> {
  const row = await prisma.setting.findUnique({ where: { key: OUTBOUND_LIMITS } });
  const v = row?.value as Partial<OutboundLimits> | null | undefined;
  return {
    maxCalls: typeof v?.maxCalls === "number" ? v.maxCalls : DEFAULT_OUTBOUND_LIMITS.maxCalls,
    callsPerMinute: typeof v?.callsPerMinute === "number" ? v.callsPerMinute : DEFAULT_OUTBOUND_LIMITS.callsPerMinute,
  };
}

export function parseOutboundLimits(value: unknown): OutboundLimits {
  if (typeof value !== "object" || value === null || Array.isArray(value)) throw invalid("limits must be an object { maxCalls, callsPerMinute }.");
  const body = value as Record<string, unknown>;
  const maxCalls = int(body, "maxCalls", 0, 100_000);
  const callsPerMinute = int(body, "callsPerMinute", 0, 100_000);
  if (maxCalls === undefined || callsPerMinute === undefined) throw invalid("limits needs maxCalls and callsPerMinute (0: no outbound calls).");
  return { maxCalls, callsPerMinute };
}

export async function setOutboundLimits(prisma: PrismaClient, limits: OutboundLimits): Promise<void> {
  const value = { ...limits };
  await prisma.setting.upsert({ where: { key: OUTBOUND_LIMITS }, create: { key: OUTBOUND_LIMITS, value }, update: { value } });
}

// ---- for the runtime ----

export interface OutboundConfigData {
  gateways: GatewayConfig[];
  users: LocalUserConfig[];
  limits: OutboundLimits;
}

/** Enabled gateways and users with their passwords decrypted (for the runtime thread only); unreadable ones are skipped with a line. */
export async function loadOutboundConfig(prisma: PrismaClient): Promise<{ config: OutboundConfigData; skipped: string[] }> {
  const skipped: string[] = [];
  const open = (cipher: string, what: string): string | undefined => {
    try {
      return decryptSecret(cipher);
    } catch (e) {
      skipped.push(`${what}: ${(e as Error).message}; skipped`);
      return undefined;
    }
  };
  const gateways: GatewayConfig[] = [];
  for (const g of await prisma.sipGateway.findMany({ where: { enabled: true }, orderBy: { name: "asc" } })) {
    const pw = g.passwordCipher ? open(g.passwordCipher, `gateway ${g.name}`) : undefined;
    if (g.passwordCipher && pw === undefined) continue;
    gateways.push({
      name: g.name,
      host: g.host,
      port: g.port,
      transport: "udp",
      username: g.username && pw !== undefined ? g.username : undefined,
      password: g.username ? pw : undefined,
      register: g.register,
      callerId: g.callerId ?? undefined,
      allow: g.allow,
      maxCalls: g.maxCalls,
      callsPerMinute: g.callsPerMinute,
      ping: g.ping,
      pingMin: g.pingMin,
      pingMax: g.pingMax,
    });
  }
  const users: LocalUserConfig[] = [];
  for (const u of await prisma.sipUser.findMany({ where: { enabled: true }, orderBy: { number: "asc" } })) {
    const pw = open(u.passwordCipher, `SIP user ${u.number}`);
    if (pw !== undefined) users.push({ number: u.number, password: pw });
  }
  return { config: { gateways, users, limits: await getOutboundLimits(prisma) }, skipped };
}

/** Changes when any gateway, user or the limits change (count and latest update of each). */
export async function outboundFingerprint(prisma: PrismaClient): Promise<string> {
  const [g, u, limits] = await Promise.all([
    prisma.sipGateway.aggregate({ _count: { _all: true }, _max: { updatedAt: true } }),
    prisma.sipUser.aggregate({ _count: { _all: true }, _max: { updatedAt: true } }),
    prisma.setting.findUnique({ where: { key: OUTBOUND_LIMITS }, select: { updatedAt: true } }),
  ]);
  return [g._count._all, g._max.updatedAt?.getTime(), u._count._all, u._max.updatedAt?.getTime(), limits?.updatedAt.getTime()].join("|");
}

/** Gateway names and user numbers (no secrets): what a Bridge node's dial string may name. */
export async function destinationNames(prisma: PrismaClient): Promise<{ gateways: string[]; users: string[] }> {
  const [g, u] = await Promise.all([
    prisma.sipGateway.findMany({ where: { enabled: true }, select: { name: true }, orderBy: { name: "asc" } }),
    prisma.sipUser.findMany({ where: { enabled: true }, select: { number: true }, orderBy: { number: "asc" } }),
  ]);
  return { gateways: g.map((x) => x.name), users: u.map((x) => x.number) };
}
