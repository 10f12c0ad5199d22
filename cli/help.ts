// Help texts: `ivr --help` and `ivr help <command>`.

export const COMMANDS = ["validate", "generate", "export", "serve", "test", "help"] as const;
export type CommandName = (typeof COMMANDS)[number];

export const MAIN_HELP = `ivr — IVR Studio on the command line

Usage: ivr <command> [options]

Commands:
  validate FLOW.json        check a flow and print its diagnostics
  generate FLOW.json        print the Lua (FreeSWITCH mod_lua) or TypeScript script of a flow
  export FLOW.json -o DIR   write a FreeSWITCH bundle: script, dialplan, README, prompts
  serve                     answer SIP calls and run scripts or flows on the bundled runtime
  test FLOW.json            run the flow's test cases on the runtime (no phone needed)
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
  export: `Usage: ivr export FLOW.json -o DIR [--number 5000] [--media DIR] [--version N] [--admin] [--phrases FILE.json]

Writes a bundle for a FreeSWITCH server into DIR: the Lua script, a dialplan extension
that routes a number to it, a README, and the prompts the flow plays (under DIR/sounds/).
Prompts not found locally are listed in DIR/MISSING_PROMPTS.txt and on standard output.

Options:
  -o, --out DIR    output folder (created if needed)
  --number N       the number the dialplan routes to the flow (default: the bundle's)
  --media DIR      where to look for prompt files (default: ./media, then the flow's folder)
  --version N      version number shown in the script header
  --admin          export as an admin author (Custom code nodes allowed)
  --phrases FILE   the phrase library (GET /api/phrases, or an array of macros): the macros
                   the flow's Phrase nodes play are written to DIR/lang/<lang>/ivr/ as
                   FreeSWITCH phrase XML, and the prompts they play are copied too
`,
  serve: `Usage: ivr serve --route NUMBER=SCRIPT [--route ...] [options]
       ivr serve --database URL [options]

Answers SIP calls (UDP) and runs the script routed to the called number, with FreeSWITCH's
mod_lua session semantics. NUMBER is an exact number or a ^regex$; SCRIPT is a .ts/.js
script, a .lua script (run as mod_lua would), or a flow .json (its script is generated at
start). Arguments after the script become argv, split like mod_lua's (single quotes group):
--route "2000=ivr.lua a 'b c'".

Files: a flow route plays files only under --sounds (and the recordings folder) and records
only under --recordings; anything else is refused at run time. Scripts you route by hand
are trusted like FreeSWITCH's scripts dir (any path) unless --confine is given.

Options:
  --sip HOST:PORT        SIP listen address (default 127.0.0.1:5080)
  --rtp-ports MIN-MAX    RTP port range (default 35000-39999)
  --media-address IP     address RTP binds to and SDP announces (default: the SIP address;
                         with --sip 0.0.0.0, the first external IPv4)
  --max-calls N          answer 503 beyond N concurrent calls
  --log FILE             call log, one JSON object per line
  --metrics HOST:PORT    Prometheus /metrics and /health
  --allow CIDR           source networks allowed to call (repeatable; default loopback only)
  --sounds DIR           where relative prompt paths resolve (default ./media); missing
                         starter sounds are spoken into it by flite (IVR_STARTER_SOUNDS=0: off)
  --recordings DIR       where recordings go: $\${recordings_dir} (default ./recordings)
  --phrases FILE.json    phrase macros for sayPhrase (GET /api/phrases, or an array of macros)
  --confine              hold hand-routed scripts to the --sounds/--recordings folders too
  --flow-lang ts|lua     script language generated for flow routes (default ts)
  --media-timeout S      hang up after S seconds without RTP from the caller (default 60, 0 = off)
  --max-duration S       longest call in seconds (default 14400)
  --inband-dtmf PATTERN  detect in-band DTMF tones on calls to this route (repeatable)
  --http-allow HOST      hosts the curl API may reach (repeatable; *.example.com allowed)
  --cpu-budget MS        CPU time a call's script (Lua or TS) may use (default 2000)
  --grace S              on SIGTERM, let calls finish for up to S seconds (default 10)
  --gateway SPEC         where sofia/gateway/NAME/NUMBER goes (repeatable):
                         NAME=HOST[:PORT][;user=U;pass=P;register=yes;cid=NUMBER;
                         allow=PATTERN,...;max=N;cpm=N;ping=S;ping-min=N;ping-max=N];
                         ping=S sends OPTIONS every S (>= 5) seconds, a gateway that stops
                         answering is down (legs fail GATEWAY_DOWN); nothing is dialed through a gateway
                         unless allow= lists it (X any digit, N 2-9, Z 1-9, . the rest:
                         allow=1NXXNXXXXXX); pass=env:VAR reads the password from VAR
  --user NUMBER:PASSWORD a local user that registers here and is reached by user/NUMBER
                         (repeatable; NUMBER:env:VAR reads the password from VAR)
  --outbound-max N       outbound legs up at once, all routes (default 20)
  --outbound-cpm N       outbound legs started per minute, all routes (default 60)
  --quiet                no debug lines

With --database URL (PostgreSQL; npm run runtime passes $DATABASE_URL) the runtime is a service
of its own, one of several behind Kamailio (docs/deploy.md): routes and published flows come from
the database as in npm start (re-read when they change), calls are logged there, and the runtime
beats in the Cluster page's table. No --route then. Also:
  --database URL         the shared PostgreSQL
  --runtime-id ID        its name in the Cluster page and on its calls (default HOSTNAME:SIPPORT)
  --advertise HOST:PORT  where Kamailio reaches it, for the Cluster page (default the --sip address)
  --cache DIR            generated scripts, media caches and the call log spool (default ./.ivr-cache)
  --poll-ms MS           how often routes are checked for changes (default 2000)
SIGUSR2 (or Drain on the Cluster page) drains: new INVITEs and OPTIONS get 503, calls in progress
finish, then it exits 0. With the database away it keeps serving with the routes it has; the call
log waits in memory (IVR_CALL_LOG_MEMORY entries, default 10000), then in DIR/spool, and is written
when the database is back (once: idempotent writes).
`,
  test: `Usage: ivr test FLOW.json [--case NAME] [--lang lua|ts] [--json]

Runs the test cases saved with the flow (its "tests") on the runtime's session semantics,
without SIP: each case's caller (digits with timing, silence, hanging up), clock, variables
and stubbed HTTP replies; time is virtual, so timeouts cost nothing. One line per case:
  PASS [lua] caller picks sales
  FAIL [ts] caller picks sales: expected node to_sales, got node to_support after digits "2"

Options:
  --case NAME      run only this case
  --lang lua|ts    run only the Lua or only the TypeScript script (default: both)
  --json           print the results as JSON (path, variables, hangup cause, log per case)

Exit code 0 when every case passes, 1 when any fails, 2 on bad input (unreadable file,
invalid flow, no test cases, unknown case). The case format is in docs/flow-tests.md.
`,
  help: `Usage: ivr help [COMMAND]

Shows the list of commands, or the options of one command.
`,
};

export function isCommand(name: string): name is CommandName {
  return (COMMANDS as readonly string[]).includes(name);
}
