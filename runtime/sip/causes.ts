// SIP status <-> FreeSWITCH hangup cause, after mod_sofia's tables
// (sofia_glue_sip_cause_to_freeswitch and hangup_cause_to_sip).
import type { HangupCause } from "../../flow/hangup-causes";

export function sipStatusToCause(status: number): HangupCause {
  switch (status) {
    case 200: return "NORMAL_CLEARING";
    case 401: case 402: case 403: case 407: case 603: return "CALL_REJECTED";
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
    default: return "NORMAL_UNSPECIFIED";
  }
}

/** Final response used when the application hangs up a call that was never answered. */
export function causeToSipStatus(cause: HangupCause): number {
  switch (cause) {
    case "UNALLOCATED_NUMBER": case "NO_ROUTE_TRANSIT_NET": case "NO_ROUTE_DESTINATION": return 404;
    case "USER_BUSY": return 486;
    case "NO_USER_RESPONSE": return 408;
    case "NO_ANSWER": case "SUBSCRIBER_ABSENT": case "NORMAL_UNSPECIFIED": return 480;
    case "CALL_REJECTED": return 603;
    case "NUMBER_CHANGED": case "REDIRECTION_TO_NEW_DESTINATION": return 410;
    case "DESTINATION_OUT_OF_ORDER": case "NETWORK_OUT_OF_ORDER": return 502;
    case "INVALID_NUMBER_FORMAT": return 484;
    case "FACILITY_REJECTED": case "FACILITY_NOT_IMPLEMENTED": case "SERVICE_NOT_IMPLEMENTED": return 501;
    case "REQUESTED_CHAN_UNAVAIL": case "NORMAL_CIRCUIT_CONGESTION": case "NORMAL_TEMPORARY_FAILURE":
    case "SWITCH_CONGESTION": case "SERVICE_UNAVAILABLE": case "SYSTEM_SHUTDOWN": return 503;
    case "OUTGOING_CALL_BARRED": case "INCOMING_CALL_BARRED": case "BEARERCAPABILITY_NOTAUTH": return 403;
    case "BEARERCAPABILITY_NOTAVAIL": case "INCOMPATIBLE_DESTINATION": return 488;
    case "RECOVERY_ON_TIMER_EXPIRE": return 504;
    case "ORIGINATOR_CANCEL": return 487;
    default: return 480;
  }
}
