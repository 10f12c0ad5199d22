// Route patterns as in a FreeSWITCH dialplan condition on destination_number: an exact number
// (digits, *, #, +) or an anchored ^regex$. Pure, so it is tested without a database.
import { checkPortableRegex } from "../../../../flow/regex-subset";
import { compileSafeRegex, SafeRegexError, type SafeRegex } from "../../../../runtime/safe-regex";

/** A regex route tests numbers on RE2, as the runtime does (linear time: no ^(1+)+$ stall here). */
export type RoutePattern = { kind: "exact"; number: string } | { kind: "regex"; source: string; regex: { test(n: string): boolean } };

function numberTester(regex: SafeRegex): { test(n: string): boolean } {
  return {
    test: (n) => {
      try {
        return regex.test(n);
      } catch (e) {
        if (e instanceof SafeRegexError) return false;
        throw e;
      }
    },
  };
}

const NUMBER_RE = /^\+?[0-9*#]+$/;

/** Parse a pattern; returns a reason string when it is not acceptable. */
export function parsePattern(input: string): RoutePattern | string {
  const p = input.trim();
  if (!p) return "The pattern is empty.";
  if (p.length > 200) return "The pattern is too long (at most 200 characters).";
  if (NUMBER_RE.test(p)) return { kind: "exact", number: p };
  if (p.startsWith("^")) {
    if (!p.endsWith("$") || p.endsWith("\\$")) return `A regex pattern must end with $ (anchored like ^...$), got ${p}.`;
    const portability = checkPortableRegex(p);
    if (portability) return `The regex is not portable to FreeSWITCH (PCRE): ${portability}`;
    const compiled = compileSafeRegex(p);
    if (!compiled.ok) return `Not a valid regular expression: ${compiled.reason}`;
    return { kind: "regex", source: p, regex: numberTester(compiled.regex) };
  }
  return `"${p}" is neither a number (digits, *, #, a leading +) nor an anchored regex like ^1(00|01)$.`;
}

export interface ExistingRoute {
  id: string;
  pattern: string;
}

export interface OverlapReport {
  /** An existing route that takes exactly the same numbers (refused with 409). */
  duplicate?: ExistingRoute;
  /** Readable notes about partial overlaps between a number and a regex. */
  warnings: string[];
}

export function findOverlaps(candidate: RoutePattern, others: ExistingRoute[]): OverlapReport {
  const report: OverlapReport = { warnings: [] };
  for (const other of others) {
    const o = parsePattern(other.pattern);
    if (typeof o === "string") continue;
    if (candidate.kind === "exact" && o.kind === "exact") {
      if (candidate.number === o.number) report.duplicate ??= other;
    } else if (candidate.kind === "regex" && o.kind === "regex") {
      if (candidate.source === o.source) report.duplicate ??= other;
    } else if (candidate.kind === "exact" && o.kind === "regex") {
      if (o.regex.test(candidate.number)) {
        report.warnings.push(`${candidate.number} is also matched by route ${o.source}; the exact number takes precedence.`);
      }
    } else if (candidate.kind === "regex" && o.kind === "exact") {
      if (candidate.regex.test(o.number)) {
        report.warnings.push(`${candidate.source} also matches ${o.number}, which has its own route; the exact number takes precedence.`);
      }
    }
  }
  return report;
}

/** Pick the route for a dialled number: an exact number first, then the first matching regex (by pattern order). */
export function matchRoute<T extends ExistingRoute>(number: string, routes: T[]): T | undefined {
  const exact = routes.find((r) => r.pattern === number);
  if (exact) return exact;
  return routes
    .filter((r) => r.pattern.startsWith("^"))
    .sort((a, b) => a.pattern.localeCompare(b.pattern))
    .find((r) => {
      const p = parsePattern(r.pattern);
      return typeof p !== "string" && p.kind === "regex" && p.regex.test(number);
    });
}
