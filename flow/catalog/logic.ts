import { z } from "zod";
import { LOG_LEVELS } from "../hangup-causes";
import { defineKind, quote, single, ui, variableName } from "./spec";

export const setVariable = defineKind({
  kind: "set_variable",
  label: "Set variable",
  category: "logic",
  description: "Set, unset or increment a channel variable (session:setVariable).",
  params: z.object({
    name: variableName("Variable", undefined, "", "error"),
    mode: ui(z.enum(["set", "unset", "increment"]).default("set"), {
      widget: "select",
      label: "Operation",
      options: ["set", "unset", "increment"],
      help: "increment adds Value (an integer, default 1) to the current number (unset counts as 0).",
    }),
    value: ui(z.string().default(""), { widget: "template", template: true, label: "Value" }),
  }),
  outcomes: () => single(),
  sessionMethods: ["setVariable", "getVariable"],
  waitsForCaller: false,
  summary: (p) =>
    p.mode === "unset" ? `unset ${p.name}` : p.mode === "increment" ? `${p.name} += ${p.value || 1}` : `${p.name} = ${p.value}`,
});

export const BRANCH_OPS = ["equals", "not_equals", "regex", "lt", "le", "gt", "ge", "empty", "not_empty"] as const;
export type BranchOp = (typeof BRANCH_OPS)[number];
export const BRANCH_OP_LABELS: Record<BranchOp, string> = {
  equals: "=",
  not_equals: "≠",
  regex: "matches",
  lt: "<",
  le: "≤",
  gt: ">",
  ge: "≥",
  empty: "is empty",
  not_empty: "is not empty",
};
export const NUMERIC_BRANCH_OPS: ReadonlySet<BranchOp> = new Set(["lt", "le", "gt", "ge"]);

const caseSchema = z.object({
  key: ui(z.string().regex(/^[A-Za-z0-9_]+$/, "Letters, digits and _ only"), {
    widget: "text",
    label: "Outcome key",
    help: "Stable name of this case's exit.",
  }),
  op: ui(z.enum(BRANCH_OPS).default("equals"), { widget: "select", label: "Test", options: BRANCH_OPS }),
  value: ui(z.string().default(""), { widget: "text", label: "Value" }),
});

export const branch = defineKind({
  kind: "branch",
  label: "Branch",
  category: "logic",
  description:
    "Route on a channel variable: cases are tested in order (equals, regex, numeric compare, empty); the first that holds wins, else Default. An unset variable counts as empty.",
  params: z.object({
    variable: variableName("Variable", undefined, "", "error"),
    cases: ui(z.array(caseSchema).default([]), { widget: "list", label: "Cases" }),
  }),
  outcomes: (p) => [
    ...p.cases.map((c) => ({
      key: c.key,
      label: `${BRANCH_OP_LABELS[c.op]}${c.op === "empty" || c.op === "not_empty" ? "" : ` ${c.value}`}`,
    })),
    { key: "default", label: "Default" },
  ],
  sessionMethods: ["getVariable"],
  waitsForCaller: false,
  summary: (p) => `${p.variable || "?"}: ${p.cases.length} case(s)`,
  keyedList: { list: "cases", reserved: "default", item: "case" },
  patterns: (p) => p.cases.flatMap((c, i) => (c.op === "regex" ? [{ param: `cases.${i}.value`, pattern: c.value }] : [])),
  check: (p) =>
    p.cases.flatMap((c, i) => {
      const v = c.value.trim();
      return NUMERIC_BRANCH_OPS.has(c.op) && (v === "" || !Number.isFinite(Number(v)))
        ? [{ param: `cases.${i}.value`, severity: "error" as const, message: `case #${i + 1} compares as a number but its Value ${quote(c.value)} is not a number.` }]
        : [];
    }),
});

export const WEEKDAYS = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"] as const;
export type Weekday = (typeof WEEKDAYS)[number];
export const HHMM_RE = /^([01]\d|2[0-3]):[0-5]\d$|^24:00$/;

const hoursSchema = z.object({
  days: ui(z.array(z.enum(WEEKDAYS)).min(1, "Pick at least one day"), {
    widget: "select",
    label: "Days",
    options: WEEKDAYS,
  }),
  from: ui(z.string().regex(HHMM_RE, "HH:MM"), { widget: "text", label: "From", placeholder: "09:00" }),
  to: ui(z.string().regex(HHMM_RE, "HH:MM"), { widget: "text", label: "To", placeholder: "17:00" }),
});

