// SIP status <-> FreeSWITCH hangup cause, after mod_sofia's tables
// (sofia_glue_sip_cause_to_freeswitch in sofia_glue.c, hangup_cause_to_sip in mod_sofia.c),
// and the Reason header FreeSWITCH puts on its BYE, CANCEL and refusals (sofia_on_hangup).
import { HANGUP_CAUSES, type HangupCause } from "../../flow/hangup-causes";

/** The cause a call ends with when the far end answers an INVITE with this final status. */
export function sipStatusToCause(status: number): HangupCause {
  switch (status) {
    case 200: return "NORMAL_CLEARING";
    case 401: case 402: case 403: case 407: case 603: case 608: return "CALL_REJECTED";
    case 607: return "UNWANTED";
    case 404: return "UNALLOCATED_NUMBER";
    case 485: case 604: return "NO_ROUTE_DESTINATION";
    case 408: case 504: return "RECOVERY_ON_TIMER_EXPIRE";
    case 410: return "NUMBER_CHANGED";
    case 413: case 414: case 416: case 420: case 421: case 423: case 505: case 513: return "INTERWORKING";
    case 480: return "NO_USER_RESPONSE";
    case 400: case 481: case 500: case 503: return "NORMAL_TEMPORARY_FAILURE";
    case 486: case 600: return "USER_BUSY";
    case 484: return "INVALID_NUMBER_FORMAT";
    case 488: case 606: return "INCOMPATIBLE_DESTINATION";
    case 502: return "NETWORK_OUT_OF_ORDER";
    case 405: return "SERVICE_UNAVAILABLE";
    case 406: case 415: case 501: return "SERVICE_NOT_IMPLEMENTED";
    case 482: case 483: return "EXCHANGE_ROUTING_ERROR";
    case 487: return "ORIGINATOR_CANCEL";
    case 428: return "NO_IDENTITY";
    case 429: return "BAD_IDENTITY_INFO";
    case 437: return "UNSUPPORTED_CERTIFICATE";
    case 438: return "INVALID_IDENTITY";
    default: return "NORMAL_UNSPECIFIED";
  }
}

/** Final response used when a call that was never answered is hung up with this cause. */
export function causeToSipStatus(cause: HangupCause): number {
  switch (cause) {
    case "UNALLOCATED_NUMBER": case "NO_ROUTE_TRANSIT_NET": case "NO_ROUTE_DESTINATION": return 404;
    case "USER_BUSY": return 486;
    case "NO_USER_RESPONSE": return 408;
    case "NO_ANSWER": case "SUBSCRIBER_ABSENT": case "NORMAL_UNSPECIFIED": return 480;
    case "CALL_REJECTED": case "DECLINE": case "REJECT_ALL": return 603;
    case "NUMBER_CHANGED": case "REDIRECTION_TO_NEW_DESTINATION": return 410;
    case "DESTINATION_OUT_OF_ORDER": case "INVALID_PROFILE": return 502;
    case "INVALID_NUMBER_FORMAT": case "INVALID_URL": case "INVALID_GATEWAY": return 484;
    case "FACILITY_REJECTED": case "FACILITY_NOT_IMPLEMENTED": case "SERVICE_NOT_IMPLEMENTED": return 501;
    case "REQUESTED_CHAN_UNAVAIL": case "NORMAL_CIRCUIT_CONGESTION": case "NETWORK_OUT_OF_ORDER":
    case "NORMAL_TEMPORARY_FAILURE": case "SWITCH_CONGESTION": case "GATEWAY_DOWN": case "BEARERCAPABILITY_NOTAVAIL": return 503;
    case "OUTGOING_CALL_BARRED": case "INCOMING_CALL_BARRED": case "BEARERCAPABILITY_NOTAUTH": case "STALE_DATE": return 403;
    case "BEARERCAPABILITY_NOTIMPL": case "INCOMPATIBLE_DESTINATION": return 488;
    case "RECOVERY_ON_TIMER_EXPIRE": return 504;
    case "ORIGINATOR_CANCEL": return 487;
    case "EXCHANGE_ROUTING_ERROR": return 483;
    case "BUSY_EVERYWHERE": return 600;
    case "DOES_NOT_EXIST_ANYWHERE": return 604;
    case "NOT_ACCEPTABLE": return 606;
    case "UNWANTED": return 607;
    case "NO_IDENTITY": return 428;
    case "BAD_IDENTITY_INFO": return 429;
    case "UNSUPPORTED_CERTIFICATE": return 437;
    case "INVALID_IDENTITY": return 438;
    default: return 480;
  }
}

/**
 * The Reason header value FreeSWITCH sends with a hangup: Q.850 causes (1-127) as
 * `Q.850;cause=16;text="NORMAL_CLEARING"`, its own causes as `SIP;cause=N;text="NAME"`, and a
 * lost race / pickup as "Call completed elsewhere".
 */
export function reasonHeaderFor(cause: HangupCause): string {
  if (cause === "LOSE_RACE" || cause === "PICKED_OFF") return 'SIP;cause=200;text="Call completed elsewhere"';
  const code = HANGUP_CAUSES[cause];
  return code > 0 && code < 128 ? `Q.850;cause=${code};text="${cause}"` : `SIP;cause=${code};text="${cause}"`;
}

/**
 * The cause a peer's Reason header names (RFC 3326), as sofia.c reads it on a BYE or a failure
 * response: protocol Q.850 or FreeSWITCH with a known cause number; otherwise undefined.
 */
export function causeFromReasonHeader(values: string[]): HangupCause | undefined {
  for (const value of values.flatMap((v) => v.split(","))) {
    const m = /^\s*(?:Q\.850|FreeSWITCH)\s*;(?:[^;]*;)*?\s*cause\s*=\s*(\d{1,3})\s*(?:;|$)/i.exec(value);
    if (!m) continue;
    const code = Number(m[1]);
    const name = (Object.keys(HANGUP_CAUSES) as HangupCause[]).find((k) => HANGUP_CAUSES[k] === code);
    if (name) return name;
  }
  return undefined;
}
