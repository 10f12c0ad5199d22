import { z } from "zod";
import { HANGUP_CAUSE_NAMES } from "../hangup-causes";
import { defineKind, single, ui } from "./spec";

export const start = defineKind({
  kind: "start",
  label: "Start",
  category: "call",
  description: "Where the call enters the flow. Exactly one per flow.",
  params: z.object({}),
  outcomes: () => single(),
  sessionMethods: [],
  waitsForCaller: false,
  summary: () => "Call arrives",
  entry: true,
});

export const answer = defineKind({
  kind: "answer",
  label: "Answer",
  category: "call",
  description: "Answer the call (SIP 200 OK). Media nodes pre-answer on their own; answer before billing-relevant work.",
  params: z.object({}),
  outcomes: () => single(),
  sessionMethods: ["answer"],
  waitsForCaller: false,
  summary: () => "session:answer()",
});

export const preAnswer = defineKind({
  kind: "pre_answer",
  label: "Pre-answer",
  category: "call",
  description: "Send early media (SIP 183) without answering: prompts play before the call is billed.",
  params: z.object({}),
  outcomes: () => single(),
  sessionMethods: ["preAnswer"],
  waitsForCaller: false,
  summary: () => "session:preAnswer()",
});

export const hangup = defineKind({
  kind: "hangup",
  label: "Hangup",
  category: "call",
  description: "End the call with a hangup cause.",
  params: z.object({
    cause: ui(z.enum(HANGUP_CAUSE_NAMES as [string, ...string[]]).default("NORMAL_CLEARING"), {
      widget: "select",
      label: "Cause",
      options: HANGUP_CAUSE_NAMES,
      help: "The Q.850/FreeSWITCH cause reported to the caller and in the CDR.",
    }),
  }),
  outcomes: () => [],
  sessionMethods: ["hangup"],
  waitsForCaller: false,
  summary: (p) => p.cause,
});

export const transfer = defineKind({
  kind: "transfer",
  label: "Transfer",
  category: "call",
  description: "Transfer the call to another extension of a dialplan. The flow ends here.",
  params: z.object({
    destination: ui(z.string().default(""), {
      widget: "template",
      template: true,
      required: "target",
      label: "Extension",
      placeholder: "1000",
      help: "The destination number; ${var} is replaced by the channel variable.",
    }),
    dialplan: ui(z.string().default("XML"), { widget: "text", label: "Dialplan", advanced: true }),
    context: ui(z.string().default("default"), { widget: "text", label: "Context", advanced: true }),
  }),
  outcomes: () => [],
  sessionMethods: ["transfer"],
  waitsForCaller: false,
  summary: (p) => `${p.destination || "?"} ${p.dialplan} ${p.context}`,
});

/** Bridge outcomes, and the hangup causes that lead to each (anything else is `failed`). */
export const BRIDGE_CAUSE_OUTCOMES = {
  busy: ["USER_BUSY", "BUSY_EVERYWHERE"],
  no_answer: ["NO_ANSWER", "NO_USER_RESPONSE", "ALLOTTED_TIMEOUT", "PROGRESS_TIMEOUT", "ORIGINATOR_CANCEL"],
} as const;

/**
 * The channel variable our runtime reads before accepting a REFER from a bridged phone
 * (runtime/outbound/outbound.ts); hand-written scripts set it themselves.
 */
export const ALLOW_REFER_VARIABLE = "ivr_allow_refer";

