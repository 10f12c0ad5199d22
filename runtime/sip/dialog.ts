// UAS-side dialog state (RFC 3261 section 12): identifiers, CSeq counters, route set and
// remote target, and building in-dialog requests (our BYE) with loose or strict routing.
import { SipHeaders, createRequest, type SipRequest } from "./message";
import { formatVia, parseCSeq, parseNameAddr, parseSipUri, type Via } from "./grammar";
import { newBranch } from "./transaction";
import type { Endpoint } from "./transport";

export interface Dialog {
  callId: string;
  localTag: string;
  remoteTag: string;
  /** Our URI (the INVITE's To) and theirs (its From), as name-addr header values without tags. */
  localUri: string;
  remoteUri: string;
  localCseq: number;
  remoteCseq: number;
  /** Record-Route values in the order the UAS uses them (as received). */
  routeSet: string[];
  /** Contact URI of the peer. */
  remoteTarget: string;
  /**
   * Where requests go when the peer gave no Contact (an RFC 2543 INVITE): the address it sent
   * from. Its From URI stands in as the remote target (RFC 2543 6.13).
   */
  remoteHop?: Endpoint;
}

export function dialogId(callId: string, localTag: string, remoteTag: string): string {
  return `${callId}|${localTag}|${remoteTag}`;
}

function stripTag(value: string): string {
  return value.replace(/;[ \t]*tag[ \t]*=[ \t]*[^;]*/i, "");
}

/**
 * Dialog state from an incoming INVITE (RFC 3261 12.1.1). An INVITE without Contact (RFC 2543,
 * RFC 4475 inv2543) is served too: requests then go back to where it came from. Returns
 * undefined when a Contact is present but unusable.
 */
export function createUasDialog(invite: SipRequest, localTag: string, source: Endpoint): Dialog | undefined {
  const from = parseNameAddr(invite.headers.get("from") ?? "");
  const contact = invite.headers.get("contact");
  const cseq = parseCSeq(invite.headers.get("cseq") ?? "");
  if (!from.ok || !cseq.ok) return undefined;
  const contactAddr = contact ? parseNameAddr(contact) : undefined;
  if (contactAddr && !contactAddr.ok) return undefined;
  return {
    callId: invite.headers.get("call-id") ?? "",
    localTag,
    remoteTag: from.value.tag ?? "",
    localUri: stripTag(invite.headers.get("to") ?? ""),
    remoteUri: stripTag(invite.headers.get("from") ?? ""),
    // Our own CSeq space starts low and random enough; the peer only checks it increases.
    localCseq: 1 + Math.floor(Math.random() * 1000),
    remoteCseq: cseq.value.seq,
    routeSet: invite.headers.getAll("record-route"),
    remoteTarget: contactAddr ? contactAddr.value.uri.raw : from.value.uri.raw,
    ...(contactAddr ? {} : { remoteHop: { ...source } }),
  };
}

export interface InDialogRequest {
  request: SipRequest;
  /** Where to send it (first Route for loose routing, else the remote target); a host still to resolve. */
  nextHop: { host: string; port?: number };
}

/** Build a request within the dialog (BYE, INFO...) from our side (RFC 3261 12.2.1.1). */
export function buildInDialogRequest(
  dialog: Dialog, method: string, local: Endpoint, extraHeaders: Array<[string, string]> = [], body?: string,
  options: { cseq?: number } = {},
): InDialogRequest | { error: string } {
  // An ACK repeats its INVITE's CSeq number; every other request takes the next one.
  if (options.cseq === undefined) dialog.localCseq++;
  const cseq = options.cseq ?? dialog.localCseq;
  const headers = new SipHeaders();
  const via: Via = { transport: "UDP", host: local.address, port: local.port, params: new Map([["branch", newBranch()], ["rport", null]]) };
  headers.append("Via", formatVia(via));
  headers.append("Max-Forwards", "70");
  let requestUri = dialog.remoteTarget;
  let routes = [...dialog.routeSet];
  const firstRoute = routes.length ? parseNameAddr(routes[0]) : undefined;
  if (firstRoute && firstRoute.ok && firstRoute.value.uri.sip && !firstRoute.value.uri.sip.params.has("lr")) {
    // Strict router: it becomes the Request-URI, the remote target goes last in Route.
    requestUri = firstRoute.value.uri.raw;
    routes = [...routes.slice(1), `<${dialog.remoteTarget}>`];
  }
  for (const route of routes) headers.append("Route", route);
  headers.append("From", `${dialog.localUri};tag=${dialog.localTag}`);
  // An RFC 2543 peer may have sent no tag: then there is none to return.
  headers.append("To", dialog.remoteTag ? `${dialog.remoteUri};tag=${dialog.remoteTag}` : dialog.remoteUri);
  headers.append("Call-ID", dialog.callId);
  headers.append("CSeq", `${cseq} ${method}`);
  for (const [name, value] of extraHeaders) headers.append(name, value);
  const request = createRequest(method, requestUri, headers, body);

  if (!routes.length && dialog.remoteHop) {
    return { request, nextHop: { host: dialog.remoteHop.address, port: dialog.remoteHop.port } };
  }
  const hopUri = firstRoute && firstRoute.ok && firstRoute.value.uri.sip && firstRoute.value.uri.sip.params.has("lr")
    ? firstRoute.value.uri.raw
    : requestUri;
  const sip = parseSipUri(hopUri);
  if (!sip.ok) return { error: `cannot route to ${hopUri}: ${sip.error}` };
  const maddr = sip.value.params.get("maddr");
  return { request, nextHop: { host: maddr ?? sip.value.host, port: sip.value.port } };
}
