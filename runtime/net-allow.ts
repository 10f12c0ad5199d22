// Source-network allow-list for INVITEs (default: loopback only). CIDR for IPv4 and IPv6.
import net from "node:net";

export const DEFAULT_ALLOWED_NETWORKS = ["127.0.0.0/8", "::1/128"];

interface Cidr {
  family: 4 | 6;
  bits: bigint;
  prefix: number;
}

function toBig(address: string): { family: 4 | 6; value: bigint } | undefined {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) address = mapped[1];
  if (net.isIPv4(address)) {
    const v = address.split(".").reduce((acc, o) => (acc << 8n) + BigInt(Number(o)), 0n);
    return { family: 4, value: v };
  }
  if (net.isIPv6(address)) {
    const [head, tail = ""] = address.split("::");
    const h = head ? head.split(":") : [];
    const t = tail ? tail.split(":") : [];
    const groups = address.includes("::") ? [...h, ...Array(8 - h.length - t.length).fill("0"), ...t] : h;
    if (groups.length !== 8) return undefined;
    return { family: 6, value: groups.reduce((acc, g) => (acc << 16n) + BigInt(parseInt(g || "0", 16)), 0n) };
  }
  return undefined;
}

export function parseCidr(spec: string): Cidr {
  const [addr, p] = spec.trim().split("/");
  const ip = toBig(addr);
  if (!ip) throw new Error(`not an IP network: ${spec}`);
  const width = ip.family === 4 ? 32 : 128;
  const prefix = p === undefined ? width : Number(p);
  if (!Number.isInteger(prefix) || prefix < 0 || prefix > width) throw new Error(`bad prefix length in ${spec}`);
  return { family: ip.family, bits: ip.value >> BigInt(width - prefix), prefix };
}

export class NetworkAllowList {
  private readonly nets: Cidr[];
  constructor(specs: readonly string[] = DEFAULT_ALLOWED_NETWORKS) {
    this.nets = specs.map(parseCidr);
  }
  allows(address: string): boolean {
    const ip = toBig(address);
    if (!ip) return false;
    const width = ip.family === 4 ? 32 : 128;
    return this.nets.some((n) => n.family === ip.family && ip.value >> BigInt(width - n.prefix) === n.bits);
  }
}
