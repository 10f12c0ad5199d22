// The process one simulator call runs in (started by app/lib/server/simulator/): the flow's script
// is untrusted code, so it runs here, away from the web server, on the runtime's hosts with
// their isolation. Messages over the IPC channel (advanced serialization, so PCM travels as
// bytes): in { start } { dtmf } { dial } { farHangup } { hangup }; out SimulatorEvent. The process ends with the call,
// and when its parent goes away.
import { SimulatedCall, type DialOutcome, type SimulatorEvent, type SimulatorStart } from "./simulated-call";

export type ToSimulator =
  | { type: "start"; start: SimulatorStart }
  | { type: "dtmf"; digit: string }
  /** The user's choice for a dial the call asked about. */
  | { type: "dial"; id: number; outcome: DialOutcome }
  /** The dialled party hangs up. */
  | { type: "farHangup"; id: number }
  | { type: "hangup" };

function serve(): void {
  const send = (e: SimulatorEvent) => {
    if (process.connected) process.send!(e);
  };
  const call = new SimulatedCall(send);
  let started = false;
  process.on("message", (m: ToSimulator) => {
    if (m?.type === "start" && !started) {
      started = true;
      void call.run(m.start).then(
        () => process.disconnect?.(),
        (e: Error) => {
          send({ type: "log", level: "err", message: `the simulator failed: ${e?.message ?? e}` });
          send({ type: "end", hungUpBy: "flow", scriptEnd: `error: ${e?.message ?? e}` });
          process.disconnect?.();
        },
      );
    } else if (m?.type === "dtmf") call.dtmf(String(m.digit));
    else if (m?.type === "dial") call.dialChoice(Number(m.id), m.outcome);
    else if (m?.type === "farHangup") call.farEndHangup(Number(m.id));
    else if (m?.type === "hangup") call.hangup();
  });
  // The web server went away (or closed the run): the call ends with it.
  process.on("disconnect", () => setTimeout(() => process.exit(0), 200).unref());
}

if (process.send) serve();
