// An out-of-dialog OPTIONS, as sofia_reg.c sends to a gateway with `ping` set: To/From the
// gateway's domain, answered by any final response (or 408 when Timer F fires, 503 when the
// host does not resolve). What the answer means for the gateway is the caller's business.
import { formatVia, type Via } from "./grammar";
import { SipHeaders, createRequest } from "./message";
import { newBranch, randomToken, type TransactionLayer } from "./transaction";
import type { SipResolver } from "./resolver";
import type { SipTransport } from "./transport";

export interface PingContext {
  transport: SipTransport;
  transactions: TransactionLayer;
  resolver: SipResolver;
  serverName: string;
}

export interface PingResult {
  /** The final response's status; 408 without an answer, 503 for a DNS failure. */
  status: number;
  reason: string;
  /** Round trip in ms (undefined without an answer). */
  rttMs?: number;
}

export async function sendOptionsPing(ctx: PingContext, host: string, port: number | undefined): Promise<PingResult> {
  let destination;
  try {
    destination = await ctx.resolver.resolve(host, port);
  } catch {
    return { status: 503, reason: "DNS Error" };
  }
  const local = ctx.transport.local;
  const domain = `sip:${host}${port && port !== 5060 ? `:${port}` : ""}`;
  const via: Via = { transport: "UDP", host: local.address, port: local.port, params: new Map([["branch", newBranch()], ["rport", null]]) };
  const headers = new SipHeaders()
    .append("Via", formatVia(via))
    .append("Max-Forwards", "70")
    .append("From", `<${domain}>;tag=${randomToken()}`)
    .append("To", `<${domain}>`)
    .append("Call-ID", randomToken(20))
    .append("CSeq", "1 OPTIONS")
    .append("User-Agent", ctx.serverName);
  const started = performance.now();
  const tx = ctx.transactions.sendRequest(createRequest("OPTIONS", domain, headers), destination);
  const result = await tx.result;
  if (result.kind !== "response") return { status: 408, reason: "Request Timeout" };
  return { status: result.response.status, reason: result.response.reason, rttMs: Math.round((performance.now() - started) * 10) / 10 };
}
