// Size limits on what the API accepts, so that one request cannot hold the server for seconds
// or grow it by gigabytes: the JSON body of any API request (IVR_MAX_BODY_BYTES, default 5 MB)
// and the nodes of a flow document saved, created, validated or imported (IVR_MAX_FLOW_NODES,
// default 5,000). Both answer 413 with the limit in the message.

type Env = Record<string, string | undefined>;

export const DEFAULT_MAX_BODY_BYTES = 5 * 1024 * 1024;
export const DEFAULT_MAX_FLOW_NODES = 5000;

export class LimitConfigError extends Error {}

export interface ApiLimits {
  maxBodyBytes: number;
  maxFlowNodes: number;
}

const UNITS: Record<string, number> = { "": 1, b: 1, k: 1024, kb: 1024, m: 1024 ** 2, mb: 1024 ** 2, g: 1024 ** 3, gb: 1024 ** 3 };

/** "5242880", "512KB", "5MB", "1GB" -> bytes. */
export function parseByteSize(value: string, what = "IVR_MAX_BODY_BYTES"): number {
  const m = /^(\d+(?:\.\d+)?)\s*([a-z]*)$/i.exec(value.trim());
  const unit = m ? UNITS[m[2].toLowerCase()] : undefined;
  const bytes = m && unit ? Math.floor(Number(m[1]) * unit) : NaN;
  if (!Number.isFinite(bytes) || bytes < 1) throw new LimitConfigError(`${what} must be a size such as 5242880, 512KB or 5MB, got "${value}".`);
  return bytes;
}

export function readLimits(env: Env = process.env): ApiLimits {
  const nodes = env.IVR_MAX_FLOW_NODES?.trim();
  if (nodes && (!/^\d+$/.test(nodes) || Number(nodes) < 1)) throw new LimitConfigError(`IVR_MAX_FLOW_NODES must be a whole number of nodes (at least 1), got "${nodes}".`);
  return {
    maxBodyBytes: env.IVR_MAX_BODY_BYTES?.trim() ? parseByteSize(env.IVR_MAX_BODY_BYTES) : DEFAULT_MAX_BODY_BYTES,
    maxFlowNodes: nodes ? Number(nodes) : DEFAULT_MAX_FLOW_NODES,
  };
}

/** 5242880 -> "5 MB", 1536 -> "1.5 KB": how a limit is said to a person. */
export function formatBytes(n: number): string {
  const [unit, size] = n >= 1024 ** 3 ? ["GB", 1024 ** 3] : n >= 1024 ** 2 ? ["MB", 1024 ** 2] : n >= 1024 ? ["KB", 1024] : ["bytes", 1];
  const v = n / size;
  return `${Number.isInteger(v) ? v : v.toFixed(1)} ${unit}`;
}

export const bodyTooLargeMessage = (limit: number, got?: number): string =>
  `The request body${got !== undefined ? ` (${formatBytes(got)})` : ""} is larger than the limit of ${formatBytes(limit)} (${limit} bytes; IVR_MAX_BODY_BYTES).`;

export const tooManyNodesMessage = (what: string, count: number, limit: number): string =>
  `${what} has ${count} nodes; the limit is ${limit} (IVR_MAX_FLOW_NODES).`;
