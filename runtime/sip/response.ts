// Building responses from requests (RFC 3261 8.2.6): copy Via, From, Call-ID, CSeq,
// add our To tag, optional Contact/Allow/Server and a body.
import { SipHeaders, createResponse, type SipRequest, type SipResponse } from "./message";
import { parseNameAddr } from "./grammar";

export const REASON_PHRASES: Record<number, string> = {
  100: "Trying", 180: "Ringing", 181: "Call Is Being Forwarded", 182: "Queued", 183: "Session Progress",
  200: "OK", 202: "Accepted",
  300: "Multiple Choices", 301: "Moved Permanently", 302: "Moved Temporarily",
  400: "Bad Request", 401: "Unauthorized", 403: "Forbidden", 404: "Not Found", 405: "Method Not Allowed",
  406: "Not Acceptable", 407: "Proxy Authentication Required", 408: "Request Timeout", 410: "Gone",
  413: "Request Entity Too Large", 414: "Request-URI Too Long", 415: "Unsupported Media Type",
  416: "Unsupported URI Scheme", 420: "Bad Extension", 480: "Temporarily Unavailable",
  481: "Call/Transaction Does Not Exist", 482: "Loop Detected", 483: "Too Many Hops", 484: "Address Incomplete",
  486: "Busy Here", 487: "Request Terminated", 488: "Not Acceptable Here", 491: "Request Pending",
  500: "Server Internal Error", 501: "Not Implemented", 502: "Bad Gateway", 503: "Service Unavailable",
  504: "Server Time-out", 505: "Version Not Supported", 513: "Message Too Large",
  600: "Busy Everywhere", 603: "Decline", 604: "Does Not Exist Anywhere", 606: "Not Acceptable",
};

export function reasonPhrase(status: number): string {
  return REASON_PHRASES[status] ?? (status < 200 ? "Progress" : status < 300 ? "OK" : "Error");
}

export interface ResponseOptions {
  reason?: string;
  /** Our tag for the To header (added unless the request already has a To tag). Not used on 100. */
  toTag?: string;
  /** Extra headers, appended in order. */
  headers?: Array<[string, string]>;
  body?: Buffer | string;
  contentType?: string;
}

export function buildResponse(request: SipRequest, status: number, options: ResponseOptions = {}): SipResponse {
  const headers = new SipHeaders();
  for (const via of request.headers.getAll("via")) headers.append("Via", via);
  headers.append("From", request.headers.get("from") ?? "");
  let to = request.headers.get("to") ?? "";
  if (status > 100 && options.toTag) {
    const parsed = parseNameAddr(to);
    if (parsed.ok && !parsed.value.tag) to = `${to};tag=${options.toTag}`;
  }
  headers.append("To", to);
  headers.append("Call-ID", request.headers.get("call-id") ?? "");
  headers.append("CSeq", request.headers.get("cseq") ?? "");
  if (status === 100) {
    const timestamp = request.headers.get("timestamp");
    if (timestamp) headers.append("Timestamp", timestamp);
  }
  // Dialog-creating responses reflect Record-Route (RFC 3261 12.1.1).
  if (request.method === "INVITE" && status > 100 && status < 300) {
    for (const rr of request.headers.getAll("record-route")) headers.append("Record-Route", rr);
  }
  for (const [name, value] of options.headers ?? []) headers.append(name, value);
  const body = options.body === undefined ? undefined : options.body;
  if (body !== undefined && body.length && options.contentType) headers.append("Content-Type", options.contentType);
  return createResponse(status, options.reason ?? reasonPhrase(status), headers, body);
}
