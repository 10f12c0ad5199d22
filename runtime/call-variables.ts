// Channel variables of an inbound call, named as FreeSWITCH's mod_sofia sets them, so that
// scripts reading caller_id_number, destination_number, sip_h_X-... work unchanged.
import type { Call } from "./sip";

export interface CallVariableOptions {
  uuid: string;
  context: string;
  /** sofia profile-like name used in chan_name (sofia/<profile>/<user>@<host:port>). */
  profile: string;
  localAddress: string;
  localPort: number;
}

export function callVariables(call: Call, o: CallVariableOptions): Record<string, string> {
  const from = call.from.uri.sip;
  const to = call.to.uri.sip;
  const fromUser = from?.user ? safeDecode(from.user) : "";
  const callerName = call.callerName || fromUser;
  const source = call.source;
  const vars: Record<string, string> = {
    uuid: o.uuid,
    call_uuid: o.uuid,
    direction: "inbound",
    context: o.context,
    dialplan: "XML",
    destination_number: call.destinationNumber,
    caller_id_number: fromUser,
    caller_id_name: callerName,
    ani: fromUser,
    network_addr: source.address,
    network_port: String(source.port),
    chan_name: `sofia/${o.profile}/${fromUser}@${source.address}:${source.port}`,
    channel_name: `sofia/${o.profile}/${fromUser}@${source.address}:${source.port}`,
    sip_call_id: call.callId,
    sip_from_user: fromUser,
    sip_from_host: from?.host ?? "",
    sip_from_uri: from ? `${fromUser}@${from.host}` : "",
    sip_from_display: call.callerName,
    sip_to_user: to?.user ? safeDecode(to.user) : "",
    sip_to_host: to?.host ?? "",
    sip_req_uri: call.invite.uri.replace(/^sips?:/i, ""),
    sip_req_user: call.destinationNumber,
    sip_network_ip: source.address,
    sip_network_port: String(source.port),
    sip_received_ip: source.address,
    sip_received_port: String(source.port),
    sip_local_network_addr: o.localAddress,
    sip_profile_name: o.profile,
    sofia_profile_name: o.profile,
    endpoint_disposition: "ANSWER",
  };
  const ua = call.invite.headers.get("user-agent");
  if (ua) vars.sip_user_agent = ua;
  const contact = call.invite.headers.get("contact");
  if (contact) vars.sip_contact_uri = contact.replace(/^.*<([^>]*)>.*$/, "$1").replace(/^sips?:/i, "");
  // Custom X- headers become sip_h_X-Name, as mod_sofia exposes them.
  for (const [name, value] of call.invite.headers) {
    if (/^x-/i.test(name)) vars[`sip_h_${name}`] = value;
  }
  const pai = call.invite.headers.get("p-asserted-identity");
  if (pai) vars["sip_P-Asserted-Identity"] = pai;
  return vars;
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}
