// The shape of one node kind in the catalog, and the UI hints its parameters carry.
// Everything downstream (palette, properties form, validator, both generators, docs)
// reads these entries; nothing about a kind is written anywhere else.
import { z } from "zod";
import type { FileRef } from "../file-paths";

export type Category = "call" | "media" | "input" | "logic";

export const CATEGORIES: ReadonlyArray<{ id: Category; label: string }> = [
  { id: "call", label: "Call control" },
  { id: "media", label: "Media" },
  { id: "input", label: "Input" },
  { id: "logic", label: "Logic" },
];

/** How the properties form should render a parameter. */
export type Widget =
  | "text" // single-line text
  | "textarea" // multi-line text
  | "template" // text where ${var} is replaced by the channel variable at run time
  | "number" // number, with `unit`
  | "boolean"
  | "select" // one of `options`
  | "digits" // DTMF digits 0-9 * # (plus A-D)
  | "regex" // a portable regular expression, with a live test box
  | "prompt" // a sound file path, with a picker over the media folder
  | "dial" // a FreeSWITCH dial string, with the server's gateways and SIP users offered
  | "variable" // a channel variable name
  | "keyvalue" // a list of {name, value}
  | "list" // a list of objects, each rendered with `item` hints
  | "code-lua"
  | "code-ts"
  | "timezone"
  | "phrase"; // a phrase macro name, with the phrase library's names offered

export interface UiHint {
  widget: Widget;
  label: string;
  help?: string;
  unit?: "ms" | "s" | "digits" | "tries";
  options?: ReadonlyArray<string>;
  placeholder?: string;
  /** ${var} expansion at run time (only meaningful for text widgets). */
  template?: boolean;
  /** Advanced parameters are folded away in the form. */
  advanced?: boolean;
  /**
   * Text the call hears through TTS: the form offers a "Listen" preview, in the voice named by
   * the sibling parameter `voiceParam` (empty there: the flow's TTS voice).
   */
  speech?: { voiceParam?: string };
  /** FreeSWITCH itself expands ${...} in this text, ${api(args)} calls included (IVR1013 for editors). */
  fsExpands?: boolean;
  /**
   * Text the schema allows empty but a working node needs: "error" (IVR1020), "warning"
   * (IVR1020, the node still works), or "target" (IVR1012: the call has nowhere to go).
   */
  required?: "error" | "warning" | "target";
}

/** Attach a UI hint to a zod schema (stored in zod's metadata registry). */
export function ui<T extends z.ZodType>(schema: T, hint: UiHint): T {
  return schema.meta({ ui: hint }) as T;
}

/** Read back the UI hint of a schema, looking through default/optional wrappers. */
export function uiHintOf(schema: z.ZodType): UiHint | undefined {
  let s: z.ZodType | undefined = schema;
  for (let i = 0; s && i < 6; i++) {
    const meta = s.meta() as { ui?: UiHint } | undefined;
    if (meta?.ui) return meta.ui;
    const inner: z.ZodType | undefined = (s as unknown as { def?: { innerType?: z.ZodType } }).def?.innerType;
    s = inner;
  }
  return undefined;
}

export interface OutcomeSpec {
  /** Stable key: the edge's `outcome`, the React Flow handle id. */
  key: string;
  label: string;
}

/** A problem found by a kind's own `check` (validate() adds the node's name and the code). */
export interface ParamFinding {
  /** Path inside params, e.g. "choices.1.key". */
  param: string;
  severity: "error" | "warning";
  message: string;
}