const holidaySchema = z.object({
  date: ui(z.string().regex(/^(\d{4}-)?(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/, "YYYY-MM-DD, or MM-DD every year"), {
    widget: "text",
    label: "Date",
    placeholder: "12-25",
  }),
  name: ui(z.string().default(""), { widget: "text", label: "Name" }),
});

/** Minutes since midnight of "HH:MM". */
export function hhmmToMinutes(s: string): number {
  const [h, m] = s.split(":").map(Number);
  return h * 60 + m;
}

export const timeOfDay = defineKind({
  kind: "time_of_day",
  label: "Time of day",
  category: "logic",
  description:
    "Route on the current time in a time zone: Open during business hours, Holiday on listed dates, Closed otherwise.",
  params: z.object({
    timezone: ui(z.string().default("UTC"), { widget: "timezone", label: "Time zone", placeholder: "America/New_York" }),
    hours: ui(
      z.array(hoursSchema).default([{ days: ["mon", "tue", "wed", "thu", "fri"], from: "09:00", to: "17:00" }]),
      { widget: "list", label: "Business hours", help: "From is inclusive, To exclusive." },
    ),
    holidays: ui(z.array(holidaySchema).default([]), { widget: "list", label: "Holidays" }),
  }),
  outcomes: () => [
    { key: "open", label: "Open" },
    { key: "closed", label: "Closed" },
    { key: "holiday", label: "Holiday" },
  ],
  sessionMethods: ["freeswitch.API:strftime_tz"],
  waitsForCaller: false,
  summary: (p) => `${p.timezone}, ${p.hours.length} range(s), ${p.holidays.length} holiday(s)`,
  check: (p) =>
    p.hours.flatMap((h, i) =>
      hhmmToMinutes(h.to) <= hhmmToMinutes(h.from)
        ? [{ param: `hours.${i}.to`, severity: "error" as const, message: `business hours #${i + 1} end at ${h.to}, not after they start at ${h.from}; split a range that crosses midnight in two.` }]
        : [],
    ),
});

export const log = defineKind({
  kind: "log",
  label: "Log",
  category: "logic",
  description: "Write a line to the FreeSWITCH console / runtime log (session:consoleLog).",
  params: z.object({
    level: ui(z.enum(LOG_LEVELS).default("info"), { widget: "select", label: "Level", options: LOG_LEVELS }),
    message: ui(z.string().default(""), { widget: "template", template: true, label: "Message", required: "warning" }),
  }),
  outcomes: () => single(),
  sessionMethods: ["consoleLog"],
  waitsForCaller: false,
  summary: (p) => `[${p.level}] ${p.message}`,
});

export const HTTP_METHODS = ["GET", "POST", "PUT", "DELETE"] as const;

export const httpRequest = defineKind({
  kind: "http_request",
  label: "HTTP request",
  category: "logic",
  description:
    "Call a web service (mod_curl on FreeSWITCH, fetch on the runtime) and store fields of its JSON response in variables. Success on a 2xx status, else Failure. Only hosts on the admin's allow-list are reachable.",
  params: z.object({
    method: ui(z.enum(HTTP_METHODS).default("GET"), { widget: "select", label: "Method", options: HTTP_METHODS }),
    url: ui(z.string().default(""), {
      widget: "template",
      template: true,
      required: "error",
      label: "URL",
      placeholder: "https://crm.example.com/api/callers/${caller_id_number}",
    }),
    headers: ui(z.array(z.object({ name: z.string(), value: z.string() })).default([]), {
      widget: "keyvalue",
      label: "Headers",
      template: true,
    }),
    contentType: ui(z.string().default("application/json"), { widget: "text", label: "Content type", advanced: true }),
    body: ui(z.string().default(""), { widget: "template", template: true, label: "Body" }),
    timeoutMs: ui(z.number().int().min(100).max(60_000).default(5000), { widget: "number", unit: "ms", label: "Timeout" }),
    responseVariables: ui(z.array(z.object({ name: z.string(), value: z.string() })).default([]), {
      widget: "keyvalue",
      label: "Store response fields",
      help: "Variable name → JSON path in the response body (e.g. customer.tier, items.0.id).",
    }),
    statusVariable: variableName("Store status in", "Channel variable that receives the HTTP status code.", "http_status"),
  }),
  outcomes: () => [
    { key: "success", label: "Success" },
    { key: "failure", label: "Failure" },
  ],
  sessionMethods: ["freeswitch.API:curl", "freeswitch.JSON", "setVariable"],
  modules: () => ["mod_curl"],
  urls: (p) => [{ param: "url", url: p.url }],
  waitsForCaller: false,
  summary: (p) => `${p.method} ${p.url}`,
});

export const customCode = defineKind({
  kind: "custom_code",
  label: "Custom code",
  category: "logic",
  description:
    "Run your own Lua (FreeSWITCH) and TypeScript (runtime) for what no node covers. Runs with full privileges: only admins may publish it.",
  params: z.object({
    lua: ui(z.string().default("-- session is the call\n"), { widget: "code-lua", label: "Lua" }),
    ts: ui(z.string().default("// session is the call\n"), { widget: "code-ts", label: "TypeScript" }),
  }),
  outcomes: () => single(),
  sessionMethods: [],
  waitsForCaller: false,
  summary: () => "custom code",
  adminOnly: true,
});
