// The runtime's settings inside `npm start`, from the environment: where SIP listens, the RTP
// port range, who may call, and the prompt folder. Bad values are a clear error at start.
import { DEFAULT_ALLOWED_NETWORKS, parseCidr } from "../../../../runtime/net-allow";
import { starterSoundsEnabled } from "../../../../runtime/speech/starter-sounds";
import path from "node:path";
import { mediaDir, projectRoot } from "../paths";

export interface RuntimeConfig {
  sipAddress: string;
  sipPort: number;
  rtpPorts: [number, number];
  allowNetworks: string[];
  soundsDir: string;
  /** Speak missing starter sounds into soundsDir at start (IVR_STARTER_SOUNDS=0 turns it off). */
  starterSounds: boolean;
  /** Where recordings go (IVR_RECORDINGS_DIR, default ./recordings); flows record only under it. */
  recordingsDir: string;
  /**
   * The runtime in a worker thread of its own (the default); IVR_RUNTIME_THREAD=off puts it on the
   * web server's thread, as it was before: for comparison (bench/isolation) and debugging only.
   */
  ownThread: boolean;
  /** Prometheus /metrics and /health (503 while draining) on HOST:PORT (ivr serve --metrics). */
  metrics?: { host: string; port: number };
  /** 503 beyond this many calls in progress (ivr serve --max-calls). */
  maxCalls?: number;
}

type Env = Record<string, string | undefined>;

export class RuntimeConfigError extends Error {}

const isOff = (v: string | undefined) => ["off", "0", "false", "no"].includes((v ?? "").trim().toLowerCase());

/** IVR_RUNTIME=off (or 0/false/no) keeps SIP out of the process. */
export function runtimeEnabled(env: Env = process.env): boolean {
  return !isOff(env.IVR_RUNTIME);
}

function port(value: string, what: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n > 65535) throw new RuntimeConfigError(`${what}: "${value}" is not a port number (0-65535).`);
  return n;
}

/** HOST[:PORT] or [IPv6]:PORT; PORT 0 takes any free port. */
export function parseSipAddress(value: string): { host: string; port: number } {
  const m = /^(\[[^\]]+\]|[^:[\]]+)(?::(\d+))?$/.exec(value.trim());
  if (!m) throw new RuntimeConfigError(`IVR_SIP must be HOST[:PORT] (e.g. 127.0.0.1:5080), got "${value}".`);
  return { host: m[1].replace(/^\[|\]$/g, ""), port: m[2] === undefined ? 5080 : port(m[2], "IVR_SIP") };
}

export function parseRtpPorts(value: string): [number, number] {
  const m = /^(\d+)-(\d+)$/.exec(value.trim());
  if (!m) throw new RuntimeConfigError(`IVR_RTP_PORTS must be MIN-MAX (e.g. 35000-39999), got "${value}".`);
  const lo = port(m[1], "IVR_RTP_PORTS");
  const hi = port(m[2], "IVR_RTP_PORTS");
  if (lo < 1024 || lo > hi || hi - lo < 1) throw new RuntimeConfigError(`IVR_RTP_PORTS: ${value} is not a range of at least two ports above 1023.`);
  return [lo, hi];
}

export function parseAllowList(value: string): string[] {
  const list = value
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  if (!list.length) throw new RuntimeConfigError("IVR_SIP_ALLOW is empty: give comma-separated CIDRs (e.g. 127.0.0.0/8,192.168.1.0/24).");
  for (const cidr of list) {
    try {
      parseCidr(cidr);
    } catch (e) {
      throw new RuntimeConfigError(`IVR_SIP_ALLOW: "${cidr}" is not an address or CIDR (${(e as Error).message}).`);
    }
  }
  return list;
}

export function readRuntimeConfig(env: Env = process.env): RuntimeConfig {
  const sip = parseSipAddress(env.IVR_SIP || "127.0.0.1:5080");
  return {
    sipAddress: sip.host,
    sipPort: sip.port,
    rtpPorts: parseRtpPorts(env.IVR_RTP_PORTS || "35000-39999"),
    allowNetworks: env.IVR_SIP_ALLOW ? parseAllowList(env.IVR_SIP_ALLOW) : [...DEFAULT_ALLOWED_NETWORKS],
    soundsDir: env.IVR_MEDIA_DIR ? path.resolve(projectRoot(), env.IVR_MEDIA_DIR) : mediaDir(),
    starterSounds: starterSoundsEnabled(env),
    recordingsDir: path.resolve(projectRoot(), env.IVR_RECORDINGS_DIR || "recordings"),
    ownThread: !isOff(env.IVR_RUNTIME_THREAD),
  };
}