export interface NodeKindSpec<P extends z.ZodObject = z.ZodObject> {
  kind: string;
  label: string;
  category: Category;
  description: string;
  /** Parameters, with defaults and UI hints. */
  params: P;
  /** The edges that leave a node of this kind; may depend on its parameters (menu choices). */
  outcomes: (params: z.output<P>) => OutcomeSpec[];
  /** FreeSWITCH session methods (or freeswitch.* functions) this kind stands for. */
  sessionMethods: readonly string[];
  /** True if the node waits for the caller (audio or DTMF): a cycle through it cannot spin. */
  waitsForCaller: boolean | ((params: z.output<P>) => boolean);
  /** One-line summary of the key parameters for the canvas. */
  summary: (params: z.output<P>) => string;
  /** Exactly one per flow, the entry point. */
  entry?: boolean;
  /** Only admins may publish a flow containing this kind. */
  adminOnly?: boolean;
  /** Settings of this kind only an admin may use, and why: what they would make FreeSWITCH run (IVR1013). */
  needsAdmin?: (params: z.output<P>) => Array<{ param: string; reason: string }>;
  /** Collected digits are logged as *** (sets `sensitive_dtmf` while collecting). */
  sensitiveParam?: keyof z.output<P> & string;
  /** Rules that tie parameters together (IVR1016), beyond what the schema says. */
  check?: (params: z.output<P>) => ParamFinding[];
  /** Regular expressions the node matches at run time (checked for PCRE/JS portability). */
  patterns?: (params: z.output<P>) => Array<{ param: string; pattern: string }>;
  /** FreeSWITCH modules a node of this kind needs besides mod_lua, mod_commands, mod_dptools. */
  modules?: (params: z.output<P>) => string[];
  /**
   * Files the node plays or records, each under its root: relative, no ".." out of it (IVR1021);
   * the runtime holds flows to the same roots (runtime/file-policy.ts).
   */
  files?: (params: z.output<P>) => FileRef[];
  /** HTTP URLs the node calls, checked against the admin's host allow-list (IVR1019). */
  urls?: (params: z.output<P>) => Array<{ param: string; url: string }>;
  /**
   * Channel variables the node sets, from its parameters, before its dialplan application runs,
   * under the names FreeSWITCH (or our runtime) reads: both generators emit exactly these, so an
   * exported script sets what a hand-written one would. `unsetAfter`: unset again once the
   * application returns, so the setting holds for this node only.
   */
  channelVariables?: (params: z.output<P>) => ChannelVariable[];
  /** A list whose item keys become outcomes; `reserved` is the kind's own exit (IVR1015). */
  keyedList?: { list: keyof z.output<P> & string; reserved: string; item: string };
}

export interface ChannelVariable {
  name: string;
  value: string;
  unsetAfter?: boolean;
}

export function defineKind<P extends z.ZodObject>(spec: NodeKindSpec<P>): NodeKindSpec<P> {
  return spec;
}

export const single = (label = "Next"): OutcomeSpec[] => [{ key: "next", label }];

/** Quote a user value for a message, shortened. */
export function quote(value: unknown, max = 40): string {
  const text = typeof value === "string" ? value : String(value ?? "");
  const v = text.length > max ? `${text.slice(0, max)}…` : text;
  return JSON.stringify(v);
}

// Shared parameter schemas -------------------------------------------------------

export const VARIABLE_NAME_RE = /^[A-Za-z_][A-Za-z0-9_]*$/;
export const DIGITS_RE = /^[0-9*#A-Da-d]*$/;

export const variableName = (label: string, help?: string, def = "", required?: UiHint["required"]) =>
  ui(z.string().default(def), { widget: "variable", label, help, required });

export const promptPath = (label: string, help?: string, def = "", required?: UiHint["required"]) =>
  ui(z.string().default(def), { widget: "prompt", label, help, placeholder: "ivr/ivr-welcome.wav", required });

export const millis = (label: string, def: number, help?: string, advanced?: boolean) =>
  ui(z.number().int().min(0).max(3_600_000).default(def), { widget: "number", unit: "ms", label, help, advanced });

export const terminatorsParam = (def: string) =>
  ui(z.string().default(def), {
    widget: "digits",
    label: "Terminators",
    help: "Keys that end input early (not included in the result). Empty for none.",
  });

export const sensitiveParam = () =>
  ui(z.boolean().default(false), {
    widget: "boolean",
    label: "Sensitive",
    help: "Digits are logged as *** (PINs, card numbers).",
  });
