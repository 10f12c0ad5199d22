// Where a SIP request goes (RFC 3263, UDP only): host names become addresses here, and only
// here, so the dialog and call layers never touch DNS and tests can inject a fixed table.
import dns from "node:dns/promises";
import net from "node:net";
import type { Endpoint } from "./transport";

export interface SipResolver {
  /**
   * An IPv4 literal is used as is; a name with a port is looked up (A, /etc/hosts included);
   * a name without a port tries SRV `_sip._udp.NAME` first, then A on 5060.
   * Rejects with a readable error when nothing answers.
   */
  resolve(host: string, port?: number): Promise<Endpoint>;
}

export interface DnsResolverOptions {
  /** Give up on one lookup after this long (default 4000 ms): a dead DNS must not hold a call. */
  timeoutMs?: number;
}

export const DEFAULT_SIP_PORT = 5060;

export function dnsResolver(options: DnsResolverOptions = {}): SipResolver {
  const timeoutMs = options.timeoutMs ?? 4000;
  const lookupA = async (host: string): Promise<string> => (await withTimeout(dns.lookup(host, { family: 4 }), timeoutMs, host)).address;
  return {
    async resolve(host, port) {
      const literal = literalEndpoint(host, port);
      if (literal) return literal;
      if (host.startsWith("[")) throw new Error(`IPv6 destinations are not supported (${host})`);
      if (port !== undefined) return { address: await lookupA(host), port };
      const srv = await withTimeout(dns.resolveSrv(`_sip._udp.${host}`), timeoutMs, host).catch(() => []);
      // Lowest priority first, then the heaviest weight (RFC 2782, without the random draw).
      const best = [...srv].sort((a, b) => a.priority - b.priority || b.weight - a.weight)[0];
      if (best) return { address: await lookupA(best.name), port: best.port };
      return { address: await lookupA(host), port: DEFAULT_SIP_PORT };
    },
  };
}

/** A resolver from a fixed table (tests, or hosts configured by address); IP literals pass through. */
export function staticResolver(table: Record<string, string> = {}): SipResolver {
  return {
    async resolve(host, port) {
      const literal = literalEndpoint(host, port);
      if (literal) return literal;
      const address = table[host.toLowerCase()];
      if (!address) throw new Error(`cannot resolve ${host}`);
      return { address, port: port ?? DEFAULT_SIP_PORT };
    },
  };
}

function literalEndpoint(host: string, port: number | undefined): Endpoint | undefined {
  return net.isIPv4(host) ? { address: host, port: port ?? DEFAULT_SIP_PORT } : undefined;
}

function withTimeout<T>(promise: Promise<T>, ms: number, host: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`DNS lookup of ${host} timed out after ${ms} ms`)), ms);
    timer.unref?.();
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
