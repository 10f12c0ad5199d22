// Whether a gateway is up, as mod_sofia decides it (sofia_reg.c, sofia.c sofia_handle_sip_r_options):
// - a gateway without register=yes starts up; with it, it is down until registered, and down
//   again whenever a registration fails;
// - with `ping` (seconds, at least 5) it is sent an OPTIONS that often (counted from the previous
//   answer, only while unregistered-by-design or registered). Any final answer but 408 and 503 is
//   a success: ping_count rises up to ping-max, and once it reaches ping-min the gateway is up. A
//   408/503 (or no answer) lowers ping_count, and below ping-min the gateway is down.
// A gateway that is down is not dialed: its legs fail with GATEWAY_DOWN (mod_sofia's
// "Gateway 'NAME' is down!"), so a `|` failover goes on to the next group.
import type { PingResult, Registration, RegistrationOptions, RegistrationState } from "../sip";
import type { GatewayConfig } from "./destinations";

export type GatewayStatus = "up" | "down";

/** What the designer shows for a gateway. */
export interface GatewayState {
  name: string;
  status: GatewayStatus;
  /** "off" without register=yes. */
  registration: "off" | RegistrationState;
  /** The last OPTIONS answer (wall-clock ms), when pings are on. */
  lastPing?: { at: number; status: number; rttMs?: number };
  /** FreeSWITCH's ping_count, against ping-min/ping-max. */
  pingCount: number;
}

export interface GatewayMonitorDeps {
  register(options: RegistrationOptions): Registration;
  ping(host: string, port: number): Promise<PingResult>;
  log(level: string, message: string): void;
  /** Called after any change of the state (status, registration, a ping answered). */
  changed(): void;
  /** Wall clock for lastPing.at (tests pin it). */
  now?: () => number;
  /** One `ping` second in ms (default 1000; tests shorten it). */
  pingSecondMs?: number;
}

export const MIN_PING_SECONDS = 5;

export class GatewayMonitor {
  status: GatewayStatus;
  private registration?: Registration;
  private registrationState: "off" | RegistrationState = "off";
  private pingCount = 0;
  private lastPing?: GatewayState["lastPing"];
  private timer?: NodeJS.Timeout;
  private stopped = false;

  constructor(
    readonly config: GatewayConfig,
    private readonly deps: GatewayMonitorDeps,
  ) {
    this.status = config.register ? "down" : "up";
  }

  private get pingSeconds(): number {
    const p = this.config.ping ?? 0;
    return p >= MIN_PING_SECONDS ? p : 0;
  }

  get state(): GatewayState {
    return { name: this.config.name, status: this.status, registration: this.registrationState, lastPing: this.lastPing, pingCount: this.pingCount };
  }

  start(): void {
    const g = this.config;
    if ((g.ping ?? 0) > 0 && (g.ping ?? 0) < MIN_PING_SECONDS) this.deps.log("err", `gateway ${g.name}: invalid ping ${g.ping} (at least ${MIN_PING_SECONDS} seconds); not pinging`);
    if (g.register && g.username !== undefined && g.password !== undefined) {
      const reg = this.deps.register({ registrar: `${g.host}:${g.port}`, user: g.username, auth: { username: g.username, password: g.password } });
      this.registration = reg;
      reg.on("state", (state) => {
        if (this.stopped) return;
        this.registrationState = state;
        this.deps.log(state === "failed" ? "warning" : "info", `gateway ${g.name}: registration ${state}`);
        if (state === "registered") this.setStatus("up", "registered");
        else if (state === "failed") this.setStatus("down", "registration failed");
        this.deps.changed();
      });
    }
    this.schedulePing();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.registration?.stop();
  }

  private setStatus(status: GatewayStatus, why: string): void {
    if (this.status === status) return;
    this.status = status;
    this.deps.log(status === "down" ? "warning" : "notice", `gateway ${this.config.name} is ${status} (${why})`);
  }

  private schedulePing(): void {
    if (this.stopped || !this.pingSeconds) return;
    this.timer = setTimeout(() => void this.pingOnce(), this.pingSeconds * (this.deps.pingSecondMs ?? 1000));
    this.timer.unref?.();
  }

  /** sofia_reg_check_gateway pings only a gateway that is not registering, or is registered. */
  private async pingOnce(): Promise<void> {
    if (this.stopped) return;
    if (this.registration && this.registrationState !== "registered") return this.schedulePing();
    const g = this.config;
    const r = await this.deps.ping(g.host, g.port);
    if (this.stopped) return;
    this.lastPing = { at: (this.deps.now ?? Date.now)(), status: r.status, rttMs: r.rttMs };
    const min = g.pingMin ?? 1;
    const max = g.pingMax ?? 1;
    if (r.status >= 200 && r.status < 600 && r.status !== 408 && r.status !== 503) {
      if (this.pingCount < max) {
        this.pingCount++;
        if (this.pingCount >= min) this.setStatus("up", `ping answered ${r.status}, count ${min}/${this.pingCount}/${max}`);
      }
    } else {
      if (this.pingCount > 0) this.pingCount--;
      if (this.pingCount < min) this.setStatus("down", `ping failed with ${r.status}, count ${min}/${this.pingCount}/${max}`);
    }
    this.deps.changed();
    this.schedulePing();
  }
}
