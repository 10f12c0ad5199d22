/** Raised out of a session call when the hangup hook returned "exit" or "die": ends the script. */
export class ScriptExit extends Error {
  constructor(readonly how: string) {
    super(how);
    this.name = "ScriptExit";
  }
}
