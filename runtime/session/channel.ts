// One call's channel: variables, state flags and the DTMF queue, as FreeSWITCH keeps them
// on switch_channel_t. The SIP/media side pushes events in; the Session reads them.
import { HANGUP_CAUSES, type HangupCause } from "../../flow/hangup-causes";

export interface QueuedDtmf {
  digit: string;
  /** Duration in samples (8 kHz), as FreeSWITCH reports it to input callbacks. */
  duration: number;
}

type Waiter = () => void;

export class Channel {
  readonly variables = new Map<string, string>();
  /** Variables that received digits while sensitive_dtmf was on: the call log masks them. */
  readonly sensitiveVariables = new Set<string>();
  answered = false;
  earlyMedia = false;
  /** Set once the call is down (remote BYE, our hangup, timeout). */
  hangupCause: string | undefined;
  /** A transfer was requested: ready() turns false (CF_TRANSFER). */
  transferPending: { extension: string; dialplan: string; context: string } | undefined;
  /** The other channel's uuid while bridged (CF_BRIDGED). */
  bridgedTo: string | undefined;
  /** What getState() says while the channel runs: originated legs sit in CS_SOFT_EXECUTE. */
  executeState: "CS_EXECUTE" | "CS_SOFT_EXECUTE" = "CS_EXECUTE";
  /** Hangup hook state: armed on the first hangup or transfer, fired once. */
  hookEvent: "hangup" | "transfer" | undefined;
  private hookArmed = false;
  private readonly dtmf: QueuedDtmf[] = [];
  private changeWaiters: Array<() => void> = [];
  private waiters = new Set<Waiter>();

  constructor(readonly uuid: string, initial: Record<string, string> = {}) {
    for (const [k, v] of Object.entries(initial)) this.variables.set(k, v);
    this.variables.set("uuid", uuid);
    this.variables.set("call_uuid", uuid);
  }

  get up(): boolean {
    return this.hangupCause === undefined;
  }

  get ready(): boolean {
    return this.up && this.transferPending === undefined;
  }

  state(): string {
    if (!this.up) return "CS_HANGUP";
    if (this.transferPending) return "CS_ROUTING";
    return this.executeState;
  }

  getVar(name: string): string | undefined {
    return this.variables.get(name);
  }

  setVar(name: string, value: string | undefined | null): void {
    if (value === undefined || value === null) this.variables.delete(name);
    else this.variables.set(name, String(value));
  }

  /**
   * The call went down (either side). Arms the hangup hook; wakes every waiter. The variable
   * hangup_cause is not set yet: FreeSWITCH sets it in the channel's hangup state, which runs
   * only once the script's application returns (a script never sees it, not even in its hook).
   */
  markHangup(cause: string): void {
    if (this.hangupCause !== undefined) return;
    this.hangupCause = cause;
    this.armHook("hangup");
    this.wake();
    this.notifyChange();
  }

  /** Resolves at the next change of state (an outbound leg's progress or answer, the hangup). */
  nextChange(): Promise<void> {
    return new Promise((resolve) => this.changeWaiters.push(resolve));
  }

  /** Wake whoever waits in nextChange() (called by whoever changed answered/earlyMedia/bridgedTo). */
  notifyChange(): void {
    const ws = this.changeWaiters;
    this.changeWaiters = [];
    for (const w of ws) w();
  }

  /** The hangup state after the script: hangup_cause and hangup_cause_q850 become readable. */
  finishHangupState(): void {
    if (this.hangupCause === undefined) return;
    const n = HANGUP_CAUSES[this.hangupCause as HangupCause] ?? HANGUP_CAUSES.NORMAL_CLEARING;
    this.variables.set("hangup_cause", this.hangupCause);
    // switch_channel_cause_q850: FreeSWITCH's own causes (> 127) report NORMAL_CLEARING.
    this.variables.set("hangup_cause_q850", String(n <= HANGUP_CAUSES.INTERWORKING ? n : HANGUP_CAUSES.NORMAL_CLEARING));
  }

  markTransfer(extension: string, dialplan: string, context: string): void {
    this.transferPending = { extension, dialplan, context };
    this.armHook("transfer");
    this.wake();
  }

  /** A transfer took effect: the channel runs the new destination's script, hook disarmed. */
  resetForTransfer(): void {
    this.transferPending = undefined;
    this.hookArmed = false;
    this.hookEvent = undefined;
  }

  private armHook(event: "hangup" | "transfer"): void {
    if (this.hookArmed) return;
    this.hookArmed = true;
    this.hookEvent = event;
  }

  /** Take the armed hook event once (the state hook removes itself after the first transition). */
  takeHookEvent(): "hangup" | "transfer" | undefined {
    const e = this.hookEvent;
    this.hookEvent = undefined;
    return e;
  }

  pushDtmf(digit: string, duration = 2000): void {
    if (!this.up) return;
    this.dtmf.push({ digit, duration });
    this.wake();
  }

  shiftDtmf(): QueuedDtmf | undefined {
    return this.dtmf.shift();
  }

  hasDtmf(): boolean {
    return this.dtmf.length > 0;
  }

  flushDtmf(): void {
    this.dtmf.length = 0;
  }

  /**
   * Wait until a DTMF is queued, the call goes down/transfers, `ms` passes, or `extra` resolves.
   * Resolves "dtmf" | "down" | "timeout" | "extra".
   */
  waitEvent(
    ms: number | undefined,
    extra?: Promise<unknown>,
    wantDtmf = true,
  ): Promise<"dtmf" | "down" | "timeout" | "extra"> {
    if (wantDtmf && this.dtmf.length) return Promise.resolve("dtmf");
    if (!this.ready) return Promise.resolve("down");
    return new Promise((resolve) => {
      let timer: NodeJS.Timeout | undefined;
      let settled = false;
      const finish = (r: "dtmf" | "down" | "timeout" | "extra") => {
        if (settled) return;
        settled = true;
        if (timer) clearTimeout(timer);
        this.waiters.delete(waiter);
        resolve(r);
      };
      const waiter: Waiter = () => {
        if (!this.ready) finish("down");
        else if (wantDtmf && this.dtmf.length) finish("dtmf");
        else this.waiters.add(waiter); // a digit nobody asked for: keep waiting
      };
      this.waiters.add(waiter);
      if (ms !== undefined && ms >= 0) timer = setTimeout(() => finish("timeout"), ms);
      extra?.then(
        () => finish("extra"),
        () => finish("extra"),
      );
    });
  }

  private wake(): void {
    const ws = [...this.waiters];
    this.waiters.clear();
    for (const w of ws) w();
  }
}
