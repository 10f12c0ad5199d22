// Public API of the SIP layer: createSipStack wires transport -> transactions -> user agent.
// Events go up, requests go down; a malformed message is traced and counted, never thrown.
import { TransactionLayer, type LogFn } from "./transaction";
import { UserAgent, type InviteHandler, type UserAgentStats } from "./ua";
import { UdpTransport } from "./transport-udp";
import type { SipTransport, TraceHandler, TransportStats } from "./transport";
import type { ParseLimits } from "./parser";
import { dnsResolver, type SipResolver } from "./resolver";
import { Registrar, type RegistrarOptions } from "./registrar";
import { Registration, type RegistrationOptions } from "./registration";
import type { OutboundCall, PlaceCallOptions } from "./outbound-call";
import { sendOptionsPing, type PingResult } from "./options-ping";
import { DEFAULT_SIP_TIMERS, realTimers, type SipTimerConfig, type Timers } from "./timers";

export interface SipStackOptions {
  /** Bind address (default 0.0.0.0). Ignored when a transport instance is given. */
  address?: string;
  /** Bind port (default 5060, 0 = any free port). */
  port?: number;
  /** "udp" (default) or a ready transport (tests pass a LoopTransport). */
  transport?: "udp" | SipTransport;
  /** Clock and timers (default: real ones). */
  timers?: Timers;
  /** T1/T2/T4 for this instance. */
  timerConfig?: Partial<SipTimerConfig>;
  onInvite: InviteHandler;
  log?: LogFn;
  trace?: TraceHandler;
  limits?: Partial<ParseLimits>;
  /** Server / User-Agent header value. */
  serverName?: string;
  /** Host for our Contact header (default: the bound address, or 127.0.0.1 when bound to 0.0.0.0). */
  contactHost?: string;
  /** Host names to addresses (default: DNS, RFC 3263 SRV then A); tests pass staticResolver(). */
  resolver?: SipResolver;
  /** Answer REGISTER for local users (extensions with a password); without it REGISTER gets 405. */
  registrar?: Omit<RegistrarOptions, "timers" | "log" | "serverName" | "realm"> & { realm?: string };
}

export interface SipStackStats extends UserAgentStats {
  transport: TransportStats;
  serverTransactions: number;
  clientTransactions: number;
}

export interface SipStack {
  readonly transport: SipTransport;
  readonly ua: UserAgent;
  readonly transactions: TransactionLayer;
  readonly stats: SipStackStats;
  /** The location table of local users, when `registrar` was configured. */
  readonly registrar?: Registrar;
  /** Start an outgoing call (see OutboundCall); returns at once. */
  placeCall(options: PlaceCallOptions): OutboundCall;
  /** Register to a gateway/registrar and keep the binding fresh; `start()` is called for you. */
  register(options: RegistrationOptions): Registration;
  /** An out-of-dialog OPTIONS to host[:port] (gateway pings): the final status, 408 without an answer. */
  ping(host: string, port?: number): Promise<PingResult>;
  /** Stop accepting INVITEs (503); with hangupCalls, end every call with SYSTEM_SHUTDOWN. */
  shutdown(hangupCalls?: boolean): Promise<void>;
  /** Close the transport. */
  close(): Promise<void>;
}

export const DEFAULT_SERVER_NAME = "IVR-Studio";

export async function createSipStack(options: SipStackOptions): Promise<SipStack> {
  const serverName = options.serverName ?? DEFAULT_SERVER_NAME;
  const transport = typeof options.transport === "object"
    ? options.transport
    : await UdpTransport.bind({ address: options.address, port: options.port, limits: options.limits, trace: options.trace, serverName });
  const timers = options.timers ?? realTimers();
  const config = { ...DEFAULT_SIP_TIMERS, ...options.timerConfig };
  const log = options.log ?? (() => {});
  const transactions = new TransactionLayer({ transport, timers, config, log });
  const local = transport.local;
  const contactHost = options.contactHost ?? (local.address === "0.0.0.0" ? "127.0.0.1" : local.address);
  const resolver = options.resolver ?? dnsResolver();
  const registrar = options.registrar
    ? new Registrar({ realm: contactHost, ...options.registrar, timers, log, serverName })
    : undefined;
  const ua = new UserAgent({
    transport, transactions, timers, config, onInvite: options.onInvite, log, serverName, resolver, contactHost, registrar,
  });
  const registrations = new Set<Registration>();
  transactions.tu = ua;
  transport.onMessage((message, source) => transactions.handle(message, source));
  return {
    transport, ua, transactions,
    get stats() {
      return {
        ...ua.stats, transport: { ...transport.stats },
        serverTransactions: transactions.serverCount, clientTransactions: transactions.clientCount,
      };
    },
    registrar,
    placeCall: (callOptions) => ua.placeCall(callOptions),
    register(registrationOptions) {
      const registration = new Registration(registrationOptions, { transport, transactions, timers, resolver, log, serverName, contactHost });
      registrations.add(registration);
      registration.start();
      return registration;
    },
    ping: (host, port) => sendOptionsPing({ transport, transactions, resolver, serverName }, host, port),
    async shutdown(hangupCalls) {
      await Promise.all([ua.shutdown(hangupCalls), ...[...registrations].map((r) => r.stop())]);
    },
    close: () => {
      registrar?.clear();
      return transport.close();
    },
  };
}

export { Call, ALLOWED_METHODS } from "./call";
export type { CallEnded, CallEvents, CallState, ReinviteRequest, ReinviteResult } from "./call";
export type { ReferNotify, ReferRequest, ReferResult } from "./dialog-session";
export { OutboundCall } from "./outbound-call";
export type { PlaceCallOptions, OutboundCallEvents, ProgressEvent, EarlyMediaEvent, AnsweredEvent, FailedEvent } from "./outbound-call";
export { Registrar } from "./registrar";
export type { Binding, RegistrarEvents, RegistrarOptions } from "./registrar";
export { Registration } from "./registration";
export type { RegistrationEvents, RegistrationOptions, RegistrationState } from "./registration";
export type { DigestAlgorithm, DigestCredentials } from "./auth";
export type { InviteHandler, UserAgentStats } from "./ua";
export { UserAgent } from "./ua";
export { TransactionLayer } from "./transaction";
export type { LogFn } from "./transaction";
export { UdpTransport } from "./transport-udp";
export { LoopNetwork, LoopTransport } from "./transport-loop";
export type { Endpoint, SipTransport, TraceEvent, TraceHandler, TransportStats } from "./transport";
export { FakeTimers, realTimers, DEFAULT_SIP_TIMERS } from "./timers";
export type { Clock, Timers, TimerHandle, SipTimerConfig } from "./timers";
export { parseMessage, DEFAULT_PARSE_LIMITS } from "./parser";
export type { ParseLimits, ParseResult } from "./parser";
export { SipHeaders, serializeMessage, createRequest, createResponse } from "./message";
export type { SipMessage, SipRequest, SipResponse } from "./message";
export type { InfoDtmf } from "./dtmf-info";
export type { PingResult } from "./options-ping";
export { dnsResolver, staticResolver } from "./resolver";
export type { SipResolver } from "./resolver";
export { sipStatusToCause, causeToSipStatus, reasonHeaderFor } from "./causes";
