// Called number -> script: an exact number or a ^regex$ (as FreeSWITCH dialplan conditions),
// with arguments split like mod_lua's argv (blanks; single quotes group; at most 128).
import type { FileAccess } from "./file-policy";
import { separateString } from "./session/expand";
import { compileSafeRegex, SafeRegexError } from "./safe-regex";

export interface RouteSpec {
  /** "1000" or "^3\\d{3}$" */
  pattern: string;
  /** Script path (.ts, .lua) or flow (.json), possibly followed by arguments. */
  target: string;
  /**
   * Files the route's script may play and record (runtime/file-policy.ts). Default "confined":
   * only a script the operator installed by hand is "trusted", and whoever builds the route says so.
   */
  files?: FileAccess;
}

export interface Route {
  pattern: string;
  script: string;
  argv: string[];
  /** "confined" for flows (and --confine), "trusted" for hand-installed scripts. */
  files: FileAccess;
  match(number: string): boolean;
}

export class RouteError extends Error {}

export function compileRoute(spec: RouteSpec): Route {
  const parts = separateString(spec.target.trim(), 129);
  if (!parts.length) throw new RouteError(`route ${spec.pattern}: no script given`);
  const [script, ...argv] = parts;
  let match: (n: string) => boolean;
  if (spec.pattern.startsWith("^")) {
    // The dialed number comes from the caller: match on RE2 (linear time, runtime/safe-regex.ts)
    // so a route like ^(1+)+$ cannot be turned into a stalled SIP thread by a crafted INVITE.
    const compiled = compileSafeRegex(spec.pattern);
    if (!compiled.ok) throw new RouteError(`route ${spec.pattern}: invalid regex (${compiled.reason})`);
    const re = compiled.regex;
    match = (n) => {
      try {
        return re.test(n);
      } catch (e) {
        if (e instanceof SafeRegexError) return false; // a number longer than any dial plan's
        throw e;
      }
    };
  } else {
    if (!/^[0-9*#+A-Za-z_.-]+$/.test(spec.pattern)) throw new RouteError(`route ${spec.pattern}: not a number or ^regex$`);
    match = (n) => n === spec.pattern;
  }
  return { pattern: spec.pattern, script, argv: argv.slice(0, 128), files: spec.files ?? "confined", match };
}

/** Parse a --route value: NUMBER=SCRIPT [args...] */
export function parseRouteArg(arg: string): RouteSpec {
  const eq = arg.indexOf("=");
  if (eq <= 0) throw new RouteError(`--route ${arg}: expected NUMBER=SCRIPT`);
  return { pattern: arg.slice(0, eq), target: arg.slice(eq + 1).replace(/^"(.*)"$/, "$1") };
}

/** First route that matches: exact numbers win over patterns, then in order. */
export function findRoute(routes: readonly Route[], number: string): Route | undefined {
  return routes.find((r) => !r.pattern.startsWith("^") && r.match(number)) ?? routes.find((r) => r.match(number));
}
