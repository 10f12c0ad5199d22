// Public surface of the runtime for scripts: `import type { Session } from "ivr-studio/runtime"`.
export type {
  Session,
  ScriptMain,
  InputCallback,
  HangupHook,
  DtmfInput,
  SessionEvent,
  LogLevel,
} from "./session/types";
