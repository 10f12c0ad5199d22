// After a gateway, SIP user or limit change: record it in the audit log (never a password: only
// "password changed"), and tell the running runtime to reload at once (it also notices by polling).
import type { OutboundState } from "../../../../runtime/server";
import { recordAudit } from "../audit";
import type { Auth } from "../auth/session";
import { runningRuntime } from "../runtime/registry";

export async function outboundChanged(
  auth: Auth,
  action: string,
  target: { type: "gateway" | "sip_user" | "settings"; id?: string; label: string },
  details?: Record<string, unknown>,
): Promise<void> {
  await recordAudit(auth, { action, target, details });
  await runningRuntime()
    ?.refreshOutbound?.()
    .catch((e: unknown) => console.error(`[outbound] the runtime did not take the change yet: ${(e as Error)?.message ?? e}`));
}

/** The runtime's view of gateways and registered users; undefined when no runtime runs here. */
export function runtimeGatewayStates(): OutboundState | undefined {
  const runtime = runningRuntime();
  if (!runtime?.outboundState) return undefined;
  return runtime.outboundState();
}
