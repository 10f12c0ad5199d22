// IVR1031 (warning): a Bridge dial string that names a gateway (sofia/gateway/NAME/...) or a local
// user (user/NUMBER) the server does not have. The call would fail there (INVALID_GATEWAY,
// SUBSCRIBER_ABSENT) and take the Failed outcome. Checked only where the list is known (the
// designer, the server's validate); a name built from ${variables} is not checked.
import { DIAGNOSTIC_CODES as C } from "../diagnostics";
import { nodeName, quote, type ValidationContext } from "./context";

/** The gateways and users a dial string names, as FreeSWITCH reads the endpoints of its legs. */
export function dialTargets(dial: string): { gateways: string[]; users: string[] } {
  const gateways: string[] = [];
  const users: string[] = [];
  // Legs are separated by ',' and '|', and may start with {..}, <..> or [..] variables.
  for (const raw of dial.split(/[,|]/)) {
    const leg = raw.trim().replace(/^(?:\{[^}]*\}|<[^>]*>|\[[^\]]*\])+/, "").trim();
    const gw = /^sofia\/gateway\/([^/]+)\//i.exec(leg);
    if (gw) gateways.push(gw[1]);
    const user = /^user\/([^@/]+)/i.exec(leg);
    if (user) users.push(user[1]);
  }
  return { gateways, users };
}

export function checkDialTargets(ctx: ValidationContext): void {
  const known = ctx.options.destinations;
  if (!known) return;
  const gateways = new Set(known.gateways);
  const users = new Set(known.users);
  for (const info of ctx.infos) {
    if (info.node.kind !== "bridge" || typeof info.params?.dialString !== "string") continue;
    const found = dialTargets(info.params.dialString);
    const warn = (what: string, result: string) =>
      ctx.out.push({
        code: C.UNKNOWN_DESTINATION,
        severity: "warning",
        message: `${nodeName(info)}: ${what} is not configured on this server (Gateways & SIP users); the call would fail there with ${result}.`,
        nodeId: info.node.id,
        param: "dialString",
      });
    for (const g of found.gateways) if (!g.includes("${") && !gateways.has(g)) warn(`the gateway ${quote(g, 64)}`, "INVALID_GATEWAY");
    for (const u of found.users) if (!u.includes("${") && !users.has(u)) warn(`the SIP user ${quote(u, 64)}`, "SUBSCRIBER_ABSENT");
  }
}
