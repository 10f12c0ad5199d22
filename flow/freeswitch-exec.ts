// What an editor's flow could make FreeSWITCH run on its own server, beyond the Session API:
// ${api(args)} calls in text FreeSWITCH expands, and channel variables whose value FreeSWITCH
// runs as an application or API command (api_hangup_hook=system ..., execute_on_answer=lua ...).
// Only an admin may write these (IVR1013); pure string rules, shared by the validator.

/** The API commands a text calls when FreeSWITCH expands it: ${system(id)} -> ["system"]. */
export function apiCallsIn(text: string): string[] {
  return [...text.matchAll(/\$\{\s*([^{}()\s]+)\s*\(/g)].map((m) => m[1]);
}

/** Variables whose value FreeSWITCH runs (switch_channel.c, mod_dptools, switch_ivr_originate.c). */
const RUNS_COMMANDS = /^(api_(on_|after_|before_|hangup_hook|reporting_hook)|execute_on_|bridge_pre_execute_)|^exec_after_bridge_app$|_exec_(app|api)$/i;

export function runsCommands(variable: string): boolean {
  return RUNS_COMMANDS.test(variable.trim().replace(/^nolocal:/, ""));
}
