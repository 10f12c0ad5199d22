// What an input callback's return value means (switch_ivr_process_fh, switch_ivr.c):
// a few strings continue, file-handle commands steer playback/recording, and any other
// string stops the current operation ("break" stops only because it is not recognised).

export type CallbackAction =
  | { kind: "continue" }
  | { kind: "stop" }
  | { kind: "pause" }
  | { kind: "restart" }
  | { kind: "truncate" }
  | { kind: "seek"; ms: number; relative: boolean }
  | { kind: "speed" | "volume"; value: number; relative: boolean };

function signed(arg: string, bareStep: number): { value: number; relative: boolean } | undefined {
  if (arg === "+" || arg === "-") return { value: arg === "+" ? bareStep : -bareStep, relative: true };
  if (/^[+-]\d+$/.test(arg)) return { value: Number(arg), relative: true };
  if (/^\d+$/.test(arg)) return { value: Number(arg), relative: false };
  return undefined;
}

/**
 * @param ret what the callback returned (non-strings: Lua booleans/nil continue)
 * @param hasFileHandle true during streamFile/recordFile; elsewhere only "continue" values continue
 */
export function interpretCallbackResult(ret: unknown, hasFileHandle: boolean): CallbackAction {
  if (ret === undefined || ret === null || typeof ret === "boolean") return { kind: "continue" };
  const s = typeof ret === "number" ? String(ret) : typeof ret === "string" ? ret : "";
  if (s === "" || s === "true" || s === "undefined") return { kind: "continue" };
  if (!hasFileHandle) return { kind: "stop" };
  const lower = s.toLowerCase();
  if (lower === "pause") return { kind: "pause" };
  if (lower === "restart") return { kind: "restart" };
  if (lower === "stop") return { kind: "stop" };
  if (lower === "truncate") return { kind: "truncate" };
  const m = /^(seek|speed|volume):(.*)$/i.exec(s);
  if (m) {
    const what = m[1].toLowerCase() as "seek" | "speed" | "volume";
    const v = signed(m[2].trim(), what === "seek" ? 1000 : 1);
    if (v) return what === "seek" ? { kind: "seek", ms: v.value, relative: v.relative } : { kind: what, ...v };
    return { kind: "continue" };
  }
  return { kind: "stop" };
}
