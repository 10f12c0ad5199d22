// "Save as test case": a simulator call turned into a flow test case (flow/test-cases.ts). The
// digits the user pressed become press steps, one per input the flow waited for (an input that
// timed out with nothing pressed becomes a silence step), a hang-up from the dial pad a hangup
// step; the dials' outcomes become the case's dialled parties; the run's clock and HTTP replies
// come along; the path the call took and how it ended become the expectation.
import type { BridgeStub, CallerStep, FlowTestCase, HttpStub } from "../../../flow/test-cases";

/** Session methods that wait for the caller's digits (their end closes one input). */
const INPUT_METHODS = new Set(["getDigits", "read", "playAndGetDigits", "collectDigits"]);

export class CallRecorder {
  private readonly path: string[] = [];
  private readonly steps: CallerStep[] = [];
  private readonly bridges: BridgeStub[] = [];
  private pending = "";
  /** Inputs that ended since the call entered its current node. */
  private inputsInVisit = 0;
  private end: { hangupCause?: string; transferTo?: string } | undefined;

  constructor(private readonly options: { talkMs: number }) {}

  node(id: string): void {
    this.path.push(id);
    this.inputsInVisit = 0;
  }

  pressed(digit: string): void {
    this.pending += digit;
  }

  /** A Session method finished (the simulator's `method` event). */
  method(name: string): void {
    if (!INPUT_METHODS.has(name)) return;
    this.steps.push(this.pending ? { press: this.pending } : { silence: true });
    this.pending = "";
    this.inputsInVisit++;
  }

  dialled(to: string, outcome: BridgeStub["outcome"]): void {
    this.bridges.push({ to, outcome, ...(outcome === "answer" ? { talkMs: this.options.talkMs } : {}) });
  }

  /**
   * The user hung up from the panel. Before any input of the node the call is in, the case hangs
   * up as the call enters that node (a prompt there may still be playing: the path is the same);
   * otherwise at the next input wait, with the digits pressed since.
   */
  hungUp(): void {
    const here = this.path.at(-1);
    if (!this.pending && this.inputsInVisit === 0 && here !== undefined) this.steps.push({ hangup: true, atNode: here });
    else {
      this.flush();
      this.steps.push({ hangup: true });
    }
  }

  ended(e: { hangupCause?: string; transferTo?: string }): void {
    this.flush();
    this.end = e;
  }

  /** Digits pressed after the last input: the flow may read them later, so they stay. */
  private flush(): void {
    if (this.pending) this.steps.push({ press: this.pending });
    this.pending = "";
  }

  /** The case, or undefined while there is nothing to expect (the call never entered a node). */
  toCase(name: string, run: { clock?: { at: string; zone?: string }; http?: HttpStub[] }): FlowTestCase | undefined {
    if (this.path.length === 0) return undefined;
    // Trailing silences add nothing: the caller stays silent once the steps run out.
    const steps = [...this.steps];
    while (steps.length && "silence" in steps[steps.length - 1]) steps.pop();
    const e = this.end;
    return {
      name,
      description: "Recorded from a test call.",
      caller: steps,
      ...(run.clock ? { clock: run.clock } : {}),
      ...(run.http?.length ? { http: run.http } : {}),
      ...(this.bridges.length ? { bridges: this.bridges } : {}),
      expect: {
        path: [...this.path],
        ...(e?.transferTo !== undefined ? { transferTo: e.transferTo } : e?.hangupCause ? { hangupCause: e.hangupCause } : {}),
      },
    };
  }
}
