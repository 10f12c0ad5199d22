// Where the API's route handlers find the running runtime. server.mjs's bundle starts it and
// Next's bundle serves the routes, so the two share it through one globalThis key (as they share
// the database), never through a module instance.
import type { OutboundState } from "../../../../runtime/server";
import type { LiveCall, RuntimeThreadStats } from "./protocol";

export interface RuntimeStatus {
  sipAddress: string;
  sipPort: number;
  /** The runtime thread's own report; rejects when it is not running or does not answer. */
  stats(timeoutMs?: number): Promise<RuntimeThreadStats>;
  /** Calls in progress with their current node (index.ts RuntimeHandle has the details). */
  live(timeoutMs?: number): Promise<LiveCall[]>;
  watchLive(listener: (calls: LiveCall[]) => void): () => void;
  hangup(callId: string, timeoutMs?: number): Promise<boolean>;
  /** Gateways' status, registration and last ping, and the SIP users registered, as last reported. */
  outboundState?(): OutboundState;
  /** Re-read gateways, SIP users and outbound limits now. */
  refreshOutbound?(): Promise<void>;
}

const KEY = Symbol.for("ivr-studio.runtime");
type Holder = { [KEY]?: RuntimeStatus };

export function registerRuntime(status: RuntimeStatus | undefined): void {
  (globalThis as Holder)[KEY] = status;
}

export const runningRuntime = (): RuntimeStatus | undefined => (globalThis as Holder)[KEY];
