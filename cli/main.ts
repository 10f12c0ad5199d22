// Entry of the `ivr` command: dispatches to one command, turns every failure into one
// line on stderr and an exit code. Returns the exit code (the launcher sets it).
import { runExport } from "./commands/export";
import { runGenerate } from "./commands/generate";
import { runValidate } from "./commands/validate";
import { CliError, EXIT, oneLine } from "./errors";
import { COMMAND_HELP, isCommand, MAIN_HELP } from "./help";
import { processOutput, type Output } from "./output";

export async function main(argv: string[], io: Output = processOutput): Promise<number> {
  try {
    return await dispatch(argv, io);
  } catch (e) {
    if (e instanceof CliError) {
      io.err(`ivr: ${e.message}`);
      return e.exitCode;
    }
    // A bug in ivr itself: still one line, with the stack only on request.
    io.err(`ivr: internal error: ${oneLine(e instanceof Error ? e.message : String(e))}`);
    if (process.env.IVR_DEBUG && e instanceof Error && e.stack) io.err(e.stack);
    return EXIT.INTERNAL;
  }
}

async function dispatch(argv: string[], io: Output): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined || command === "--help" || command === "-h") {
    if (command === undefined) {
      io.err(MAIN_HELP); // no command is a usage error: help goes to stderr
      return EXIT.USAGE;
    }
    io.out(MAIN_HELP);
    return EXIT.OK;
  }
  if (command === "help") {
    const topic = rest[0];
    if (topic === undefined) io.out(MAIN_HELP);
    else if (isCommand(topic)) io.out(COMMAND_HELP[topic]);
    else throw new CliError(`no help for unknown command '${topic}' (commands: validate, generate, export, serve, test)`);
    return EXIT.OK;
  }
  if (isCommand(command) && (rest.includes("--help") || rest.includes("-h"))) {
    io.out(COMMAND_HELP[command]);
    return EXIT.OK;
  }
  switch (command) {
    case "validate":
      return runValidate(rest, io);
    case "generate":
      return runGenerate(rest, io);
    case "export":
      return runExport(rest, io);
    case "serve":
      // The runtime (SIP, media workers, script hosts) loads only for the commands that run it.
      return (await import("./commands/serve")).runServe(rest, io);
    case "test":
      return (await import("./commands/test")).runTest(rest, io);
    default:
      throw new CliError(`unknown command '${command}' (see: ivr --help)`);
  }
}
