// IVR1015 (duplicate or reserved choice/case keys), IVR1016 (params that contradict
// each other) and IVR1018 (time zones).
import { DIAGNOSTIC_CODES as C, type Severity } from "../diagnostics";
import { nodeName, quote, type NodeInfo, type ValidationContext } from "./context";
import { paramWords, valuesAt, widgetPaths } from "./schema-walk";

function push(ctx: ValidationContext, info: NodeInfo, code: (typeof C)[keyof typeof C], severity: Severity, param: string, text: string) {
  ctx.out.push({ code, severity, message: `${nodeName(info)}: ${text}`, nodeId: info.node.id, param });
}

function checkKeys(ctx: ValidationContext, info: NodeInfo, p: Record<string, unknown>): void {
  const keyed = info.spec?.keyedList;
  if (!keyed) return;
  const items = p[keyed.list] as Array<{ key: string }>;
  const firstAt = new Map<string, number>();
  items.forEach((item, i) => {
    const param = `${keyed.list}.${i}.key`;
    if (item.key === keyed.reserved) {
      push(ctx, info, C.DUPLICATE_KEY, "error", param,
        `${keyed.item} #${i + 1} uses the key "${keyed.reserved}", which is the node's own ${keyed.reserved} exit; pick another key.`);
      return;
    }
    const first = firstAt.get(item.key);
    if (first === undefined) {
      firstAt.set(item.key, i);
      return;
    }
    push(ctx, info, C.DUPLICATE_KEY, "error", param,
      `${keyed.item} #${i + 1} has the same key ${quote(item.key)} as ${keyed.item} #${first + 1}; each ${keyed.item} needs its own key.`);
  });
}

/** The kind's own rules that tie parameters together (catalog `check`). */
function checkKindRules(ctx: ValidationContext, info: NodeInfo, p: Record<string, unknown>): void {
  for (const f of info.spec?.check?.(p) ?? []) push(ctx, info, C.INCONSISTENT_PARAMS, f.severity, f.param, f.message);
}

// Time zones ----------------------------------------------------------------------

const zoneCache = new Map<string, string | null>();
/** The canonical spelling of an IANA zone name, or null if it is not one. */
function canonicalZone(tz: string): string | null {
  let r = zoneCache.get(tz);
  if (r !== undefined) return r;
  r = null;
  // IANA names only: not offsets like +01:00 that some engines also accept.
  if (/^[A-Za-z][A-Za-z0-9_+\-/]*$/.test(tz)) {
    try {
      r = new Intl.DateTimeFormat(undefined, { timeZone: tz }).resolvedOptions().timeZone;
    } catch {
      r = null;
    }
  }
  zoneCache.set(tz, r);
  return r;
}

const zonePathsCache = new Map<string, string[][]>();
function checkZones(ctx: ValidationContext, info: NodeInfo, p: Record<string, unknown>): void {
  const kind = info.node.kind;
  let paths = zonePathsCache.get(kind);
  if (!paths) zonePathsCache.set(kind, (paths = widgetPaths(info.spec!.params, "timezone")));
  for (const pattern of paths) {
    for (const { path, value } of valuesAt(p, pattern)) {
      if (typeof value !== "string") continue;
      const canonical = canonicalZone(value);
      const words = paramWords(info.spec!.params, path);
      if (canonical === null) {
        push(ctx, info, C.BAD_TIMEZONE, "error", path.join("."),
          `${words} ${quote(value)} is not a known time zone; use an IANA name such as Europe/Paris or America/New_York.`);
      } else if (canonical !== value && canonical.toLowerCase() === value.toLowerCase()) {
        push(ctx, info, C.BAD_TIMEZONE, "error", path.join("."),
          `${words} ${quote(value)} must be written exactly ${canonical} (FreeSWITCH zone names are case-sensitive).`);
      }
    }
  }
}

export function checkConsistency(ctx: ValidationContext): void {
  for (const info of ctx.infos) {
    const p = info.params;
    if (!p || !info.spec) continue;
    checkKeys(ctx, info, p);
    checkKindRules(ctx, info, p);
    checkZones(ctx, info, p);
  }
}
