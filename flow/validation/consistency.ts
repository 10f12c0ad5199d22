// IVR1015 (duplicate or reserved choice/case keys), IVR1016 (params that contradict
// each other) and IVR1018 (time zones).
import { hhmmToMinutes, isLiteralChoice, NUMERIC_BRANCH_OPS, type BranchOp } from "../catalog";
import { DIAGNOSTIC_CODES as C, type Severity } from "../diagnostics";
import { nodeName, quote, type NodeInfo, type ValidationContext } from "./context";
import { paramWords, valuesAt, widgetPaths } from "./schema-walk";

/** Lists whose item keys become outcomes, and the outcome key the kind keeps for itself. */
const KEYED_LISTS: Record<string, { list: string; reserved: string; item: string }> = {
  menu: { list: "choices", reserved: "failed", item: "choice" },
  branch: { list: "cases", reserved: "default", item: "case" },
};

function push(ctx: ValidationContext, info: NodeInfo, code: (typeof C)[keyof typeof C], severity: Severity, param: string, text: string) {
  ctx.out.push({ code, severity, message: `${nodeName(info)}: ${text}`, nodeId: info.node.id, param });
}

function checkKeys(ctx: ValidationContext, info: NodeInfo, p: Record<string, unknown>): void {
  const keyed = KEYED_LISTS[info.node.kind];
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

function checkDigits(ctx: ValidationContext, info: NodeInfo, p: Record<string, unknown>): void {
  const { minDigits, maxDigits } = p as { minDigits?: unknown; maxDigits?: unknown };
  if (typeof minDigits === "number" && typeof maxDigits === "number" && minDigits > maxDigits) {
    push(ctx, info, C.INCONSISTENT_PARAMS, "error", "minDigits",
      `Min digits (${minDigits}) is more than Max digits (${maxDigits}); no entry can satisfy both.`);
  }
  if (info.node.kind !== "menu") return;
  const choices = p.choices as Array<{ key: string }>;
  if (choices.length === 0) {
    push(ctx, info, C.INCONSISTENT_PARAMS, "error", "choices", "the menu has no choices; add at least one.");
  }
  const terminators = String(p.terminators ?? "");
  choices.forEach((c, i) => {
    if (!isLiteralChoice(c.key)) return;
    const param = `choices.${i}.key`;
    if (typeof maxDigits === "number" && c.key.length > maxDigits) {
      push(ctx, info, C.INCONSISTENT_PARAMS, "error", param,
        `choice #${i + 1} "${c.key}" has ${c.key.length} digits but Max digits is ${maxDigits}, so the caller can never enter it.`);
    } else if (typeof minDigits === "number" && c.key.length < minDigits) {
      push(ctx, info, C.INCONSISTENT_PARAMS, "error", param,
        `choice #${i + 1} "${c.key}" has ${c.key.length} digit(s) but Min digits is ${minDigits}, so the caller can never enter it.`);
    } else if (/^[0-9*#A-D]*$/.test(terminators)) {
      // Plain terminators end the entry and are not part of it (a +, = or x prefix changes that).
      const t = [...c.key].find((d) => terminators.includes(d));
      if (t) {
        push(ctx, info, C.INCONSISTENT_PARAMS, "warning", param,
          `choice #${i + 1} "${c.key}" contains ${t}, which is a Terminator: pressing it ends the entry instead.`);
      }
    }
  });
}

function checkHours(ctx: ValidationContext, info: NodeInfo, p: Record<string, unknown>): void {
  if (info.node.kind !== "time_of_day") return;
  (p.hours as Array<{ from: string; to: string }>).forEach((h, i) => {
    if (hhmmToMinutes(h.to) <= hhmmToMinutes(h.from)) {
      push(ctx, info, C.INCONSISTENT_PARAMS, "error", `hours.${i}.to`,
        `business hours #${i + 1} end at ${h.to}, not after they start at ${h.from}; split a range that crosses midnight in two.`);
    }
  });
}

function checkBranchValues(ctx: ValidationContext, info: NodeInfo, p: Record<string, unknown>): void {
  if (info.node.kind !== "branch") return;
  (p.cases as Array<{ op: BranchOp; value: string }>).forEach((c, i) => {
    if (!NUMERIC_BRANCH_OPS.has(c.op)) return;
    const v = c.value.trim();
    if (v === "" || !Number.isFinite(Number(v))) {
      push(ctx, info, C.INCONSISTENT_PARAMS, "error", `cases.${i}.value`,
        `case #${i + 1} compares as a number but its Value ${quote(c.value)} is not a number.`);
    }
  });
}

function checkPlay(ctx: ValidationContext, info: NodeInfo, p: Record<string, unknown>): void {
  if (info.node.kind === "play" && p.branchOnKey === true && p.interruptKeys === "") {
    push(ctx, info, C.INCONSISTENT_PARAMS, "warning", "interruptKeys",
      "Branch on key is on but there are no Interrupt keys, so there is nothing to branch on.");
  }
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
    checkDigits(ctx, info, p);
    checkHours(ctx, info, p);
    checkBranchValues(ctx, info, p);
    checkPlay(ctx, info, p);
    checkZones(ctx, info, p);
  }
}
