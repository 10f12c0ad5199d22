// ivr serve: arrives with the runtime.
import type { Output } from "../output";
import { EXIT } from "../errors";

export function runServe(_argv: string[], io: Output): number {
  io.err("ivr: serve is not available yet (it arrives with the runtime)");
  return EXIT.USAGE;
}