export const bridge = defineKind({
  kind: "bridge",
  label: "Bridge",
  category: "call",
  description:
    "Dial another party and connect the caller (dialplan app `bridge`). The outcome follows the result: answered (after the bridged call ends, unless the call hangs up then), busy, no answer, or failed.",
  params: z.object({
    dialString: ui(z.string().default(""), {
      widget: "dial",
      fsExpands: true,
      required: "target",
      label: "Dial string",
      placeholder: "user/1001 or sofia/gateway/carrier/15551234567",
      help: "FreeSWITCH dial string; ${var} is expanded by FreeSWITCH. Only configured destinations are reachable.",
    }),
    timeoutSec: ui(z.number().int().min(1).max(600).default(30), {
      widget: "number",
      unit: "s",
      label: "Ring timeout",
    }),
    ringback: ui(z.string().default(""), {
      widget: "prompt",
      fsExpands: true,
      label: "Ringback",
      help: "What the caller hears while ringing (e.g. ${us-ring}); empty for the default.",
      advanced: true,
    }),
    hangupAfterBridge: ui(z.boolean().default(false), {
      widget: "boolean",
      label: "Hang up after the call",
      help: "On: the caller's call ends when the bridged call ends (hangup_after_bridge), so there is no Answered outcome. Off: the flow goes on through Answered.",
      advanced: true,
    }),
    allowTransfer: ui(z.boolean().default(false), {
      widget: "boolean",
      label: "Let the called phone transfer the caller",
      help: `On: the bridged phone may pass the caller on with a SIP REFER (blind transfer) to an extension routed here, a SIP user or a number a gateway allows (${ALLOW_REFER_VARIABLE}=true during this bridge). Off: such a REFER is refused (403), unless a script set ${ALLOW_REFER_VARIABLE} itself.`,
      advanced: true,
    }),
  }),
  outcomes: (p) => [
    ...(p.hangupAfterBridge ? [] : [{ key: "answered", label: "Answered" }]),
    { key: "busy", label: "Busy" },
    { key: "no_answer", label: "No answer" },
    { key: "failed", label: "Failed" },
  ],
  sessionMethods: ["setVariable", "execute", "getVariable"],
  waitsForCaller: true,
  channelVariables: (p) => [
    // Without continue_on_fail FreeSWITCH hangs the caller up when the bridge fails, and the
    // busy / no answer / failed outcomes would never be taken.
    { name: "continue_on_fail", value: "true" },
    { name: "hangup_after_bridge", value: String(p.hangupAfterBridge) },
    { name: "call_timeout", value: String(p.timeoutSec) },
    ...(p.ringback ? [{ name: "ringback", value: p.ringback }] : []),
    // Off leaves the variable alone: a Set variable node or a script may still have set it.
    ...(p.allowTransfer ? [{ name: ALLOW_REFER_VARIABLE, value: "true", unsetAfter: true }] : []),
  ],
  files: (p) => [{ param: "ringback", path: p.ringback, root: "sounds" }],
  summary: (p) => p.dialString || "?",
});

/** Dialplan applications an editor's Execute node may run: what the other node kinds already do. */
export const EDITOR_APPLICATIONS: ReadonlySet<string> = new Set([
  "answer", "pre_answer", "hangup", "sleep", "set", "export", "unset", "log", "transfer", "playback",
  "read", "play_and_get_digits", "speak", "record", "start_dtmf", "stop_dtmf", "bridge",
]);

export const execute = defineKind({
  kind: "execute",
  label: "Execute",
  category: "call",
  description: "Run any FreeSWITCH dialplan application with its data (session:execute).",
  params: z.object({
    application: ui(z.string().default(""), { widget: "text", label: "Application", placeholder: "playback", required: "error" }),
    data: ui(z.string().default(""), {
      widget: "text",
      fsExpands: true,
      label: "Data",
      help: "Application arguments; FreeSWITCH expands ${var} itself.",
    }),
  }),
  outcomes: () => single(),
  sessionMethods: ["execute"],
  // Most applications (playback, read, bridge...) wait on the call; the generator cannot know.
  waitsForCaller: true,
  // Editors get the applications the other nodes stand for; the rest (system, lua, socket, curl...)
  // can run programs, scripts or requests on the FreeSWITCH server: an admin's call.
  needsAdmin: (p) => {
    const app = p.application.trim().toLowerCase();
    return app === "" || EDITOR_APPLICATIONS.has(app)
      ? []
      : [{ param: "application", reason: `the ${app} application is not one of ${[...EDITOR_APPLICATIONS].join(", ")}; others can run programs, scripts or requests on the FreeSWITCH server` }];
  },
  // The applications that take a file as their data (record: the first word).
  files: (p) => {
    const app = p.application.trim();
    if (app === "playback") return [{ param: "data", path: p.data.trim(), root: "sounds" }];
    if (app === "record" || app === "record_session") return [{ param: "data", path: p.data.trim().split(/\s+/)[0] ?? "", root: "recordings" }];
    return [];
  },
  summary: (p) => `${p.application || "?"} ${p.data}`.trim(),
});

export const flushDigits = defineKind({
  kind: "flush_digits",
  label: "Flush digits",
  category: "call",
  description: "Discard DTMF digits the caller typed ahead, before a fresh prompt.",
  params: z.object({}),
  outcomes: () => single(),
  sessionMethods: ["flushDigits"],
  waitsForCaller: false,
  summary: () => "session:flushDigits()",
});
