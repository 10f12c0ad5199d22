// Help texts: `ivr --help` and `ivr help <command>`.

export const COMMANDS = ["validate", "generate", "export", "serve", "help"] as const;
export type CommandName = (typeof COMMANDS)[number];

export const MAIN_HELP = `ivr — IVR Studio on the command line

Usage: ivr <command> [options]

Commands:
  validate FLOW.json        check a flow and print its diagnostics
  generate FLOW.json        print the Lua (FreeSWITCH mod_lua) or TypeScript script of a flow
  export FLOW.json -o DIR   write a FreeSWITCH bundle: script, dialplan, README, prompts
  serve                     run flows on the bundled SIP runtime (not available yet)
  help [COMMAND]            show help for a command

Exit codes: 0 success, 1 the flow has errors, 2 bad input or usage.
Run 'ivr help <command>' for the options of a command.
`;

export const COMMAND_HELP: Record<CommandName, string> = {
  validate: `Usage: ivr validate FLOW.json [--json] [--admin]

Checks a flow document and prints one line per diagnostic:
  FLOW.json: error IVR1005 [node ask_account, outcome failed] message

Options:
  --json     print the diagnostics as a JSON array instead
  --admin    validate as an admin author (Custom code nodes allowed)

Exit code 1 if there is any error, 0 otherwise (warnings do not fail).
`,
  generate: `Usage: ivr generate FLOW.json [--lang lua|ts] [-o FILE] [--version N] [--admin]

Generates the script of a valid flow. An invalid flow is refused with its diagnostics.

Options:
  --lang lua|ts    lua: FreeSWITCH mod_lua script; ts: TypeScript for the bundled runtime
                   (default: ts if FILE ends in .ts, else lua)
  -o, --out FILE   write the script to FILE instead of standard output
  --version N      version number shown in the script header (default: draft)
  --admin          generate as an admin author (Custom code nodes allowed)
`,
  export: `Usage: ivr export FLOW.json -o DIR [--number 5000] [--media DIR] [--version N] [--admin]

Writes a bundle for a FreeSWITCH server into DIR: the Lua script, a dialplan extension
that routes a number to it, a README, and the prompts the flow plays (under DIR/sounds/).
Prompts not found locally are listed in DIR/MISSING_PROMPTS.txt and on standard output.

Options:
  -o, --out DIR    output folder (created if needed)
  --number N       the number the dialplan routes to the flow (default: the bundle's)
  --media DIR      where to look for prompt files (default: ./media, then the flow's folder)
  --version N      version number shown in the script header
  --admin          export as an admin author (Custom code nodes allowed)
`,
  serve: `Usage: ivr serve

Runs flows on the bundled SIP/RTP runtime. Not available yet: it arrives with the runtime.
`,
  help: `Usage: ivr help [COMMAND]

Shows the list of commands, or the options of one command.
`,
};

export function isCommand(name: string): name is CommandName {
  return (COMMANDS as readonly string[]).includes(name);
}
