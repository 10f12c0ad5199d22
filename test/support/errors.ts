// The two ways a stand-in run stops besides the script ending.

/** The hangup hook returned "exit"/"die": the script ends here (same name as the runtime's). */
export class ScriptExit extends Error {
  constructor(readonly how: string) {
    super(how);
    this.name = "ScriptExit";
  }
}

/** The scripted caller or the stand-in cannot go on (e.g. no bridge outcome scripted). A test bug, not a script bug. */
export class HarnessError extends Error {
  constructor(message: string) {
    super(`stand-in: ${message}`);
    this.name = "HarnessError";
  }
}
